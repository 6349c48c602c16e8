import urllib.request

urllib.request.urlopen("https://api.telegram.org/bot000:XXXX/sendMessage?chat_id=1&text=x")
