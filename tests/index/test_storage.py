"""Blob storage: content-addressed, atomic, confined to its folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from snakewarden.adapters.storage import (
    BlobNotFound,
    FileStore,
    InMemoryFileStore,
    LocalFileStore,
    StorageError,
    iter_chunks,
    read_all,
)


@pytest.fixture(params=["local", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    return LocalFileStore(tmp_path / "blobs") if request.param == "local" else InMemoryFileStore()


def test_put_is_content_addressed_and_idempotent(store: FileStore) -> None:
    key = store.put(b"hello")
    assert key == hashlib.sha256(b"hello").hexdigest()
    assert store.put(b"hello") == key
    assert store.exists(key)
    assert read_all(store, key) == b"hello"
    assert b"".join(iter_chunks(store, key, chunk=2)) == b"hello"
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # idempotent
    with pytest.raises(BlobNotFound):
        store.open(key)


@pytest.mark.parametrize("key", ["../../etc/passwd", "ABC", "0" * 63, "g" * 64, "/" + "0" * 63])
def test_keys_must_be_sha256_hex(store: FileStore, key: str) -> None:
    with pytest.raises(StorageError):
        store.open(key)


def test_local_store_layout_stays_inside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    store = LocalFileStore(root)
    key = store.put(b"data")
    path = root / key[:2] / key[2:4] / key
    assert path.read_bytes() == b"data"
    leftovers = [p for p in root.rglob("*") if p.is_file() and p != path]
    assert leftovers == []  # no temporary files left behind
