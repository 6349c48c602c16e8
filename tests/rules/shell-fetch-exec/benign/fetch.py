import subprocess


def fetch(url, dest):
    subprocess.check_call(["curl", "-L", "-o", dest, url])
