from __future__ import annotations

import json
from pathlib import Path

import pytest

from snakewarden.errors import ProvenanceError
from snakewarden.provenance.check import distribution_of
from snakewarden.provenance.model import (
    AttestationRejected,
    ProvenanceUnavailable,
    Publisher,
    PublisherKind,
)
from snakewarden.provenance.service import (
    IndexProvenance,
    InMemoryProvenanceStore,
    LocalProvenanceStore,
    integrity_path,
)

DIST = "pypi_attestations-0.0.19.tar.gz"


def _field(vectors: Path) -> str:
    return "[" + (vectors / f"{DIST}.publish.attestation").read_text() + "]"


def test_accept_save_serve_annotate(vectors: Path, tmp_path: Path) -> None:
    service = IndexProvenance.local(tmp_path / "prov")
    dist = distribution_of(DIST, (vectors / DIST).read_bytes())
    assert service.accept_upload([], DIST, dist.sha256) is None
    assert service.accept_upload([" "], DIST, dist.sha256) is None
    accepted = service.accept_upload([_field(vectors)], DIST, dist.sha256)
    assert accepted is not None
    service.save(DIST, accepted)
    assert (tmp_path / "prov" / f"{DIST}.provenance.json").is_file()
    assert service.publisher(DIST) == Publisher(
        PublisherKind.GITHUB, repository="trailofbits/pypi-attestations", workflow="release.yml"
    )
    body = service.serve("pypi-attestations", "0.0.19", DIST, lambda f: True)
    assert json.loads(body)["version"] == 1
    doc = {
        "name": "pypi-attestations",
        "files": [{"filename": DIST}, {"filename": "pypi_attestations-0.0.18.tar.gz"}, "junk"],
    }
    service.annotate_project_json(doc)
    assert doc["files"][0]["provenance"] == (  # type: ignore[index]
        "/integrity/pypi-attestations/0.0.19/pypi_attestations-0.0.19.tar.gz/provenance"
    )
    assert "provenance" not in doc["files"][1]  # type: ignore[operator]


def test_serve_refusals(tmp_path: Path) -> None:
    service = IndexProvenance(InMemoryProvenanceStore())
    service.store.put("demo-1.0.tar.gz", b"{}")
    with pytest.raises(ProvenanceUnavailable, match="not a file of"):
        service.serve("other", "1.0", "demo-1.0.tar.gz", lambda f: True)
    with pytest.raises(ProvenanceUnavailable, match="not a file of"):
        service.serve("demo", "2.0", "demo-1.0.tar.gz", lambda f: True)
    with pytest.raises(ProvenanceUnavailable, match="is served here"):
        service.serve("demo", "1.0", "demo-1.0.tar.gz", lambda f: False)
    with pytest.raises(ProvenanceUnavailable, match="without attestations"):
        service.serve("demo", "1.1", "demo-1.1.tar.gz", lambda f: True)
    assert service.serve("Demo", "1.0.0", "demo-1.0.tar.gz", lambda f: True) == b"{}"


def test_rejections(vectors: Path) -> None:
    service = IndexProvenance(InMemoryProvenanceStore())
    dist = distribution_of(DIST, (vectors / DIST).read_bytes())
    with pytest.raises(AttestationRejected, match="more than once"):
        service.accept_upload([_field(vectors), _field(vectors)], DIST, dist.sha256)
    with pytest.raises(AttestationRejected, match="does not match the attested digest"):
        service.accept_upload([_field(vectors)], DIST, "0" * 64)


@pytest.mark.parametrize("bad", ["../x-1.0.tar.gz", "x/../../y", ".hidden", "", "a" * 400])
def test_store_refuses_paths(tmp_path: Path, bad: str) -> None:
    store = LocalProvenanceStore(tmp_path)
    with pytest.raises(ProvenanceError):
        store.put(bad, b"{}")
    with pytest.raises(ProvenanceError):
        InMemoryProvenanceStore().put(bad, b"{}")


def test_integrity_path_quotes() -> None:
    assert integrity_path("Foo_Bar", "1.0", "foo_bar-1.0.tar.gz") == (
        "/integrity/foo-bar/1.0/foo_bar-1.0.tar.gz/provenance"
    )
    assert integrity_path("x", "1.0+a", "x-1.0+a.tar.gz").endswith(
        "/1.0%2Ba/x-1.0%2Ba.tar.gz/provenance"
    )
