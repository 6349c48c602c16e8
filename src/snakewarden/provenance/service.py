"""What the package index calls for PEP 740: accept on upload, store, serve.

``IndexProvenance`` bundles a verifier and a store:

* :meth:`IndexProvenance.accept_upload` verifies the ``attestations`` form field against the
  uploaded file (before the file is accepted) and raises :class:`AttestationRejected` with the
  reason the uploader sees;
* :meth:`IndexProvenance.save` keeps the provenance object of an accepted file, keyed by its file
  name (unique forever on the index), written atomically;
* :meth:`IndexProvenance.serve` answers ``/integrity/NAME/VERSION/FILE/provenance`` for served
  files, and :meth:`IndexProvenance.annotate_project_json` adds the PEP 740 ``provenance`` URL to
  the PEP 691 JSON file entries.

Stores: ``LocalProvenanceStore`` (a folder) and ``InMemoryProvenanceStore`` (tests).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from packaging.utils import canonicalize_name, canonicalize_version

from snakewarden.adapters.files import write_atomic
from snakewarden.errors import ProvenanceError
from snakewarden.provenance.hashes import file_version
from snakewarden.provenance.interfaces import AttestationVerifier
from snakewarden.provenance.model import (
    PROVENANCE_MEDIA_TYPE,
    AttestationRejected,
    DistributionFile,
    ProvenanceUnavailable,
    Publisher,
)
from snakewarden.provenance.parse import ParseLimits
from snakewarden.provenance.upload import (
    AcceptedProvenance,
    accept_attestations,
    publisher_of_provenance,
)

__all__ = [
    "PROVENANCE_MEDIA_TYPE",
    "InMemoryProvenanceStore",
    "IndexProvenance",
    "LocalProvenanceStore",
    "ProvenanceStore",
    "integrity_path",
]

_SAFE_FILENAME = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._+!-]{0,299}\Z")


def _check_filename(filename: str) -> str:
    if not _SAFE_FILENAME.match(filename) or ".." in filename:
        raise ProvenanceError(f"invalid distribution file name {filename[:80]!r}")
    return filename


def integrity_path(project: str, version: str, filename: str) -> str:
    """``/integrity/NAME/VERSION/FILE/provenance`` (PEP 740's Integrity API)."""
    parts = (canonicalize_name(project), version, filename)
    return "/integrity/" + "/".join(quote(p, safe="") for p in parts) + "/provenance"


class ProvenanceStore(Protocol):
    """Provenance objects by distribution file name."""

    def put(self, filename: str, provenance_json: bytes) -> None: ...

    def get(self, filename: str) -> bytes | None: ...

    def has(self, filename: str) -> bool: ...


class LocalProvenanceStore:
    """``root/<filename>.provenance.json``, written atomically; names are checked, never paths."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, filename: str) -> Path:
        path = self.root / f"{_check_filename(filename)}.provenance.json"
        if path.parent != self.root:
            raise ProvenanceError(f"provenance path escapes the store: {filename!r}")
        return path

    def put(self, filename: str, provenance_json: bytes) -> None:
        write_atomic(self._path(filename), provenance_json)

    def get(self, filename: str) -> bytes | None:
        try:
            return self._path(filename).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ProvenanceError(f"cannot read the provenance of {filename}: {exc}") from exc

    def has(self, filename: str) -> bool:
        return self._path(filename).is_file()


@dataclass
class InMemoryProvenanceStore:
    items: dict[str, bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def put(self, filename: str, provenance_json: bytes) -> None:
        with self._lock:
            self.items[_check_filename(filename)] = provenance_json

    def get(self, filename: str) -> bytes | None:
        with self._lock:
            return self.items.get(filename)

    def has(self, filename: str) -> bool:
        with self._lock:
            return filename in self.items


def _default_verifier() -> AttestationVerifier:
    from snakewarden.provenance.verify import SigstoreAttestationVerifier

    return SigstoreAttestationVerifier()


@dataclass
class IndexProvenance:
    """The index's PEP 740 service. ``verifier`` defaults to offline Sigstore (production only)."""

    store: ProvenanceStore
    verifier_factory: Callable[[], AttestationVerifier] = _default_verifier
    limits: ParseLimits = field(default_factory=ParseLimits)
    _verifier: AttestationVerifier | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def local(cls, root: Path) -> IndexProvenance:
        return cls(LocalProvenanceStore(root))

    def _get_verifier(self) -> AttestationVerifier:
        with self._lock:  # the trust root is loaded once, on first use
            if self._verifier is None:
                self._verifier = self.verifier_factory()
            return self._verifier

    def accept_upload(
        self,
        values: Sequence[str],
        filename: str,
        sha256: str,
        *,
        expected: Publisher | None = None,
    ) -> AcceptedProvenance | None:
        """Verify the ``attestations`` field(s) of an upload; None when there are none."""
        present = [v for v in values if v.strip()]
        if not present:
            return None
        if len(present) > 1:
            raise AttestationRejected("the attestations field was given more than once")
        return accept_attestations(
            present[0],
            DistributionFile(filename, sha256),
            self._get_verifier(),
            expected=expected,
            limits=self.limits,
        )

    def save(self, filename: str, accepted: AcceptedProvenance) -> None:
        self.store.put(filename, accepted.provenance_json)

    def publisher(self, filename: str) -> Publisher | None:
        """The publisher recorded for a file (for release-history checks), if any."""
        raw = self.store.get(filename)
        return publisher_of_provenance(raw) if raw else None

    def serve(
        self, project: str, version: str, filename: str, published: Callable[[str], bool]
    ) -> bytes:
        """The provenance object of a served file; :class:`ProvenanceUnavailable` otherwise."""
        parsed = file_version(filename)
        if (
            parsed is None
            or parsed[0] != canonicalize_name(project)
            or canonicalize_version(parsed[1]) != canonicalize_version(version)
        ):
            raise ProvenanceUnavailable(f"{filename!r} is not a file of {project} {version}")
        if not _SAFE_FILENAME.match(filename) or not published(filename):
            raise ProvenanceUnavailable(f"no file named {filename!r} is served here")
        body = self.store.get(filename)
        if body is None:
            raise ProvenanceUnavailable(f"{filename} was uploaded without attestations")
        return body

    def annotate_project_json(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Add ``provenance`` URLs to a PEP 691 project document's file entries (in place)."""
        name = doc.get("name")
        files = doc.get("files")
        if not isinstance(name, str) or not isinstance(files, list):
            return doc
        for entry in files:
            if not isinstance(entry, dict) or entry.get("provenance"):
                continue
            filename = entry.get("filename")
            if not isinstance(filename, str) or not _SAFE_FILENAME.match(filename):
                continue
            parsed = file_version(filename)
            if parsed is not None and self.store.has(filename):
                entry["provenance"] = integrity_path(name, str(parsed[1]), filename)
        return doc
