import os
import subprocess
import sys
from urllib.request import urlopen


def download(url, dest):
    with urlopen(url) as resp, open(dest, "wb") as out:
        out.write(resp.read())


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    download("https://data.example.invalid/tables.zip", os.path.join(here, "tables.zip"))
    subprocess.check_call([sys.executable, os.path.join(here, "import_tables.py")])
    subprocess.check_call(["git", "status"])
