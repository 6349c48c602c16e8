import subprocess


def start(cmd):
    return subprocess.run(cmd, check=True)
