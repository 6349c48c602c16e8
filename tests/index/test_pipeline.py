"""The scan pipeline: durable jobs, leases, idempotent verdicts, policy, gates, the event log."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from index.conftest import FakeScanner, OffsetClock, Publisher, make_publisher
from index.packages import build_sdist, build_wheel, upload_fields, wheel_filename
from snakewarden.core.events import EventTag
from snakewarden.core.models import ScanResult, Verdict
from snakewarden.index.errors import BadRequest, Forbidden
from snakewarden.index.events import RequestMeta, read_events
from snakewarden.index.pipeline import ScanWorkers
from snakewarden.index.policy import Action, Decision, UploadContext
from snakewarden.index.review import ReviewAction
from snakewarden.index.uploads import UploadReceipt
from snakewarden.index.validation import parse_upload
from snakewarden.index.web import IndexServices

META = RequestMeta(ip="192.0.2.7", user_agent="twine/6 test")


def upload(
    services: IndexServices, token: str, name: str, version: str = "1.0", code: str = "VALUE = 1\n"
) -> UploadReceipt:
    data = build_wheel(name, version, code=code)
    filename = wheel_filename(name, version)
    fields = {k: [v] for k, v in upload_fields(name, version, filename, data).items()}
    form = parse_upload(fields, filename, data, max_size=10_000_000)
    principal = services.accounts.authenticate_upload("__token__", token, META)
    return services.uploads.accept(principal, form, data, META)


def drain(services: IndexServices) -> None:
    assert services.workers is not None
    while services.workers.run_once("test-worker"):
        pass


def test_a_worker_killed_mid_scan_loses_no_job(
    services: IndexServices, publisher: Publisher, clock: OffsetClock
) -> None:
    receipt = upload(services, publisher.token, "swjob-a")
    dead = services.queue.claim("dead-worker")  # claimed, then the worker dies: no completion
    assert dead is not None
    assert dead.filename == receipt.filename
    assert services.queue.claim("other") is None  # the lease still holds
    assert services.review.file_state(receipt.filename) == "pending"
    clock.advance(timedelta(seconds=31))  # the lease (30 s) runs out
    drain(services)
    assert services.review.file_state(receipt.filename) == "published"
    # the dead worker wakes up and completes with another verdict: nothing changes
    late = ScanResult(target=receipt.filename, verdict=Verdict.MALICIOUS, score=1.0)
    assert services.queue.complete(dead.id, late) is None
    assert services.review.file_state(receipt.filename) == "published"
    verdicts = [e for e in read_events(services.db) if e.tag is EventTag.SCAN_VERDICT]
    assert len(verdicts) == 1


def test_a_heartbeat_keeps_a_long_scan_claimed(
    services: IndexServices, publisher: Publisher, clock: OffsetClock
) -> None:
    upload(services, publisher.token, "swjob-b")
    job = services.queue.claim("slow")
    assert job is not None
    clock.advance(timedelta(seconds=20))
    assert services.queue.heartbeat(job)
    clock.advance(timedelta(seconds=20))  # 40 s after the claim, 20 s after the beat
    assert services.queue.claim("other") is None


def test_a_restart_resumes_pending_jobs(
    services: IndexServices, publisher: Publisher, scanner: FakeScanner
) -> None:
    receipts = [upload(services, publisher.token, f"swjob-r{i}") for i in range(3)]
    # "restart": a fresh worker pool over the same database and store
    pool = ScanWorkers(services.queue, services.store, scanner, workers=2, poll_seconds=0.05)
    pool.start()
    try:
        for r in receipts:
            for _ in range(400):
                if services.review.file_state(r.filename) != "pending":
                    break
                pool.notify()
                time.sleep(0.025)
        assert {services.review.file_state(r.filename) for r in receipts} == {"published"}
    finally:
        pool.stop()
    assert services.queue.counts() == {"done": 3}


def test_scanner_crashes_are_retried_then_held(
    services: IndexServices, publisher: Publisher, scanner: FakeScanner
) -> None:
    receipt = upload(services, publisher.token, "swjob-crash")

    def boom(data: bytes, filename: str) -> ScanResult:
        raise RuntimeError("scanner bug")

    scanner.scan = boom  # type: ignore[method-assign]
    drain(services)
    assert services.review.file_state(receipt.filename) == "held"
    assert services.queue.counts() == {"failed": 1}
    item = services.review.queue()[0]
    assert "scanner bug" in item.reason


def test_policy_suspicious_held_malicious_quarantined_and_token_revoked(
    services: IndexServices, publisher: Publisher, scanner: FakeScanner
) -> None:
    scanner.verdicts = {"swsus": Verdict.SUSPICIOUS, "swmal": Verdict.MALICIOUS}
    held = upload(services, publisher.token, "swsus")
    drain(services)
    assert services.review.file_state(held.filename) == "held"
    assert services.local.project("swsus") is not None
    assert services.local.project("swsus").files == ()  # type: ignore[union-attr]
    assert "swsus" not in services.local.project_names()

    bad = upload(services, publisher.token, "swmal")
    drain(services)
    assert services.review.file_state(bad.filename) == "quarantined"
    with pytest.raises(Forbidden, match="revoked"):
        upload(services, publisher.token, "swsus", version="2.0")
    tags = [e.tag for e in read_events(services.db)]
    assert EventTag.TOKEN_REVOKED in tags

    # a reviewer approves the held one; quarantines are kept out of the queue
    assert [i.filename for i in services.review.queue()] == [held.filename]
    assert services.review.act(held.filename, ReviewAction.APPROVE, actor="root") == "published"
    assert "swsus" in services.local.project_names()
    assert (
        services.review.act(held.filename, ReviewAction.QUARANTINE, actor="root") == "quarantined"
    )
    assert "swsus" not in services.local.project_names()


def test_gates_can_hold_or_reject_uploads(
    services: IndexServices, publisher: Publisher, clock: OffsetClock
) -> None:
    class HoldNewProjects:
        def before_upload(self, ctx: UploadContext) -> Decision | None:
            if ctx.project == "swgate-reject":
                return Decision(Action.REJECT, "this account is under investigation", "anomaly")
            return Decision(Action.HOLD, "new project", "anomaly") if ctx.new_project else None

        def after_scan(self, ctx: UploadContext, result: ScanResult) -> Decision | None:
            return None

    gate = HoldNewProjects()
    services.uploads.gates = (gate,)
    services.queue.gates = (gate,)
    r = upload(services, publisher.token, "swgate")
    drain(services)
    assert services.review.file_state(r.filename) == "held"
    assert services.review.queue()[0].reason == "new project"
    with pytest.raises(Forbidden, match="under investigation"):
        upload(services, publisher.token, "swgate-reject")


def test_the_event_log_records_who_did_what_in_order(
    services: IndexServices, publisher: Publisher
) -> None:
    r = upload(services, publisher.token, "swevents")
    drain(services)
    services.review.act(r.filename, ReviewAction.DELETE, actor="root", reason="test")
    events = read_events(services.db)
    ids = [int(e.id) for e in events]
    assert ids == sorted(ids)
    tags = [e.tag for e in events]
    for tag in (
        EventTag.USER_CREATED, EventTag.TWO_FACTOR_ENABLED, EventTag.TOKEN_CREATED,
        EventTag.TOKEN_USED, EventTag.PROJECT_CREATED, EventTag.FILE_UPLOADED,
        EventTag.SCAN_VERDICT, EventTag.ADMIN_ACTION, EventTag.FILE_DELETED,
    ):  # fmt: skip
        assert tag in tags, tag
    uploaded = next(e for e in events if e.tag is EventTag.FILE_UPLOADED)
    assert uploaded.actor == "alice"
    assert uploaded.ip == "192.0.2.7"
    assert uploaded.user_agent == "twine/6 test"
    assert uploaded.project == "swevents"
    assert uploaded.time.tzinfo is not None
    after = read_events(services.db, after=int(uploaded.id))
    assert all(int(e.id) > int(uploaded.id) for e in after)


def test_an_sdist_and_a_wheel_of_one_release(services: IndexServices, publisher: Publisher) -> None:
    upload(services, publisher.token, "swpair")
    data = build_sdist("swpair", "1.0")
    filename = "swpair-1.0.tar.gz"
    fields = {k: [v] for k, v in upload_fields("swpair", "1.0", filename, data).items()}
    form = parse_upload(fields, filename, data, max_size=10_000_000)
    principal = services.accounts.authenticate_upload("__token__", publisher.token, META)
    services.uploads.accept(principal, form, data, META)
    drain(services)
    page = services.local.project("swpair")
    assert page is not None
    assert {f.packagetype for f in page.files} == {"bdist_wheel", "sdist"}
    assert page.versions == ("1.0",)


def test_an_identical_reupload_is_a_no_op_but_new_bytes_are_refused(
    services: IndexServices, publisher: Publisher
) -> None:
    first = upload(services, publisher.token, "swdup")
    again = upload(services, publisher.token, "swdup")
    assert again.duplicate
    assert again.file_id == first.file_id
    assert services.queue.counts() == {"pending": 1}
    with pytest.raises(BadRequest, match="File already exists"):
        upload(services, publisher.token, "swdup", code="VALUE = 2\n")
    drain(services)
    services.review.act(first.filename, ReviewAction.DELETE, actor="root")
    with pytest.raises(BadRequest, match="never be reused"):
        upload(services, publisher.token, "swdup")


def test_names_confusable_with_someone_elses_project_are_refused(
    services: IndexServices, publisher: Publisher, clock: OffsetClock
) -> None:
    upload(services, publisher.token, "swacme-billing")
    upload(services, publisher.token, "swacme-billings")  # the owner's own neighbour: fine
    mallory = make_publisher(services, clock, "mallory")
    with pytest.raises(BadRequest, match="too similar to the existing project 'swacme-billing'"):
        upload(services, mallory.token, "swacme-bi11ing")
    with pytest.raises(BadRequest, match="popular project 'requests'"):
        upload(services, mallory.token, "reqeusts")


def test_a_stuck_scan_loses_its_lease(
    services: IndexServices, publisher: Publisher, scanner: FakeScanner, clock: OffsetClock
) -> None:
    receipt = upload(services, publisher.token, "swstuck")
    scanner.gate = threading.Event()  # the scan blocks until this is set
    pool = ScanWorkers(
        services.queue, services.store, scanner, workers=1, poll_seconds=0.05, max_scan_seconds=0.1
    )
    pool.start()
    try:
        for _ in range(200):
            if scanner.calls:
                break
            time.sleep(0.02)
        assert services.queue.claim("other") is None  # still leased
        time.sleep(0.3)  # the heartbeat gave up
        clock.advance(timedelta(seconds=31))
        job = services.queue.claim("other")
        assert job is not None
        assert job.filename == receipt.filename
        assert job.attempt == 2
    finally:
        scanner.gate.set()
        pool.stop()


def test_gates_load_from_entry_points(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import importlib.metadata

    from snakewarden.index import app
    from snakewarden.index.config import IndexConfig

    class Gate:
        def __init__(self, config: IndexConfig) -> None:
            self.config = config

    class EP:
        name = "test-gate"

        def load(self) -> type[Gate]:
            return Gate

    def fake_entry_points(*, group: str) -> list[EP]:
        return [EP()] if group == app.GATES_ENTRY_POINT_GROUP else []

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)
    config = IndexConfig(data_dir=tmp_path, db_url="sqlite://")
    (gate,) = app.load_gates(config)
    assert isinstance(gate, Gate)
    assert gate.config is config


def test_refused_uploads_store_nothing(
    services: IndexServices, publisher: Publisher, clock: OffsetClock
) -> None:
    upload(services, publisher.token, "swowned")
    mallory = make_publisher(services, clock, "mallory")
    data = build_wheel("swowned", "2.0")
    with pytest.raises(Forbidden, match="isn't allowed"):
        upload(services, mallory.token, "swowned", version="2.0")
    import hashlib

    assert not services.store.exists(hashlib.sha256(data).hexdigest())
