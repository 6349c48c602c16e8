import os
import subprocess
import urllib.request

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))


def version():
    """The version, from the lines of the package's __init__."""
    ns = {}
    with open(os.path.join(HERE, "demo", "__init__.py")) as fh:
        for line in fh:
            if line.startswith("__version__"):
                exec(line.strip(), ns)
    return ns["__version__"]


def fetch_headers(dest):
    url = "https://downloads.example.invalid/headers-1.0.tar.gz"
    urllib.request.urlretrieve(url, os.path.join(dest, "headers.tar.gz"))


def build(build_dir):
    subprocess.run(["cmake", "--build", build_dir], check=True)


setup(name="demo", version=version())
