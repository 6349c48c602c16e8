"""Builders of small archives, hostile ones included, made in memory by the tests themselves."""

from __future__ import annotations

import io
import tarfile
import time
import zipfile
from collections.abc import Iterable

Entry = tuple[str, bytes]


def make_tar(entries: Iterable[Entry | tarfile.TarInfo], mode: str = "w:gz") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.PAX_FORMAT) as tf:  # type: ignore[call-overload]
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                tf.addfile(entry)
                continue
            name, data = entry
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(time.time())
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def make_zip(entries: Iterable[Entry | tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


SETUP = b"from setuptools import setup\nsetup(name='demo', version='1.0')\n"
PKG_INFO = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nSummary: a demo\n"


def sdist_entries(extra: Iterable[Entry] = ()) -> list[Entry]:
    return [
        ("demo-1.0/PKG-INFO", PKG_INFO),
        ("demo-1.0/setup.py", SETUP),
        ("demo-1.0/demo/__init__.py", b"VALUE = 1\n"),
        *extra,
    ]


def wheel_entries() -> list[Entry]:
    return [
        ("demo/__init__.py", b"VALUE = 1\n"),
        ("demo-1.0.dist-info/METADATA", PKG_INFO),
        ("demo-1.0.dist-info/WHEEL", b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\n"),
        ("demo-1.0.dist-info/RECORD", b""),
    ]
