import os
import subprocess


def run(cmd):
    env = os.environ.copy()
    env["LC_ALL"] = "C"
    return subprocess.run(cmd, env=env)
