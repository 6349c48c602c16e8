from __future__ import annotations

import json

import httpx
import pytest

from snakewarden.errors import FetchError, UsageError
from snakewarden.provenance.fetch import HttpProvenanceClient, name_version_of
from snakewarden.provenance.model import ProvenanceUnavailable

PAGE = {
    "meta": {"api-version": "1.1"},
    "name": "demo",
    "files": [
        {
            "filename": "demo-1.0.tar.gz",
            "url": "../../files/demo-1.0.tar.gz",
            "hashes": {"sha256": "A" * 64},
            "provenance": "https://idx.example.invalid/integrity/demo/1.0/demo-1.0.tar.gz/provenance",
        },
        {
            "filename": "demo-1.0-py3-none-any.whl",
            "url": "https://files.example.invalid/demo-1.0-py3-none-any.whl",
            "hashes": {},
            "yanked": "broken",
        },
        {"filename": 3},
        "junk",
    ],
}


def _handler(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/simple/demo/":
        assert "application/vnd.pypi.simple.v1+json" in request.headers["accept"]
        return httpx.Response(200, json=PAGE)
    if path == "/simple/big/":
        return httpx.Response(200, content=b"{" + b" " * 5000 + b"}")
    if path == "/simple/html/":
        return httpx.Response(200, text="<html></html>")
    if path == "/integrity/demo/1.0/demo-1.0.tar.gz/provenance":
        return httpx.Response(200, json={"version": 1, "attestation_bundles": []})
    if path == "/simple/down/":
        raise httpx.ConnectError("refused", request=request)
    return httpx.Response(404)


def _client(**kw: object) -> HttpProvenanceClient:
    return HttpProvenanceClient(
        "https://idx.example.invalid/simple",
        transport=httpx.MockTransport(_handler),
        **kw,  # type: ignore[arg-type]
    )


def test_project_files() -> None:
    with _client() as client:
        files = client.project_files("Demo")
    assert [f.filename for f in files] == ["demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"]
    sdist, wheel = files
    assert sdist.url == "https://idx.example.invalid/files/demo-1.0.tar.gz"
    assert sdist.sha256 == "a" * 64
    assert sdist.provenance_url.endswith("/integrity/demo/1.0/demo-1.0.tar.gz/provenance")
    assert wheel.yanked
    assert wheel.sha256 == ""


def test_fetch_by_provenance_url_and_integrity_fallback() -> None:
    with _client() as client:
        body = client.fetch("demo", "1.0", "demo-1.0.tar.gz")
        assert json.loads(body)["version"] == 1
        with pytest.raises(ProvenanceUnavailable, match="no provenance available") as info:
            client.fetch("demo", "1.0", "demo-1.0-py3-none-any.whl")
        assert info.value.url.endswith("/integrity/demo/1.0/demo-1.0-py3-none-any.whl/provenance")
        with pytest.raises(ProvenanceUnavailable):
            client.fetch("absent", "1.0", "absent-1.0.tar.gz")


def test_errors_are_fetch_errors() -> None:
    with _client(max_page_bytes=1000) as client:
        with pytest.raises(FetchError, match="larger than 1000"):
            client.project_files("big")
        with pytest.raises(FetchError, match="not a PEP 691 JSON page"):
            client.project_files("html")
        with pytest.raises(FetchError, match="no such project"):
            client.project_files("absent")
        with pytest.raises(FetchError, match="cannot reach"):
            client.project_files("down")


def test_bad_index_url_and_names() -> None:
    with pytest.raises(UsageError):
        HttpProvenanceClient("file:///etc")
    assert name_version_of("Foo_Bar-1.0-py3-none-any.whl") == ("foo-bar", "1.0")
    assert name_version_of("foo-2.0.tar.gz") == ("foo", "2.0")
    with pytest.raises(UsageError):
        name_version_of("nonsense.exe")


def test_release_snapshot_from_real_provenance(shared_data, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    from snakewarden.provenance.fetch import InMemoryProvenanceClient, fetch_release_snapshot
    from snakewarden.provenance.model import IndexFile, PublisherKind
    from snakewarden.provenance.verify import SigstoreAttestationVerifier

    vectors = shared_data / "provenance"
    if not vectors.is_dir():
        pytest.skip("no vectors")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    name = "sigstore-3.6.1.tar.gz"
    sha = hashlib.sha256((vectors / name).read_bytes()).hexdigest()
    files = [IndexFile(name, "u", sha), IndexFile("sigstore-3.6.1-py3-none-any.whl", "u", "f" * 64)]
    client = InMemoryProvenanceClient({name: (vectors / f"{name}.provenance").read_bytes()})
    verifier = SigstoreAttestationVerifier()
    snap = fetch_release_snapshot(client, verifier, "sigstore", "3.6.1", files)
    assert snap.attested
    assert snap.publisher is not None
    assert snap.publisher.kind is PublisherKind.GITHUB
    none = fetch_release_snapshot(InMemoryProvenanceClient(), verifier, "sigstore", "3.6.1", files)
    assert not none.attested
    wrong = InMemoryProvenanceClient(
        {name: (vectors / "pypi_attestations-0.0.19.tar.gz.provenance").read_bytes()}
    )
    assert not fetch_release_snapshot(wrong, verifier, "sigstore", "3.6.1", files).attested
    garbage = InMemoryProvenanceClient({name: b"{"})
    assert not fetch_release_snapshot(garbage, verifier, "sigstore", "3.6.1", files).attested
