import base64
import json


def master_key(path):
    with open(path, encoding="utf-8") as fh:
        state = json.load(fh)
    return base64.b64decode(state["os_crypt"]["encrypted_key"])[5:]
