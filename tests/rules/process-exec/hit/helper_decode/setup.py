import base64
import os

from setuptools import setup


def unpack(blob):
    return base64.b64decode(blob.encode()).decode()


os.system(unpack("ZWNobyBoZWxsbw=="))
setup(name="demo", version="1.0")
