from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import httpx
import pytest
from osv_factory import osv

from snakewarden.advisories.online import PypiVulnerabilityClient
from snakewarden.advisories.sources import update_source
from snakewarden.advisories.store import SqliteAdvisoryStore
from snakewarden.errors import OsvError

ITEM = {
    "id": "PYSEC-7",
    "aliases": ["CVE-7"],
    "details": "details",
    "summary": None,
    "fixed_in": ["1.5", "2.1"],
    "link": "https://example.invalid/PYSEC-7",
    "source": "osv",
    "withdrawn": None,
}


def _client(handler: object) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


def test_per_release_document() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/pypi/demo/1.0/json"
        return httpx.Response(200, json={"info": {"version": "1.0"}, "vulnerabilities": [ITEM]})

    (adv,) = PypiVulnerabilityClient(
        _client(handler), "https://index.invalid/pypi"
    ).vulnerabilities("demo", "1.0")
    assert adv.id == "PYSEC-7"
    assert adv.aliases == ("CVE-7",)
    from packaging.utils import canonicalize_name

    from snakewarden.advisories.matching import affects, smallest_fix

    assert affects(adv, canonicalize_name("demo"), "1.0")
    assert str(smallest_fix([adv], canonicalize_name("demo"), "1.0")) == "1.5"


def test_falls_back_to_project_document_for_the_latest_release_only() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/json") and request.url.path.count("/") == 4:
            return httpx.Response(404)
        return httpx.Response(200, json={"info": {"version": "2.0"}, "vulnerabilities": []})

    client = PypiVulnerabilityClient(_client(handler), "https://index.invalid/pypi")
    assert client.vulnerabilities("demo", "2.0") == []
    with pytest.raises(OsvError, match="only the latest"):
        client.vulnerabilities("demo", "1.0")


@pytest.mark.parametrize(
    ("response", "match"),
    [
        (httpx.Response(500), "HTTP 500"),
        (httpx.Response(200, content=b"<html>"), "unreadable JSON"),
        (httpx.Response(200, json={"vulnerabilities": "x"}), "not a list"),
        (httpx.Response(200, json={"vulnerabilities": [{"no": "id"}]}), "no id"),
    ],
)
def test_online_failures_are_errors(response: httpx.Response, match: str) -> None:
    client = PypiVulnerabilityClient(_client(lambda _r: response), "https://index.invalid/pypi")
    with pytest.raises(OsvError, match=match):
        client.vulnerabilities("demo", "1.0")


def test_unreachable_network_is_a_clear_error(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route", request=request)

    store = SqliteAdvisoryStore(tmp_path / "db")
    with pytest.raises(OsvError, match="cannot download") as info:
        update_source(store, "osv", client=_client(handler), workdir=tmp_path)
    assert "db import" in info.value.hint
    assert list(tmp_path.glob(".download-*")) == []  # no temporary file left behind
    with pytest.raises(OsvError, match="unknown advisory source"):
        update_source(store, "nope", client=_client(handler), workdir=tmp_path)


def test_update_downloads_and_replaces_the_source(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("PYSEC-1.json", json.dumps(osv("PYSEC-1", versions=["1.0"])))
        zf.writestr("MAL-2.json", json.dumps(osv("MAL-2", name="evil", versions=["0.1"])))

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "mirror.invalid"
        return httpx.Response(200, content=buf.getvalue())

    store = SqliteAdvisoryStore(tmp_path / "db")
    stats = update_source(
        store,
        "osv",
        client=_client(handler),
        workdir=tmp_path,
        url="https://mirror.invalid/all.zip",
    )
    assert (stats.seen, stats.written) == (2, 2)
    assert store.status().malicious == 1
    assert store.status().sources[0].location == "https://mirror.invalid/all.zip"


def test_update_from_a_local_checkout(tmp_path: Path) -> None:
    folder = tmp_path / "advisory-database" / "vulns" / "demo"
    folder.mkdir(parents=True)
    (folder / "PYSEC-3.yaml").write_text(
        "id: PYSEC-3\nmodified: '2024-01-01T00:00:00Z'\naffected:\n"
        "- package: {ecosystem: PyPI, name: demo}\n  versions: ['1.0']\n"
    )
    store = SqliteAdvisoryStore(tmp_path / "db")
    stats = update_source(
        store, "pypa", client=_client(lambda r: httpx.Response(500)), workdir=tmp_path,
        path=tmp_path / "advisory-database",
    )  # fmt: skip
    assert stats.written == 1
    assert store.get("PYSEC-3") is not None


def _osv_handler(records: list[dict[str, object]]) -> object:
    """An httpx handler answering /v1/query with the OSV service's own matching."""
    from snakewarden.advisories.parse import parse_advisory
    from snakewarden.advisories.service import _match, _parse_query
    from snakewarden.advisories.store import InMemoryAdvisoryStore

    store = InMemoryAdvisoryStore(parse_advisory(r) for r in records)

    def handler(request: httpx.Request) -> httpx.Response:
        (found,) = _match(store, [_parse_query(json.loads(request.content))])
        return httpx.Response(
            200, json={"vulns": [json.loads(a.raw) for a in found]} if found else {}
        )

    return handler


def test_osv_query_client_against_the_service_matching() -> None:
    from snakewarden.advisories.online import OsvQueryClient

    records = [osv("PYSEC-1", events=[{"introduced": "0"}, {"fixed": "1.0"}])]
    client = OsvQueryClient(_client(_osv_handler(records)), "http://osv.invalid/v1/query")
    assert [a.id for a in client.vulnerabilities("Demo", "0.5")] == ["PYSEC-1"]
    assert client.vulnerabilities("demo", "1.0") == []


def test_osv_query_client_pages_and_fails_loudly() -> None:
    from snakewarden.advisories.online import OsvQueryClient

    pages = iter(
        [
            {"vulns": [osv("A-1", versions=["1"])], "next_page_token": "t"},
            {"vulns": [osv("A-2", versions=["1"])]},
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=next(pages))

    got = OsvQueryClient(_client(handler), "http://osv.invalid/v1/query").vulnerabilities("d", "1")
    assert [a.id for a in got] == ["A-1", "A-2"]
    for response, match in [
        (httpx.Response(503), "HTTP 503"),
        (httpx.Response(200, content=b"nope"), "unreadable"),
        (httpx.Response(200, json={"vulns": {}}), "not a list"),
    ]:
        bad = OsvQueryClient(_client(lambda _r, r=response: r), "http://osv.invalid/v1/query")
        with pytest.raises(OsvError, match=match):
            bad.vulnerabilities("d", "1")
