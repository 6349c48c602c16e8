import requests


def lookup(private_key):
    return requests.get(f"https://x.example.invalid/api/{private_key}", timeout=3)
