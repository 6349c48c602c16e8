import subprocess


def run_setup(path):
    # an interactive login shell runs a setup script; its stderr joins its output
    return subprocess.run(f"/bin/bash -i {path} 2>&1", shell=True, check=False)
