import subprocess

import requests


def checkout_latest(repo):
    """Data from an API as an argument of a fixed program: it picks a tag, it commands nothing."""
    tag = requests.get(f"https://api.example.invalid/repos/{repo}/latest", timeout=10).json()["tag"]
    subprocess.run(["git", "checkout", tag], check=True)
