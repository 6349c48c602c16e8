import json
import os
import subprocess

CONFIG_DIR = os.path.join(os.path.expanduser("~"), ".config", "demo")


def save(settings):
    os.makedirs(CONFIG_DIR, exist_ok=True)
    with open(os.path.join(CONFIG_DIR, "profile.json"), "w") as fh:
        json.dump(settings, fh)
    with open(os.path.join(CONFIG_DIR, "startup.log"), "a") as fh:
        fh.write("saved\n")


def status():
    return subprocess.run(["systemctl", "--user", "status", "demo.service"], check=False)
