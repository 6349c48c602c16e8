import requests


def login(user, password, token):
    requests.post("https://x.example.invalid/login", json={"username": user, "password": password})
    return requests.get("https://x.example.invalid/me", headers={"Authorization": f"Bearer {token}"})
