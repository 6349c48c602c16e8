from __future__ import annotations

import json
from pathlib import Path

import pytest

from snakewarden.provenance.check import distribution_of, verify_distribution
from snakewarden.provenance.model import (
    PROVENANCE_MEDIA_TYPE,
    AttestationRejected,
    Publisher,
    PublisherKind,
    SignerIdentity,
)
from snakewarden.provenance.parse import parse_provenance
from snakewarden.provenance.upload import accept_attestations, publisher_of_provenance
from snakewarden.provenance.verify import InMemoryAttestationVerifier, SigstoreAttestationVerifier

DIST = "pypi_attestations-0.0.19.tar.gz"
PUBLISHER = Publisher(
    PublisherKind.GITHUB, repository="trailofbits/pypi-attestations", workflow="release.yml"
)


def _field(vectors: Path, name: str = DIST) -> str:
    return "[" + (vectors / f"{name}.publish.attestation").read_text() + "]"


def test_accepts_and_builds_servable_provenance(vectors: Path) -> None:
    data = (vectors / DIST).read_bytes()
    dist = distribution_of(DIST, data)
    accepted = accept_attestations(_field(vectors), dist, SigstoreAttestationVerifier())
    assert accepted.publisher == PUBLISHER
    assert accepted.predicate_types == ("https://docs.pypi.org/attestations/publish/v1",)
    assert PROVENANCE_MEDIA_TYPE == "application/vnd.pypi.integrity.v1+json"
    body = json.loads(accepted.provenance_json)
    assert body["version"] == 1
    assert body["attestation_bundles"][0]["publisher"] == {
        "kind": "GitHub",
        "repository": "trailofbits/pypi-attestations",
        "workflow": "release.yml",
        "environment": None,
    }
    # What the index serves verifies again, as a client would check it.
    report = verify_distribution(
        dist, parse_provenance(accepted.provenance_json), SigstoreAttestationVerifier()
    )
    assert report.verified, report.problems
    assert publisher_of_provenance(accepted.provenance_json) == PUBLISHER


def test_expected_publisher_is_enforced(vectors: Path) -> None:
    dist = distribution_of(DIST, (vectors / DIST).read_bytes())
    accepted = accept_attestations(
        _field(vectors), dist, SigstoreAttestationVerifier(), expected=PUBLISHER
    )
    assert accepted.publisher == PUBLISHER
    other = Publisher(PublisherKind.GITHUB, repository="evil/x", workflow="release.yml")
    with pytest.raises(AttestationRejected, match="signature verification failed"):
        accept_attestations(_field(vectors), dist, SigstoreAttestationVerifier(), expected=other)


def test_rejects_another_files_attestation(vectors: Path) -> None:
    dist = distribution_of(
        "sigstore-3.6.1.tar.gz", (vectors / "sigstore-3.6.1.tar.gz").read_bytes()
    )
    with pytest.raises(AttestationRejected, match=r"not 'sigstore-3\.6\.1\.tar\.gz'"):
        accept_attestations(_field(vectors), dist, SigstoreAttestationVerifier())


def test_rejects_tampered_upload(vectors: Path) -> None:
    dist = distribution_of(DIST, (vectors / DIST).read_bytes() + b"\0")
    with pytest.raises(AttestationRejected, match="does not match the attested digest"):
        accept_attestations(_field(vectors), dist, SigstoreAttestationVerifier())


def test_rejects_staging_and_non_publisher_identities(vectors: Path) -> None:
    name = "rfc8785-0.1.2-py3-none-any.whl"
    dist = distribution_of(name, (vectors / name).read_bytes())
    with pytest.raises(AttestationRejected, match="staging instance"):
        accept_attestations(_field(vectors, name), dist, SigstoreAttestationVerifier())
    with pytest.raises(AttestationRejected, match="not a Trusted Publisher identity"):
        accept_attestations(
            _field(vectors, name), dist, SigstoreAttestationVerifier(allow_staging=True)
        )


def test_rejects_garbage() -> None:
    dist = distribution_of("x-1.0.tar.gz", b"x")
    with pytest.raises(AttestationRejected, match="not valid JSON"):
        accept_attestations("{", dist, InMemoryAttestationVerifier())


def test_in_memory_verifier_for_index_tests(vectors: Path) -> None:
    dist = distribution_of(DIST, (vectors / DIST).read_bytes())
    fake = InMemoryAttestationVerifier(
        identities={
            DIST: SignerIdentity(
                issuer="https://token.actions.githubusercontent.com",
                source_repository="https://github.com/trailofbits/pypi-attestations",
                build_config=(
                    "https://github.com/trailofbits/pypi-attestations/.github/workflows/"
                    "release.yml@refs/tags/v0.0.19"
                ),
            )
        }
    )
    assert accept_attestations(_field(vectors), dist, fake).publisher == PUBLISHER
    fake.rejected.add(DIST)
    with pytest.raises(AttestationRejected):
        accept_attestations(_field(vectors), dist, fake)


def test_publisher_of_unreadable_provenance_is_none() -> None:
    assert publisher_of_provenance(b"not json") is None
