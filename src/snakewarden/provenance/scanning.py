"""Provenance checks for ``scan``: the hook the scanner calls for a distribution it has read.

:func:`artifact_provenance_findings` verifies the provenance given for an artifact (or found
beside its file: ``FILE.provenance`` / ``FILE.publish.attestation``) and compares the publisher
with the repositories the metadata names (Home-page, Download-URL, Project-URL). It returns
findings, never raises for bad provenance: a provenance that does not verify is evidence.
"""

from __future__ import annotations

from pathlib import Path

from snakewarden.artifacts.model import Artifact, CoreMetadata
from snakewarden.core.models import Finding, Severity
from snakewarden.errors import ProvenanceError
from snakewarden.provenance.check import provenance_findings, verify_distribution
from snakewarden.provenance.interfaces import AttestationVerifier
from snakewarden.provenance.model import DistributionFile
from snakewarden.provenance.parse import ParseLimits, parse_document

SIDECAR_SUFFIXES = (".provenance", ".publish.attestation")


def metadata_urls(metadata: CoreMetadata | None) -> list[str]:
    """Every URL the core metadata declares."""
    if metadata is None:
        return []
    urls = [u for u in (metadata.home_page, metadata.download_url) if u]
    urls.extend(url for _label, url in metadata.project_urls)
    return urls


def read_sidecar(path: Path, limits: ParseLimits | None = None) -> bytes | None:
    """The provenance saved beside ``path``, if any (bounded read)."""
    limit = (limits or ParseLimits()).max_document_bytes
    for suffix in SIDECAR_SUFFIXES:
        candidate = path.with_name(path.name + suffix)
        try:
            if not candidate.is_file():
                continue
            with candidate.open("rb") as fh:
                return fh.read(limit + 1)
        except OSError:
            continue
    return None


def artifact_provenance_findings(
    artifact: Artifact,
    provenance: bytes | None,
    verifier: AttestationVerifier | None = None,
) -> list[Finding]:
    """Findings about ``artifact``'s provenance (none when there is no provenance to check).

    ``verifier`` defaults to the offline Sigstore verifier.
    """
    if provenance is None or not artifact.sha256:
        return []
    try:
        document = parse_document(provenance)
    except ProvenanceError as exc:
        return [
            Finding(
                rule="provenance-invalid",
                category="provenance.invalid",
                severity=Severity.MEDIUM,
                message=f"{artifact.filename}: its provenance cannot be read: {exc.message}",
                file=artifact.filename,
                weight=0.3,
            )
        ]
    if verifier is None:
        from snakewarden.provenance.verify import SigstoreAttestationVerifier

        verifier = SigstoreAttestationVerifier()
    report = verify_distribution(
        DistributionFile(artifact.filename, artifact.sha256), document, verifier
    )
    return provenance_findings(report, metadata_urls(artifact.metadata))
