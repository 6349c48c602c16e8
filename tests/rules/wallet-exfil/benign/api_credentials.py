import json
from urllib.request import urlopen

import requests


class Uploader:
    def __init__(self, private_key):
        self.private_key = private_key

    def upload(self, data):
        return requests.post(
            "https://x.example.invalid/u", files={"file": data}, auth=(self.private_key, "")
        )


class Pusher:
    def __init__(self, privatekey):
        self.privatekey = privatekey

    def notify(self, text):
        payload = {"m": text}
        payload["k"] = self.privatekey
        return requests.post("https://x.example.invalid/push", data=payload)


def verify_captcha(config, response):
    private_key = config["CAPTCHA_PRIVATE_KEY"]
    body = json.dumps({"secret": private_key, "response": response}).encode()
    return urlopen("https://x.example.invalid/verify", body)


def render(prompt, seed):
    return requests.post("https://x.example.invalid/gen", json={"prompt": prompt, "seed": seed})


def configure(private_key_path):
    return requests.post(
        "https://x.example.invalid/cfg", json={"private_key_path": private_key_path}
    )
