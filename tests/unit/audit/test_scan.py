from __future__ import annotations

import hashlib
import io
import tarfile
from dataclasses import replace

import pytest
from audit_factory import dep

from snakewarden.adapters.pypi import InMemoryIndexClient
from snakewarden.audit.scan import IndexReleaseScanner
from snakewarden.errors import FetchError


def _sdist(name: str, version: str, files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    root = f"{name}-{version}"
    members = {
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        **files,
    }
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for path, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{root}/{path}")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def index() -> InMemoryIndexClient:
    data = _sdist("calmlib", "1.0", {"calmlib/__init__.py": "def add(a, b):\n    return a + b\n"})
    return InMemoryIndexClient({("calmlib", "1.0"): ("calmlib-1.0.tar.gz", data)})


def test_clean_release_has_no_findings(index: InMemoryIndexClient) -> None:
    assert IndexReleaseScanner(index).scan(dep("calmlib", "1.0")) == ()


def test_requirement_hashes_are_checked(index: InMemoryIndexClient) -> None:
    wrong = replace(dep("calmlib", "1.0"), hashes=("sha256:" + "0" * 64,))
    with pytest.raises(FetchError, match="--hash"):
        IndexReleaseScanner(index).scan(wrong)
    data = index.fetch("calmlib", "1.0").data
    right = replace(dep("calmlib", "1.0"), hashes=("sha256:" + hashlib.sha256(data).hexdigest(),))
    assert IndexReleaseScanner(index).scan(right) == ()


def test_missing_release_is_an_error(index: InMemoryIndexClient) -> None:
    with pytest.raises(FetchError):
        IndexReleaseScanner(index).scan(dep("absent", "1.0"))
