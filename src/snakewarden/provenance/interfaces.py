"""Ports of the provenance area. Real implementations: :mod:`.verify` (Sigstore),
:mod:`.fetch` (httpx). In-memory ones live beside them for tests and development."""

from __future__ import annotations

from typing import Protocol

from snakewarden.provenance.model import (
    DistributionFile,
    IndexFile,
    Publisher,
    VerifiedAttestation,
)
from snakewarden.provenance.parse import AttestationDoc


class AttestationInvalid(Exception):
    """An attestation failed verification; ``reason`` is a one-line explanation.

    Not a :class:`~snakewarden.errors.SnakewardenError`: it is a result (exit 1), not an error.
    """

    def __init__(self, reason: str, *, hint: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


class AttestationVerifier(Protocol):
    """Checks an attestation's signature, certificate chain, transparency log entry and binding.

    ``expected`` is the Trusted Publisher the certificate must belong to; ``None`` accepts any
    signer (the caller compares the returned identity itself). Raises :class:`AttestationInvalid`.
    """

    def verify(
        self, doc: AttestationDoc, dist: DistributionFile, expected: Publisher | None
    ) -> VerifiedAttestation: ...


class ProvenanceClient(Protocol):
    """Fetches the provenance object of one distribution file from an index."""

    def fetch(self, name: str, version: str, filename: str) -> bytes:
        """The raw provenance JSON; raises ``ProvenanceUnavailable`` when the index has none."""
        ...


class SimpleIndexClient(Protocol):
    """Reads a project's PEP 691 JSON simple page."""

    def project_files(self, name: str) -> list[IndexFile]:
        """Every file the index lists for the project; raises ``FetchError``."""
        ...
