import os


def get(url, name):
    os.system(f"curl -sL {url} -O")
    os.startfile(name)
