import requests
def send(text):
    requests.get("https://api.telegram.org/bot1234567890:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/sendMessage", params={"text": text})
