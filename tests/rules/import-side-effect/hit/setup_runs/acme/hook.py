import urllib.request

urllib.request.urlopen("https://collector.example.invalid/ping")
