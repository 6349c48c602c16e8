import os
import sys


def fetch_wheel(dest):
    os.system(f"wget -q -P {dest} https://files.example.invalid/pkg-1.0-py3-none-any.whl")
    os.system(f"pip install {dest}/pkg-1.0-py3-none-any.whl")
    os.system(f"unzip -o {dest}/extra.zip -d {dest}")
    os.system(f"{sys.executable} setup.py build_ext")
