from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from starlette.requests import Request

from snakewarden.anomaly.alerts import Alert, SubjectKind, alert_id
from snakewarden.anomaly.http import alerts_app
from snakewarden.anomaly.store import InMemoryAlertStore
from snakewarden.anomaly.webhook import WebhookError, WebhookNotifier
from snakewarden.core.events import EventId
from snakewarden.core.models import Severity

ALERT = Alert(
    id=alert_id("d", SubjectKind.PROJECT, "p", "e1"),
    detector="d",
    severity=Severity.HIGH,
    subject_kind=SubjectKind.PROJECT,
    subject="p",
    title="something odd",
    evidence=(("why", "because"),),
    event_ids=(EventId("e1"),),
    time=datetime(2026, 3, 2, tzinfo=UTC),
    projects=("p",),
)


class Receiver:
    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.bodies: list[dict[str, Any]] = []


@pytest.fixture
def receiver() -> Iterator[tuple[str, Receiver]]:
    state = Receiver([])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            state.bodies.append(json.loads(self.rfile.read(length)))
            status = state.statuses.pop(0) if state.statuses else 204
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", state
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_posts_alert_json(receiver: tuple[str, Receiver]) -> None:
    url, state = receiver
    hook = WebhookNotifier(url, timeout=2)
    try:
        hook.notify([ALERT])
    finally:
        hook.close()
    assert state.bodies[0]["alert"]["id"] == ALERT.id
    assert state.bodies[0]["alert"]["explanation"] == "something odd; why: because"


def test_webhook_retries_server_errors(receiver: tuple[str, Receiver]) -> None:
    url, state = receiver
    state.statuses[:] = [500, 503]
    sleeps: list[float] = []
    hook = WebhookNotifier(url, retries=3, backoff=0.1, sleep=sleeps.append)
    try:
        hook.notify([ALERT])
    finally:
        hook.close()
    assert len(state.bodies) == 3
    assert sleeps == [0.1, 0.2]


def test_webhook_gives_up_on_client_error(receiver: tuple[str, Receiver]) -> None:
    url, state = receiver
    state.statuses[:] = [400]
    hook = WebhookNotifier(url, retries=3, sleep=lambda _: None)
    try:
        with pytest.raises(WebhookError, match="HTTP 400"):
            hook.notify([ALERT])
    finally:
        hook.close()
    assert len(state.bodies) == 1


def test_webhook_timeout_and_unreachable_are_errors() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = httpx.Client(transport=httpx.MockTransport(slow))
    hook = WebhookNotifier("https://hooks.example.invalid/x", retries=1, client=client,
                           sleep=lambda _: None)  # fmt: skip
    with pytest.raises(WebhookError, match="ReadTimeout"):
        hook.notify([ALERT])
    with pytest.raises(WebhookError, match="http"):
        WebhookNotifier("file:///etc/passwd")


async def _admin(request: Request) -> bool:
    return request.headers.get("x-admin") == "yes"


def test_http_endpoints_list_and_ack() -> None:
    asyncio.run(_http_endpoints())


async def _http_endpoints() -> None:
    store = InMemoryAlertStore()
    store.add([ALERT])
    transport = httpx.ASGITransport(app=alerts_app(store, _admin))
    async with httpx.AsyncClient(transport=transport, base_url="http://index.test") as client:
        assert (await client.get("/admin/alerts")).status_code == 403
        admin = {"x-admin": "yes"}
        listed = (await client.get("/admin/alerts", headers=admin)).json()["alerts"]
        assert [a["id"] for a in listed] == [ALERT.id]
        acked = await client.post(f"/admin/alerts/{ALERT.id}/ack", headers=admin)
        assert acked.status_code == 200
        assert acked.json()["alert"]["state"] == "acknowledged"
        assert (await client.get("/admin/alerts", headers=admin)).json()["alerts"] == []
        assert (await client.get("/admin/alerts?state=all", headers=admin)).json()["alerts"]
        closed = await client.post(f"/admin/alerts/{ALERT.id}/close", headers=admin)
        assert closed.json()["alert"]["state"] == "closed"
        assert (await client.post("/admin/alerts/al-nope/ack", headers=admin)).status_code == 404
        bad = await client.get("/admin/alerts?state=bogus", headers=admin)
        assert bad.status_code == 400
        assert (await client.get("/admin/alerts?limit=x", headers=admin)).status_code == 400
    deny = httpx.ASGITransport(app=alerts_app(store, lambda request: False))
    async with httpx.AsyncClient(transport=deny, base_url="http://index.test") as client:
        assert (await client.get("/admin/alerts")).status_code == 403
