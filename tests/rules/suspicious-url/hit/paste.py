import urllib.request

code = urllib.request.urlopen("https://pastebin.com/raw/XXXXXXXX").read()
