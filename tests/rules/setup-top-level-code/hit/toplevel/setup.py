import os

from setuptools import setup

os.system("id > /tmp/owned.txt")
setup(name="demo")
