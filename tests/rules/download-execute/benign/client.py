import requests


def fetch_json(url):
    return requests.get(url, timeout=10).json()
