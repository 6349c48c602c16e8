"""The HTTP API in process: repository endpoints, the account API, admin endpoints."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import jsonschema  # type: ignore[import-untyped]
import pytest

from index.conftest import PASSWORD, OffsetClock, Publisher, fresh_code, make_publisher
from index.packages import build_wheel, upload_fields, wheel_filename
from snakewarden.core.events import EventTag
from snakewarden.core.models import Verdict
from snakewarden.index.app import create_app
from snakewarden.index.events import read_events
from snakewarden.index.security import totp_now
from snakewarden.index.server import BackgroundServer
from snakewarden.index.web import IndexServices

#: the PEP 691 project-detail shape (with PEP 700 fields)
PROJECT_SCHEMA = {
    "type": "object",
    "required": ["meta", "name", "files", "versions"],
    "properties": {
        "meta": {"type": "object", "required": ["api-version"]},
        "name": {"type": "string"},
        "versions": {"type": "array", "items": {"type": "string"}},
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["filename", "url", "hashes", "size", "upload-time"],
                "properties": {
                    "hashes": {"type": "object"},
                    "yanked": {"type": ["boolean", "string"]},
                    "core-metadata": {"type": ["boolean", "object"]},
                    "size": {"type": "integer"},
                },
            },
        },
    },
}


@pytest.fixture
def client(services: IndexServices) -> Iterator[httpx.Client]:
    with (
        BackgroundServer(create_app(services)) as srv,
        httpx.Client(base_url=srv.url, timeout=30) as c,
    ):
        yield c


def publish(
    client: httpx.Client, services: IndexServices, token: str, name: str, version: str = "1.0"
) -> str:
    data = build_wheel(name, version)
    filename = wheel_filename(name, version)
    r = client.post(
        "/legacy/",
        data=upload_fields(name, version, filename, data),
        files={"content": (filename, data)},
        auth=("__token__", token),
    )
    assert r.status_code == 200, r.text
    for _ in range(600):
        if services.review.file_state(filename) != "pending":
            break
        time.sleep(0.02)
    return filename


def login(
    client: httpx.Client, services: IndexServices, clock: OffsetClock, p: Publisher
) -> dict[str, str]:
    r = client.post(
        "/api/login",
        json={
            "username": p.username,
            "password": PASSWORD,
            "otp": fresh_code(services, clock, p.secret),
        },
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['session']}"}


def test_repository_endpoints(
    client: httpx.Client, services: IndexServices, publisher: Publisher
) -> None:
    filename = publish(client, services, publisher.token, "swapi-demo")
    assert client.get("/simple/SwApi_Demo/", follow_redirects=False).status_code == 301
    assert (
        client.get("/simple/swapi-demo", follow_redirects=False).headers["location"]
        == "/simple/swapi-demo/"
    )
    r = client.get("/simple/swapi-demo/", headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    assert r.headers["content-type"] == "application/vnd.pypi.simple.v1+json"
    assert r.headers["vary"] == "Accept"
    jsonschema.validate(r.json(), PROJECT_SCHEMA)
    meta_hash = r.json()["files"][0]["core-metadata"]["sha256"]
    assert (
        client.get("/simple/swapi-demo/?format=application/vnd.pypi.simple.v1+html")
        .headers["content-type"]
        .startswith("application/vnd.pypi.simple.v1+html")
    )
    assert (
        client.get("/simple/swapi-demo/", headers={"Accept": "application/xml"}).status_code == 406
    )
    index = client.get("/simple/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}).json()
    assert {"name": "swapi-demo"} in index["projects"]
    metadata = client.get(f"/packages/{filename}.metadata")
    import hashlib

    assert hashlib.sha256(metadata.content).hexdigest() == meta_hash
    wheel = client.get(f"/packages/{filename}")
    assert wheel.headers["content-length"] == str(len(wheel.content))
    downloads = [e for e in read_events(services.db) if e.tag is EventTag.FILE_DOWNLOADED]
    assert [(e.project, e.version, e.filename) for e in downloads] == [
        ("swapi-demo", "1.0", filename)
    ]
    assert hashlib.sha256(wheel.content).hexdigest() == r.json()["files"][0]["hashes"]["sha256"]
    assert client.get("/packages/nope-1.0.tar.gz").status_code == 404
    assert client.get("/simple/nope/").status_code == 404
    assert client.get("/pypi/swapi-demo/1.0/json").json()["info"]["version"] == "1.0"
    assert client.get("/pypi/swapi-demo/9.9/json").status_code == 404


def test_account_api_flow(
    client: httpx.Client, services: IndexServices, clock: OffsetClock
) -> None:
    admin = make_publisher(services, clock, "root", admin=True)
    headers = login(client, services, clock, admin)
    # admins create users (registration is closed by default)
    assert (
        client.post(
            "/api/users", json={"username": "x", "email": "x@example.invalid", "password": PASSWORD}
        ).status_code
        == 401
    )
    r = client.post(
        "/api/users",
        json={"username": "newbie", "email": "n@example.invalid", "password": PASSWORD},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    # the new user logs in without 2FA: enough to set 2FA up, not to create tokens
    r = client.post("/api/login", json={"username": "newbie", "password": PASSWORD})
    assert r.json()["two_factor"] is False
    weak = {"Authorization": f"Bearer {r.json()['session']}"}
    assert client.post("/api/tokens", json={}, headers=weak).status_code == 403
    secret = client.post("/api/2fa/begin", headers=weak).json()["secret"]
    clock.advance(__import__("datetime").timedelta(seconds=31))
    r = client.post(
        "/api/2fa/confirm", json={"code": totp_now(secret, services.clock.now())}, headers=weak
    )
    assert len(r.json()["recovery_codes"]) == 8
    newbie = Publisher("newbie", secret, tuple(r.json()["recovery_codes"]), "")
    strong = login(client, services, clock, newbie)
    r = client.post(
        "/api/tokens", json={"projects": ["swapi-new"], "expires_days": 30}, headers=strong
    )
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    assert r.json()["projects"] == ["swapi-new"]
    publish(client, services, token, "swapi-new")
    listing = client.get("/api/tokens", headers=strong).json()
    assert listing[0]["last_used_at"] is not None
    assert "token" not in listing[0]
    assert client.delete(f"/api/tokens/{listing[0]['id']}", headers=strong).status_code == 200
    # yank
    r = client.post(
        "/api/projects/swapi-new/releases/1.0/yank", json={"reason": "broken"}, headers=strong
    )
    assert r.status_code == 200, r.text
    doc = client.get(
        "/simple/swapi-new/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    ).json()
    assert doc["files"][0]["yanked"] == "broken"
    # bad bodies
    assert client.post("/api/login", content=b"[1]").status_code == 400
    assert client.post("/api/login", content=b"{").status_code == 400


def test_admin_queue_actions_and_events(
    client: httpx.Client, services: IndexServices, clock: OffsetClock, publisher: Publisher
) -> None:
    services.workers.scanner.verdicts = {"swapi_held": Verdict.SUSPICIOUS}  # type: ignore[union-attr]
    held = publish(client, services, publisher.token, "swapi-held")
    assert client.get("/admin/queue").status_code == 401
    assert (
        client.get("/admin/queue", headers=login(client, services, clock, publisher)).status_code
        == 403
    )
    admin = make_publisher(services, clock, "root", admin=True)
    headers = login(client, services, clock, admin)
    queue = client.get("/admin/queue", headers=headers).json()
    assert [i["filename"] for i in queue] == [held]
    assert client.get("/simple/swapi-held/").status_code == 404
    r = client.post(
        f"/admin/files/{held}/approve", json={"reason": "false positive"}, headers=headers
    )
    assert r.json()["state"] == "published"
    assert client.get("/simple/swapi-held/").status_code == 200
    assert client.post(f"/admin/files/{held}/explode", headers=headers).status_code == 404
    r = client.post(f"/admin/files/{held}/delete", headers=headers)
    assert r.json()["state"] == "deleted"
    events = client.get("/admin/events?after=0&limit=5", headers=headers).json()
    assert len(events["events"]) == 5
    rest = client.get(f"/admin/events?after={events['last']}", headers=headers).json()
    ids = [e["id"] for e in events["events"] + rest["events"]]
    assert ids == sorted(ids)
    tags = {e["tag"] for e in rest["events"]}
    assert {"admin:review:action", "project:file:deleted", "account:session:login"} <= tags
    assert client.get("/health").json()["ok"] is True


def test_bodies_are_bounded_even_without_content_length(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 65536

    r = client.post("/api/login", content=chunks())
    assert r.status_code == 413
    assert "too large" in r.json()["error"]


def test_hostile_upload_requests_get_4xx_not_5xx(
    client: httpx.Client, publisher: Publisher
) -> None:
    auth = ("__token__", publisher.token)
    bodies = [
        (b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n' + b"\xff" * 100, "x"),
        (b"not multipart at all", "x"),
        (b"", "x"),
    ]
    for body, boundary in bodies:
        r = client.post(
            "/legacy/",
            content=body,
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
            auth=auth,
        )
        assert 400 <= r.status_code < 500, (body[:20], r.status_code, r.text)
    r = client.post("/legacy/", data={":action": "file_upload", "name": "x"}, auth=auth)
    assert r.status_code == 400
    assert "no file" in r.text
    r = client.post("/legacy/", headers={"authorization": "Basic !!!"})
    assert r.status_code == 400


def test_the_anomaly_alert_routes_are_mounted_for_admins(
    client: httpx.Client, services: IndexServices, clock: OffsetClock, publisher: Publisher
) -> None:
    assert client.get("/admin/alerts").status_code == 403
    user = login(client, services, clock, publisher)
    assert client.get("/admin/alerts", headers=user).status_code == 403
    admin = login(client, services, clock, make_publisher(services, clock, "warden", admin=True))
    assert client.get("/admin/alerts?state=all", headers=admin).json() == {"alerts": []}
    assert client.post("/admin/alerts/nope/ack", headers=admin).status_code == 404
