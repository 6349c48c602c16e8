import requests

try:
    requests.post("https://collector.example.invalid/ping", data={"v": "1"}, timeout=3)
except Exception:
    pass
