from __future__ import annotations

import json
from pathlib import Path

import pytest

from snakewarden.provenance.model import (
    PUBLISH_V1,
    AttestationRejected,
    ProvenanceFormatError,
    Publisher,
    PublisherKind,
)
from snakewarden.provenance.parse import (
    AttestationDoc,
    ParseLimits,
    ProvenanceDoc,
    parse_attestation,
    parse_document,
    parse_provenance,
    parse_publisher,
    parse_upload_attestations,
)


def test_parses_real_provenance(vectors: Path) -> None:
    doc = parse_provenance((vectors / "sigstore-3.6.1.tar.gz.provenance").read_bytes())
    assert len(doc.bundles) == 1
    assert doc.attestation_count == 1
    bundle = doc.bundles[0]
    assert bundle.publisher == Publisher(
        PublisherKind.GITHUB, repository="sigstore/sigstore-python", workflow="release.yml"
    )
    att = bundle.attestations[0]
    assert att.predicate_type == PUBLISH_V1
    assert att.subject_name == "sigstore-3.6.1.tar.gz"
    assert len(att.subject_sha256) == 64


def test_document_kind_is_detected(vectors: Path) -> None:
    prov = parse_document((vectors / "pypi_attestations-0.0.19.tar.gz.provenance").read_bytes())
    bare = parse_document(
        (vectors / "gitlab_oidc_project-0.0.3.tar.gz.publish.attestation").read_bytes()
    )
    assert isinstance(prov, ProvenanceDoc)
    assert isinstance(bare, AttestationDoc)
    assert bare.subject_name == "gitlab_oidc_project-0.0.3.tar.gz"


def test_attestation_round_trips_through_json(vectors: Path) -> None:
    raw = (vectors / "rfc8785-0.1.2-py3-none-any.whl.publish.attestation").read_bytes()
    doc = parse_attestation(raw)
    again = parse_attestation(json.dumps(doc.to_json()))
    assert again.attestation == doc.attestation


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "neither a provenance object"),
        (b'{"version": 2, "attestation_bundles": []}', "unsupported provenance version"),
        (b'{"version": 1, "attestation_bundles": []}', "no attestation_bundles"),
        (b'{"version": 1, "attestation_bundles": [1]}', "must be a JSON object"),
        (
            b'{"version": 1, "attestation_bundles": [{"publisher": {"kind": "Bitbucket"}, '
            b'"attestations": [{}]}]}',
            "unknown publisher kind",
        ),
        (
            b'{"version": 1, "attestation_bundles": [{"publisher": {"kind": "GitHub", '
            b'"repository": "a/b", "workflow": "w.yml"}, "attestations": []}]}',
            "has no attestations",
        ),
        (b'{"envelope": {}, "version": 1}', "malformed attestation"),
        (b"[" * 5000 + b"]" * 5000, "not valid JSON"),
        (b'{"envelope": ' + b'{"a": ' * 40 + b"1" + b"}" * 40 + b"}", "nested deeper"),
    ],
)
def test_malformed_documents_are_clear_errors(data: bytes, fragment: str) -> None:
    with pytest.raises(ProvenanceFormatError, match=fragment):
        parse_document(data)


def test_size_bound() -> None:
    with pytest.raises(ProvenanceFormatError, match="over the limit"):
        parse_document(b" " * 2048, ParseLimits(max_document_bytes=1024))


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (
            {"kind": "GitHub", "repository": "o/r", "workflow": "w.yml", "environment": "pypi"},
            Publisher(PublisherKind.GITHUB, repository="o/r", workflow="w.yml", environment="pypi"),
        ),
        (
            {"kind": "GitLab", "repository": "g/s/p", "workflow_filepath": ".gitlab-ci.yml"},
            Publisher(PublisherKind.GITLAB, repository="g/s/p", workflow=".gitlab-ci.yml"),
        ),
        (
            {"kind": "Google", "email": "sa@proj.iam.gserviceaccount.com"},
            Publisher(PublisherKind.GOOGLE, email="sa@proj.iam.gserviceaccount.com"),
        ),
        (
            {"kind": "ActiveState", "organization": "org", "project": "proj"},
            Publisher(PublisherKind.ACTIVESTATE, repository="org/proj"),
        ),
        (
            {"kind": "CircleCI", "project_id": "p-1", "pipeline_definition_id": "d-2"},
            Publisher(PublisherKind.CIRCLECI, repository="p-1", workflow="d-2"),
        ),
    ],
)
def test_publisher_kinds_round_trip(obj: dict[str, str], expected: Publisher) -> None:
    publisher = parse_publisher(obj)
    assert publisher == expected
    assert parse_publisher(publisher.to_json()) == publisher


@pytest.mark.parametrize(
    "obj",
    [
        "GitHub",
        {"kind": "GitHub", "repository": "o/r"},
        {"kind": "GitHub", "repository": "", "workflow": "w"},
        {"kind": "GitHub", "repository": "o/r\n", "workflow": "w"},
        {"kind": "GitHub", "repository": "o/" + "r" * 600, "workflow": "w"},
        {"kind": "Google"},
    ],
)
def test_bad_publishers(obj: object) -> None:
    with pytest.raises(ProvenanceFormatError):
        parse_publisher(obj)


def _attestation_obj(vectors: Path) -> dict[str, object]:
    obj: dict[str, object] = json.loads(
        (vectors / "pypi_attestations-0.0.19.tar.gz.publish.attestation").read_bytes()
    )
    return obj


def test_upload_field_parses(vectors: Path) -> None:
    docs = parse_upload_attestations(json.dumps([_attestation_obj(vectors)]))
    assert [d.predicate_type for d in docs] == [PUBLISH_V1]


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda a: "nope", "not valid JSON"),
        (lambda a: json.dumps(a), "must be a JSON array"),
        (lambda a: "[]", "empty array"),
        (lambda a: json.dumps([a] * 9), "more than 8"),
        (lambda a: json.dumps([a, a]), "more than one attestation of type"),
        (lambda a: json.dumps([{"version": 1}]), "malformed attestation"),
    ],
)
def test_upload_field_rejections(vectors: Path, make: object, fragment: str) -> None:
    assert callable(make)
    with pytest.raises(AttestationRejected, match=fragment) as info:
        parse_upload_attestations(make(_attestation_obj(vectors)))
    assert fragment in info.value.reason


def test_upload_field_rejects_unknown_predicate(vectors: Path) -> None:
    import base64

    obj = _attestation_obj(vectors)
    envelope = obj["envelope"]
    assert isinstance(envelope, dict)
    statement = json.loads(base64.b64decode(envelope["statement"]))
    statement["predicateType"] = "https://example.invalid/predicate"
    envelope["statement"] = base64.b64encode(json.dumps(statement).encode()).decode()
    with pytest.raises(AttestationRejected, match="unknown attestation type"):
        parse_upload_attestations(json.dumps([obj]))
