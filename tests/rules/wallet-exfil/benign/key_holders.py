import httpx
import requests
from eth_account import Account


def generate_keypair():
    return "private", "public"


def register():
    private_key, public_pem = generate_keypair()
    return httpx.post("https://x.example.invalid/challenge", json={"publicKey": public_pem})


class AppClient:
    def __init__(self, private_key):
        self.private_key = private_key

    def issues(self):
        return ["one", "two"]


def report(private_key):
    client = AppClient(private_key=private_key)
    found = client.issues()
    return requests.post("https://x.example.invalid/hook", json={"issues": found})


class Wallet:
    def __init__(self, priv_keys):
        self.keys = [Account.from_key(k) for k in priv_keys]

    def send(self, to, amount, priv_keys=None):
        tx = {"to": to, "value": amount}
        return [k.sign_transaction(tx) for k in (priv_keys or self.keys)]

    def sweep(self, to, priv_keys):
        return self.send(to, 0, priv_keys=priv_keys)


def new_account():
    acct = Account.create()
    requests.post("https://x.example.invalid/a", json={"address": acct.address})
    return acct
