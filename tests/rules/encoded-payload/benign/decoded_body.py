import base64

import requests

# a tiny PNG header, sent as the body of a request to a plain address
PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def upload():
    data = base64.b64decode(PIXEL)
    return requests.post("https://api.example.invalid/v1/images", data=data, timeout=5)
