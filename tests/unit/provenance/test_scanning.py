from __future__ import annotations

import shutil
from pathlib import Path

from snakewarden.artifacts import read_artifact
from snakewarden.artifacts.model import Artifact, ArtifactKind, CoreMetadata
from snakewarden.provenance.model import SignerIdentity
from snakewarden.provenance.scanning import (
    artifact_provenance_findings,
    metadata_urls,
    read_sidecar,
)
from snakewarden.provenance.verify import InMemoryAttestationVerifier

SIGSTORE = "sigstore-3.6.1.tar.gz"


def test_real_sdist_with_its_provenance_is_quiet(vectors: Path, tmp_path: Path) -> None:
    shutil.copy(vectors / SIGSTORE, tmp_path / SIGSTORE)
    shutil.copy(vectors / f"{SIGSTORE}.provenance", tmp_path / f"{SIGSTORE}.provenance")
    artifact = read_artifact((tmp_path / SIGSTORE).read_bytes(), SIGSTORE)
    assert any("github.com/sigstore/sigstore-python" in u for u in metadata_urls(artifact.metadata))
    provenance = read_sidecar(tmp_path / SIGSTORE)
    assert provenance is not None
    assert artifact_provenance_findings(artifact, provenance) == []


def test_no_sidecar_no_findings(vectors: Path, tmp_path: Path) -> None:
    shutil.copy(vectors / SIGSTORE, tmp_path / SIGSTORE)
    assert read_sidecar(tmp_path / SIGSTORE) is None
    artifact = read_artifact((tmp_path / SIGSTORE).read_bytes(), SIGSTORE)
    assert artifact_provenance_findings(artifact, None) == []


def test_wrong_provenance_is_a_finding(vectors: Path) -> None:
    artifact = read_artifact((vectors / SIGSTORE).read_bytes(), SIGSTORE)
    other = (vectors / "pypi_attestations-0.0.19.tar.gz.provenance").read_bytes()
    (finding,) = artifact_provenance_findings(artifact, other)
    assert finding.rule == "provenance-invalid"
    (garbage,) = artifact_provenance_findings(artifact, b"{")
    assert garbage.rule == "provenance-invalid"
    assert "cannot be read" in garbage.message


def test_metadata_repository_disagrees(vectors: Path) -> None:
    raw = (vectors / "pypi_attestations-0.0.19.tar.gz.provenance").read_bytes()
    name = "pypi_attestations-0.0.19.tar.gz"
    import hashlib

    sha = hashlib.sha256((vectors / name).read_bytes()).hexdigest()
    artifact = Artifact(
        filename=name,
        kind=ArtifactKind.SDIST,
        size=1,
        sha256=sha,
        members=(),
        metadata=CoreMetadata(project_urls=(("Source", "https://github.com/popular/project"),)),
    )
    fake = InMemoryAttestationVerifier(
        identities={
            name: SignerIdentity(
                source_repository="https://github.com/trailofbits/pypi-attestations"
            )
        }
    )
    (finding,) = artifact_provenance_findings(artifact, raw, fake)
    assert finding.rule == "provenance-repository-mismatch"
