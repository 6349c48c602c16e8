"""Blob storage: files kept by the sha256 of their content.

``FileStore`` is the port; ``LocalFileStore`` keeps blobs in a folder (written atomically, never
outside it) and ``InMemoryFileStore`` keeps them in a dict for tests. An object store (S3, GCS)
implements the same four methods.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from snakewarden.adapters.files import write_atomic
from snakewarden.errors import IndexServiceError

_SHA256 = re.compile(r"\A[0-9a-f]{64}\Z")
CHUNK = 256 * 1024


class StorageError(IndexServiceError):
    """A blob could not be stored or read."""


class BlobNotFound(StorageError):
    """No blob has that digest."""


def _check_key(key: str) -> str:
    if not _SHA256.match(key):
        raise StorageError(f"invalid blob key {key[:80]!r}: expected a lowercase sha256 hex digest")
    return key


class FileStore(Protocol):
    """Content-addressed blobs: the key of a blob is the sha256 hex digest of its bytes."""

    def put(self, data: bytes) -> str:
        """Store ``data`` (idempotent) and return its key."""
        ...

    def open(self, key: str) -> BinaryIO:
        """A binary stream of the blob; raises ``BlobNotFound``."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the blob if present."""
        ...


def read_all(store: FileStore, key: str) -> bytes:
    with store.open(key) as fh:
        return fh.read()


def iter_chunks(store: FileStore, key: str, chunk: int = CHUNK) -> Iterator[bytes]:
    with store.open(key) as fh:
        while block := fh.read(chunk):
            yield block


class LocalFileStore:
    """Blobs under ``root/ab/cd/<sha256>``, written through a temporary file and a rename."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        _check_key(key)
        path = self.root / key[:2] / key[2:4] / key
        # The key is 64 hex digits, so this cannot escape; keep the check as a belt.
        if self.root not in path.parents:
            raise StorageError(f"blob path escapes the store: {key!r}")
        return path

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        if not path.exists():
            try:
                write_atomic(path, data)
            except OSError as exc:
                raise StorageError(
                    f"cannot write blob {key}: {exc}", hint="check free space and permissions"
                ) from exc
        return key

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as exc:
            raise BlobNotFound(f"no blob {key}") from exc
        except OSError as exc:
            raise StorageError(f"cannot read blob {key}: {exc}") from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot delete blob {key}: {exc}") from exc


class InMemoryFileStore:
    """Blobs in a dict (thread-safe); for tests and throwaway indexes."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        with self._lock:
            self._blobs.setdefault(key, bytes(data))
        return key

    def open(self, key: str) -> BinaryIO:
        _check_key(key)
        with self._lock:
            data = self._blobs.get(key)
        if data is None:
            raise BlobNotFound(f"no blob {key}")
        return io.BytesIO(data)

    def exists(self, key: str) -> bool:
        with self._lock:
            return _check_key(key) in self._blobs

    def delete(self, key: str) -> None:
        with self._lock:
            self._blobs.pop(_check_key(key), None)
