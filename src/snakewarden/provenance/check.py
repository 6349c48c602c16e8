"""Verifying a distribution against its provenance, and turning the outcome into findings.

Pure apart from the :class:`AttestationVerifier` port it is given: reads no files, no network.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from snakewarden.core.models import Finding, Severity
from snakewarden.provenance.identity import (
    metadata_findings,
    publisher_from_identity,
    repository_problem,
)
from snakewarden.provenance.interfaces import AttestationInvalid, AttestationVerifier
from snakewarden.provenance.model import (
    DistributionFile,
    Publisher,
    VerificationReport,
    VerifiedAttestation,
)
from snakewarden.provenance.parse import AttestationDoc, ProvenanceDoc


def distribution_of(filename: str, data: bytes) -> DistributionFile:
    """A :class:`DistributionFile` for bytes already in memory."""
    return DistributionFile(filename, hashlib.sha256(data).hexdigest())


def _precheck(doc: AttestationDoc, dist: DistributionFile) -> str | None:
    """Clear messages for the commonest mismatches, before any cryptography."""
    if doc.subject_name != dist.filename and doc.subject_sha256.lower() != dist.sha256.lower():
        return (
            f"the attestation is for {doc.subject_name!r}, not {dist.filename!r} "
            "(another file's provenance)"
        )
    return None


def verify_distribution(
    dist: DistributionFile,
    document: ProvenanceDoc | AttestationDoc,
    verifier: AttestationVerifier,
    *,
    repository: str | None = None,
) -> VerificationReport:
    """Verify every attestation of ``document`` against ``dist``.

    For a provenance object, each attestation must have been signed by its bundle's publisher.
    A bare attestation carries no publisher: the signer is derived from its certificate, and is
    checked only when ``repository`` is given. ``repository`` (a GitHub/GitLab URL) must then be
    the publisher's repository.
    """
    pairs: list[tuple[Publisher | None, AttestationDoc]]
    if isinstance(document, ProvenanceDoc):
        pairs = [(b.publisher, a) for b in document.bundles for a in b.attestations]
    else:
        pairs = [(None, document)]
    problems: list[str] = []
    hints: list[str] = []
    verified: list[VerifiedAttestation] = []
    publisher: Publisher | None = None
    for claimed, doc in pairs:
        early = _precheck(doc, dist)
        if early:
            problems.append(early)
            continue
        try:
            result = verifier.verify(doc, dist, claimed)
        except AttestationInvalid as exc:
            problems.append(exc.reason)
            if exc.hint:
                hints.append(exc.hint)
            continue
        verified.append(result)
        signer = claimed or publisher_from_identity(result.identity)
        if publisher is None:
            publisher = signer
        elif signer is not None and not signer.same_source(publisher):
            problems.append(
                f"attestations disagree on the publisher: {publisher.describe()} "
                f"and {signer.describe()}"
            )
    identity_checked = isinstance(document, ProvenanceDoc) or bool(repository)
    if repository and verified:
        identity = verified[0].identity
        problem = repository_problem(publisher, identity, repository)
        if problem:
            problems.append(problem)
    if not pairs:
        problems.append("the provenance holds no attestation")
    return VerificationReport(
        file=dist,
        verified=not problems and bool(verified),
        publisher=publisher,
        attestations=tuple(verified),
        problems=tuple(problems),
        identity_checked=identity_checked,
        notes=tuple(dict.fromkeys(hints)),
    )


def provenance_findings(
    report: VerificationReport, metadata_urls: Iterable[str] = ()
) -> list[Finding]:
    """Findings for ``scan``: a failed verification, or a publisher the metadata disowns."""
    if not report.verified:
        return [
            Finding(
                rule="provenance-invalid",
                category="provenance.invalid",
                severity=Severity.HIGH,
                message=(
                    f"{report.file.filename}: its attestation does not verify: "
                    + "; ".join(report.problems or ("no attestation verified",))
                ),
                file=report.file.filename,
                weight=0.6,
            )
        ]
    if report.publisher is None:
        return []
    return metadata_findings(report.publisher, metadata_urls, file=report.file.filename)


__all__ = ["distribution_of", "provenance_findings", "verify_distribution"]
