from setuptools import setup

__import__("acme.hook")

setup(name="demo", version="1.0", packages=["acme"])
