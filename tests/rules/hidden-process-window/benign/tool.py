import subprocess


def run(cmd):
    return subprocess.run(cmd, capture_output=True)
