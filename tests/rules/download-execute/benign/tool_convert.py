import subprocess
import sys


def download_model(name):
    url = f"https://models.example.invalid/{name}.bin"
    subprocess.run(["wget", "-O", f"{name}.bin", url], check=True)
    subprocess.run([sys.executable, "convert.py", f"{name}.bin"], check=True)
    subprocess.run(["sha256sum", f"{name}.bin"], check=True)
