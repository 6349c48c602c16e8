"""The index side of PEP 740: accept an upload's attestations, build what the index serves.

The index calls :func:`accept_attestations` with the upload form's ``attestations`` field and the
uploaded file's name and sha256, *before* accepting the file. Every attestation must verify against
that file; the signer must be a Trusted Publisher identity (GitHub Actions, GitLab CI/CD, Google
Cloud, ActiveState), the same for all of them, and equal to ``expected`` when the project has a
configured publisher. The result carries the provenance object to store and to serve verbatim at
``/integrity/NAME/VERSION/FILE/provenance`` (media type :data:`PROVENANCE_MEDIA_TYPE`), and the
publisher to record (history checks compare it release to release).

Only the verifier port does I/O (it loads the Sigstore trust root); the rest is pure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from snakewarden.provenance.identity import publisher_from_identity
from snakewarden.provenance.interfaces import AttestationInvalid, AttestationVerifier
from snakewarden.provenance.model import (
    PROVENANCE_MEDIA_TYPE,
    AttestationRejected,
    DistributionFile,
    ProvenanceFormatError,
    Publisher,
)
from snakewarden.provenance.parse import (
    AttestationDoc,
    ParseLimits,
    parse_provenance,
    parse_upload_attestations,
)

__all__ = [
    "PROVENANCE_MEDIA_TYPE",
    "AcceptedProvenance",
    "accept_attestations",
    "build_provenance",
    "publisher_of_provenance",
]


@dataclass(frozen=True, slots=True)
class AcceptedProvenance:
    """Verified attestations of one uploaded file."""

    publisher: Publisher
    provenance_json: bytes  # the PEP 740 provenance object, served as-is by the Integrity API
    predicate_types: tuple[str, ...]


def build_provenance(bundles: Sequence[tuple[Publisher, Sequence[AttestationDoc]]]) -> bytes:
    """The PEP 740 provenance object: ``{"version": 1, "attestation_bundles": [...]}``."""
    doc = {
        "version": 1,
        "attestation_bundles": [
            {"publisher": publisher.to_json(), "attestations": [a.to_json() for a in atts]}
            for publisher, atts in bundles
        ],
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def accept_attestations(
    field_value: str | bytes,
    dist: DistributionFile,
    verifier: AttestationVerifier,
    *,
    expected: Publisher | None = None,
    limits: ParseLimits | None = None,
) -> AcceptedProvenance:
    """Parse and verify the ``attestations`` upload field; raise :class:`AttestationRejected`."""
    docs = parse_upload_attestations(field_value, limits)
    publisher: Publisher | None = None
    for doc in docs:
        try:
            verified = verifier.verify(doc, dist, expected)
        except AttestationInvalid as exc:
            raise AttestationRejected(exc.reason, hint=exc.hint or None) from exc
        signer = expected or publisher_from_identity(verified.identity)
        if signer is None:
            raise AttestationRejected(
                f"the attestation is signed by {verified.identity.describe()}, which is not a "
                "Trusted Publisher identity (GitHub Actions, GitLab CI/CD, Google Cloud)"
            )
        if publisher is None:
            publisher = signer
        elif not signer.same_source(publisher) or signer.workflow != publisher.workflow:
            raise AttestationRejected(
                f"attestations are signed by different publishers: {publisher.describe()} "
                f"and {signer.describe()}"
            )
    assert publisher is not None  # parse_upload_attestations never returns an empty tuple
    return AcceptedProvenance(
        publisher=publisher,
        provenance_json=build_provenance([(publisher, docs)]),
        predicate_types=tuple(d.predicate_type for d in docs),
    )


def publisher_of_provenance(provenance_json: bytes) -> Publisher | None:
    """The (first bundle's) publisher of a stored provenance object; None if unreadable."""
    try:
        doc = parse_provenance(provenance_json)
    except ProvenanceFormatError:
        return None
    return doc.bundles[0].publisher if doc.bundles else None
