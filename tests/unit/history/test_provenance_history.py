"""`scan --history` compares PEP 740 attestations with the earlier releases' (real vectors)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from snakewarden.adapters.release_history import provenance_history

VECTORS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "provenance"
INDEX = "http://index.test/simple/"


def _transport() -> httpx.MockTransport:
    dist = VECTORS / "sigstore-3.6.1.tar.gz"
    provenance = (VECTORS / "sigstore-3.6.1.tar.gz.provenance").read_bytes()
    files = [
        {
            "filename": "sigstore-3.6.1.tar.gz",
            "url": "/files/sigstore-3.6.1.tar.gz",
            "hashes": {"sha256": hashlib.sha256(dist.read_bytes()).hexdigest()},
            "provenance": "/prov/sigstore-3.6.1.tar.gz",
        },
        {
            "filename": "sigstore-3.7.0.tar.gz",
            "url": "/files/sigstore-3.7.0.tar.gz",
            "hashes": {"sha256": "0" * 64},
        },
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/simple/sigstore/":
            page = {"meta": {"api-version": "1.1"}, "name": "sigstore", "files": files}
            return httpx.Response(200, json=page)
        if request.url.path == "/prov/sigstore-3.6.1.tar.gz":
            return httpx.Response(200, content=provenance)
        return httpx.Response(404)

    return httpx.MockTransport(handler)


@pytest.fixture(autouse=True)
def _vectors() -> None:
    if not (VECTORS / "sigstore-3.6.1.tar.gz.provenance").is_file():
        pytest.skip("../shared/data/provenance is not beside the repository")


def test_a_release_without_the_attestation_its_predecessor_had_is_a_finding() -> None:
    findings = provenance_history(INDEX, "sigstore", ["3.6.1"], "3.7.0", transport=_transport())
    assert [f.rule for f in findings] == ["provenance-missing"]
    assert findings[0].weight > 0


def test_an_attested_release_after_an_attested_one_is_quiet() -> None:
    assert provenance_history(INDEX, "sigstore", [], "3.6.1", transport=_transport()) == []


def test_an_unreachable_index_is_a_note_not_a_failure() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    findings = provenance_history(
        INDEX, "sigstore", ["3.6.1"], "3.7.0", transport=httpx.MockTransport(down)
    )
    assert [f.weight for f in findings] == [0.0]
    assert "provenance not compared" in findings[0].message
