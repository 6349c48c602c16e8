import subprocess

import requests

response = requests.get("https://files.example.invalid/setup-tool", timeout=10)
if response.ok:
    with open("setup-tool.exe", "wb") as fh:
        fh.write(response.content)


def start_tool():
    subprocess.call(["setup-tool.exe"])


start_tool()
