import requests

WEBHOOK = "https://discord.com/api/webhooks/000000000000000000/XXXXXXXXXXXXXXXX"
requests.post(WEBHOOK, json={"content": "hi"})
