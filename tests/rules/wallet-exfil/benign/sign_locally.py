import requests
from eth_account import Account

RPC = "https://rpc.example.invalid"


def rpc(method, params):
    return requests.post(RPC, json={"jsonrpc": "2.0", "method": method, "params": params, "id": 1})


def balance(private_key):
    acct = Account.from_key(private_key)
    return rpc("eth_getBalance", [acct.address, "latest"])


def transfer(private_key, tx):
    signed = Account.from_key(private_key).sign_transaction(tx)
    return rpc("eth_sendRawTransaction", [signed.raw_transaction.hex()])


def transfer2(private_key, to, amount):
    tx = {"to": to, "value": amount}
    signed = Account.sign_transaction(tx, private_key)
    return requests.post(RPC, json={"method": "eth_sendRawTransaction", "params": [signed.rawTransaction.hex()]})


class Client:
    def __init__(self, private_key):
        self.private_key = private_key
        self.account = Account.from_key(private_key)
        self.session = requests.Session()

    def nonce(self):
        return self.session.post(RPC, json={"method": "eth_getTransactionCount", "params": [self.account.address]})

    def send(self, tx):
        signed = self.account.sign_transaction(tx)
        return self.session.post(RPC, json={"params": [signed.rawTransaction.hex()]})
