"""Verification of the real PEP 740 vectors, offline (sockets are disabled in tests)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from snakewarden.provenance.check import distribution_of, provenance_findings, verify_distribution
from snakewarden.provenance.model import (
    PUBLISH_V1,
    DistributionFile,
    Publisher,
    PublisherKind,
    SigstoreInstance,
)
from snakewarden.provenance.parse import parse_document
from snakewarden.provenance.verify import SigstoreAttestationVerifier, identity_of

SIGSTORE = "sigstore-3.6.1.tar.gz"
PYPI_ATT = "pypi_attestations-0.0.19.tar.gz"
GITLAB = "gitlab_oidc_project-0.0.3.tar.gz"
RFC = "rfc8785-0.1.2-py3-none-any.whl"


def _check(vectors: Path, dist: str, prov: str, repository: str | None = None, **kw: bool):  # type: ignore[no-untyped-def]
    verifier = SigstoreAttestationVerifier(**kw)
    data = (vectors / dist).read_bytes()
    return verify_distribution(
        distribution_of(dist, data),
        parse_document((vectors / prov).read_bytes()),
        verifier,
        repository=repository,
    )


def test_sigstore_provenance_verifies_with_repository(vectors: Path) -> None:
    report = _check(
        vectors, SIGSTORE, SIGSTORE + ".provenance", "https://github.com/sigstore/sigstore-python"
    )
    assert report.verified, report.problems
    assert report.publisher == Publisher(
        PublisherKind.GITHUB, repository="sigstore/sigstore-python", workflow="release.yml"
    )
    (att,) = report.attestations
    assert att.predicate_type == PUBLISH_V1
    assert att.instance is SigstoreInstance.PRODUCTION
    assert att.identity.source_repository == "https://github.com/sigstore/sigstore-python"
    assert att.identity.source_ref == "refs/tags/v3.6.1"
    assert att.identity.subject.startswith("https://github.com/sigstore/sigstore-python/")


@pytest.mark.parametrize(
    ("dist", "prov", "repo", "who"),
    [
        (PYPI_ATT, PYPI_ATT + ".provenance", None, "trailofbits/pypi-attestations"),
        (
            PYPI_ATT,
            PYPI_ATT + ".publish.attestation",
            "https://github.com/trailofbits/pypi-attestations",
            "trailofbits/pypi-attestations",
        ),
        (
            GITLAB,
            GITLAB + ".publish.attestation",
            "https://gitlab.com/facutuesca/gitlab-oidc-project",
            "facutuesca/gitlab-oidc-project",
        ),
    ],
)
def test_other_vectors_verify(
    vectors: Path, dist: str, prov: str, repo: str | None, who: str
) -> None:
    report = _check(vectors, dist, prov, repo)
    assert report.verified, report.problems
    assert report.publisher is not None
    assert report.publisher.repository == who


def test_bare_attestation_without_repository_is_verified_but_identity_unchecked(
    vectors: Path,
) -> None:
    report = _check(vectors, GITLAB, GITLAB + ".publish.attestation")
    assert report.verified
    assert not report.identity_checked
    assert report.publisher is not None
    assert report.publisher.kind is PublisherKind.GITLAB
    assert report.publisher.workflow == ".gitlab-ci.yml"


def test_tampered_file_fails(vectors: Path) -> None:
    data = bytearray((vectors / SIGSTORE).read_bytes())
    data[len(data) // 2] ^= 0x01
    verifier = SigstoreAttestationVerifier()
    report = verify_distribution(
        distribution_of(SIGSTORE, bytes(data)),
        parse_document((vectors / (SIGSTORE + ".provenance")).read_bytes()),
        verifier,
    )
    assert not report.verified
    assert "does not match the attested digest" in report.problems[0]
    assert "modified" in report.problems[0]


def test_wrong_repository_fails(vectors: Path) -> None:
    report = _check(
        vectors, SIGSTORE, SIGSTORE + ".provenance", "https://github.com/evil/sigstore-python"
    )
    assert not report.verified
    assert (
        "not from the expected repository https://github.com/evil/sigstore-python"
        in report.problems[0]
    )


def test_wrong_repository_for_bare_attestation_fails(vectors: Path) -> None:
    report = _check(
        vectors, GITLAB, GITLAB + ".publish.attestation", "https://gitlab.com/other/project"
    )
    assert not report.verified
    assert "not from the expected repository" in report.problems[0]


def test_another_files_provenance_fails(vectors: Path) -> None:
    report = _check(vectors, SIGSTORE, PYPI_ATT + ".provenance")
    assert not report.verified
    assert "another file's provenance" in report.problems[0]


def test_renamed_file_fails(vectors: Path) -> None:
    data = (vectors / SIGSTORE).read_bytes()
    report = verify_distribution(
        distribution_of("sigstore-3.6.2.tar.gz", data),
        parse_document((vectors / (SIGSTORE + ".provenance")).read_bytes()),
        SigstoreAttestationVerifier(),
    )
    assert not report.verified
    assert "not 'sigstore-3.6.2.tar.gz'" in report.problems[0]


def test_forged_publisher_in_provenance_fails(vectors: Path) -> None:
    raw = json.loads((vectors / (SIGSTORE + ".provenance")).read_bytes())
    raw["attestation_bundles"][0]["publisher"]["workflow"] = "other.yml"
    report = verify_distribution(
        distribution_of(SIGSTORE, (vectors / SIGSTORE).read_bytes()),
        parse_document(json.dumps(raw)),
        SigstoreAttestationVerifier(),
    )
    assert not report.verified
    assert "signature verification failed" in report.problems[0]


def test_forged_statement_fails(vectors: Path) -> None:
    """A statement rewritten to another digest no longer matches its signature."""
    data = (vectors / SIGSTORE).read_bytes()
    raw = json.loads((vectors / (SIGSTORE + ".provenance")).read_bytes())
    att = raw["attestation_bundles"][0]["attestations"][0]
    statement = json.loads(base64.b64decode(att["envelope"]["statement"]))
    statement["subject"][0]["digest"]["sha256"] = hashlib.sha256(b"evil").hexdigest()
    att["envelope"]["statement"] = base64.b64encode(json.dumps(statement).encode()).decode()
    report = verify_distribution(
        DistributionFile(SIGSTORE, hashlib.sha256(b"evil").hexdigest()),
        parse_document(json.dumps(raw)),
        SigstoreAttestationVerifier(),
    )
    assert not report.verified
    assert "signature verification failed" in report.problems[0]
    assert distribution_of(SIGSTORE, data).sha256 != report.file.sha256


def test_staging_attestation_refused_by_default_then_accepted(vectors: Path) -> None:
    refused = _check(vectors, RFC, RFC + ".publish.attestation")
    assert not refused.verified
    assert "staging instance" in refused.problems[0]
    assert any("--staging" in n for n in refused.notes)
    accepted = _check(vectors, RFC, RFC + ".publish.attestation", allow_staging=True)
    assert accepted.verified
    assert accepted.attestations[0].instance is SigstoreInstance.STAGING
    assert accepted.publisher is None  # a GitHub OAuth e-mail identity, not a Trusted Publisher
    assert accepted.attestations[0].identity.issuer == "https://github.com/login/oauth"


def test_identity_of_reads_claims(vectors: Path) -> None:
    doc = parse_document((vectors / (GITLAB + ".publish.attestation")).read_bytes())
    from snakewarden.provenance.parse import AttestationDoc, certificate_der

    assert isinstance(doc, AttestationDoc)
    identity = identity_of(certificate_der(doc))
    assert identity.issuer == "https://gitlab.com"
    assert identity.build_config.endswith("//.gitlab-ci.yml@refs/heads/main")


def test_provenance_findings(vectors: Path) -> None:
    good = _check(vectors, SIGSTORE, SIGSTORE + ".provenance")
    assert provenance_findings(good, ["https://github.com/sigstore/sigstore-python"]) == []
    mismatch = provenance_findings(good, ["https://github.com/someone/else"])
    assert [f.rule for f in mismatch] == ["provenance-repository-mismatch"]
    bad = _check(vectors, SIGSTORE, PYPI_ATT + ".provenance")
    (finding,) = provenance_findings(bad)
    assert finding.rule == "provenance-invalid"
    assert finding.weight >= 0.5


def test_online_falls_back_to_bundled_root_when_unreachable(vectors: Path) -> None:
    """Sockets are disabled in tests: the TUF refresh fails and the bundled root is used."""
    report = _check(
        vectors, SIGSTORE, SIGSTORE + ".provenance", "https://github.com/sigstore/sigstore-python"
    )
    assert report.verified
    verifier = SigstoreAttestationVerifier(online=True)
    online = verify_distribution(
        distribution_of(SIGSTORE, (vectors / SIGSTORE).read_bytes()),
        parse_document((vectors / (SIGSTORE + ".provenance")).read_bytes()),
        verifier,
    )
    assert online.verified
    assert any("could not refresh the Sigstore production trust root" in n for n in verifier.notes)


@pytest.mark.parametrize(
    "publisher",
    [
        {"kind": "GitLab", "repository": "sigstore/sigstore-python", "workflow_filepath": "x.yml"},
        {"kind": "Google", "email": "release@example.invalid"},
        {"kind": "CircleCI", "project_id": "p", "pipeline_definition_id": "d"},
        {"kind": "ActiveState", "organization": "o", "project": "p"},
        {"kind": "GitHub", "repository": "sigstore/other", "workflow": "release.yml"},
    ],
)
def test_a_provenance_claiming_another_publisher_fails(
    vectors: Path, publisher: dict[str, str]
) -> None:
    raw = json.loads((vectors / (SIGSTORE + ".provenance")).read_bytes())
    raw["attestation_bundles"][0]["publisher"] = publisher
    report = verify_distribution(
        distribution_of(SIGSTORE, (vectors / SIGSTORE).read_bytes()),
        parse_document(json.dumps(raw)),
        SigstoreAttestationVerifier(),
    )
    assert not report.verified
    assert "signature verification failed" in report.problems[0]


def test_verifier_with_repository_only_publishers(vectors: Path) -> None:
    from snakewarden.provenance.interfaces import AttestationInvalid
    from snakewarden.provenance.parse import AttestationDoc

    doc = parse_document(
        (vectors / "gitlab_oidc_project-0.0.3.tar.gz.publish.attestation").read_bytes()
    )
    assert isinstance(doc, AttestationDoc)
    dist = distribution_of(GITLAB, (vectors / GITLAB).read_bytes())
    verifier = SigstoreAttestationVerifier()
    ok = verifier.verify(
        doc, dist, Publisher(PublisherKind.GITLAB, repository="facutuesca/gitlab-oidc-project")
    )
    assert ok.identity.issuer == "https://gitlab.com"
    with pytest.raises(AttestationInvalid, match="signature verification failed"):
        verifier.verify(doc, dist, Publisher(PublisherKind.GITLAB, repository="other/project"))
    with pytest.raises(AttestationInvalid):
        verifier.verify(doc, dist, Publisher(PublisherKind.GITHUB, repository="o/r"))
