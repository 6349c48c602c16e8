from __future__ import annotations

import json

import httpx
import pytest
from osv_factory import osv
from starlette.types import ASGIApp

from snakewarden.advisories.parse import parse_advisory
from snakewarden.advisories.service import create_osv_app
from snakewarden.advisories.store import InMemoryAdvisoryStore

RECORDS = [
    osv("PYSEC-1", events=[{"introduced": "0"}, {"fixed": "1.0"}], aliases=["CVE-1"]),
    osv("PYSEC-2", events=[{"introduced": "0.5"}, {"fixed": "2.0"}]),
    osv("PYSEC-3", events=[{"introduced": "0"}], withdrawn="2024-01-02T00:00:00Z"),
    osv("MAL-1", name="evil-pkg", events=[{"introduced": "0"}]),
]


class Client:
    """A synchronous face over httpx.AsyncClient + ASGITransport (no sockets)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        import anyio

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://osv.test") as c:
                resp = await c.request(method, url, **kwargs)  # type: ignore[arg-type]
                await resp.aread()
                return resp

        return anyio.run(go)

    def post(self, url: str, **kwargs: object) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def get(self, url: str) -> httpx.Response:
        return self.request("GET", url)


@pytest.fixture
def client() -> Client:
    store = InMemoryAdvisoryStore(parse_advisory(r) for r in RECORDS)
    return Client(create_osv_app(store))


def test_query_returns_full_records_as_imported(client: Client) -> None:
    resp = client.post(
        "/v1/query", json={"package": {"name": "Demo", "ecosystem": "PyPI"}, "version": "0.7"}
    )
    assert resp.status_code == 200
    vulns = resp.json()["vulns"]
    assert [v["id"] for v in vulns] == ["PYSEC-1", "PYSEC-2"]
    assert vulns[0] == RECORDS[0]  # byte-for-byte the imported record


def test_query_without_match_is_an_empty_object(client: Client) -> None:
    resp = client.post(
        "/v1/query", json={"package": {"name": "demo", "ecosystem": "PyPI"}, "version": "5.0"}
    )
    assert resp.json() == {}


def test_query_by_purl_and_without_version(client: Client) -> None:
    resp = client.post("/v1/query", json={"package": {"purl": "pkg:pypi/evil-pkg@1.0"}})
    assert [v["id"] for v in resp.json()["vulns"]] == ["MAL-1"]
    resp = client.post("/v1/query", json={"package": {"name": "demo", "ecosystem": "PyPI"}})
    assert [v["id"] for v in resp.json()["vulns"]] == ["PYSEC-1", "PYSEC-2"]  # not withdrawn


def test_querybatch_returns_ids_in_query_order(client: Client) -> None:
    resp = client.post(
        "/v1/querybatch",
        json={
            "queries": [
                {"package": {"name": "demo", "ecosystem": "PyPI"}, "version": "1.5"},
                {"package": {"name": "clean", "ecosystem": "PyPI"}, "version": "1.0"},
                {"package": {"purl": "pkg:pypi/evil-pkg"}, "version": "0.1"},
            ]
        },
    )
    assert resp.json() == {
        "results": [
            {"vulns": [{"id": "PYSEC-2", "modified": "2024-01-01T00:00:00Z"}]},
            {},
            {"vulns": [{"id": "MAL-1", "modified": "2024-01-01T00:00:00Z"}]},
        ]
    }


def test_get_vuln(client: Client) -> None:
    assert client.get("/v1/vulns/PYSEC-2").json()["id"] == "PYSEC-2"
    resp = client.get("/v1/vulns/NOPE-1")
    assert resp.status_code == 404
    assert resp.json()["code"] == 5


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        json.dumps({"version": "1.0"}).encode(),
        json.dumps({"package": {"name": "demo"}}).encode(),
        json.dumps({"package": {"purl": "nonsense"}}).encode(),
        json.dumps({"commit": "abc"}).encode(),
        json.dumps([1, 2]).encode(),
    ],
)
def test_bad_queries_are_400(client: Client, body: bytes) -> None:
    resp = client.post("/v1/query", content=body)
    assert resp.status_code == 400
    assert resp.json()["code"] == 3


def test_batch_and_body_bounds(client: Client) -> None:
    q = {"package": {"name": "demo", "ecosystem": "PyPI"}, "version": "1"}
    assert client.post("/v1/querybatch", json={"queries": [q] * 1001}).status_code == 400
    assert client.post("/v1/querybatch", json={"queries": "x"}).status_code == 400
    assert client.post("/v1/query", content=b" " * (5 * 1024 * 1024)).status_code == 400


def test_app_mounts_under_a_prefix() -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    store = InMemoryAdvisoryStore(parse_advisory(r) for r in RECORDS)
    outer = Starlette(routes=[Mount("/osv", app=create_osv_app(store))])
    resp = Client(outer).get("/osv/v1/vulns/PYSEC-1")
    assert resp.status_code == 200


def test_sqlite_store_behind_the_app(tmp_path: object) -> None:
    from pathlib import Path

    from snakewarden.advisories.store import SqliteAdvisoryStore

    store = SqliteAdvisoryStore(Path(str(tmp_path)) / "db")
    store.import_advisories([parse_advisory(r) for r in RECORDS], source="t", location="x")
    resp = Client(create_osv_app(store)).post(
        "/v1/query", json={"package": {"purl": "pkg:pypi/demo@0.1"}}
    )
    assert [v["id"] for v in resp.json()["vulns"]] == ["PYSEC-1"]
