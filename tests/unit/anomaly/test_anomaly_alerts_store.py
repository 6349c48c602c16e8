from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from snakewarden.anomaly.alerts import Alert, AlertState, SubjectKind, alert_id, uploads_held
from snakewarden.anomaly.store import InMemoryAlertStore, SqlAlertStore, UnknownAlertError
from snakewarden.core.events import Event, EventId, EventTag
from snakewarden.core.models import Severity
from snakewarden.errors import AnomalyError

T = datetime(2026, 3, 2, tzinfo=UTC)


def make_alert(n: int, severity: Severity = Severity.HIGH, **kw: object) -> Alert:
    fields: dict[str, object] = {
        "id": alert_id("d", SubjectKind.PROJECT, f"p{n}", f"e{n}"),
        "detector": "d",
        "severity": severity,
        "subject_kind": SubjectKind.PROJECT,
        "subject": f"p{n}",
        "title": f"alert {n}",
        "evidence": (("why", "because"),),
        "event_ids": (EventId(f"e{n}"),),
        "time": T + timedelta(minutes=n),
    }
    fields.update(kw)
    return Alert(**fields)  # type: ignore[arg-type]


def test_alert_ids_are_deterministic() -> None:
    a = alert_id("x", SubjectKind.ACCOUNT, "alice", "e1")
    assert a == alert_id("x", SubjectKind.ACCOUNT, "alice", "e1")
    assert a.startswith("al-")
    assert a != alert_id("x", SubjectKind.ACCOUNT, "alice", "e2")


def test_alert_json_and_explanation() -> None:
    alert = make_alert(1, projects=("p1",))
    data = json.loads(alert.to_json_line())
    assert data["subject"] == {"kind": "project", "name": "p1"}
    assert data["time"] == "2026-03-02T00:01:00Z"
    assert data["state"] == "open"
    assert alert.explanation == "alert 1; why: because"


def test_uploads_held_policy() -> None:
    high = make_alert(1)
    assert uploads_held("p1", [high])
    assert not uploads_held("p2", [high])
    assert not uploads_held("p1", [high.with_state(AlertState.CLOSED)])
    assert uploads_held("p1", [high.with_state(AlertState.ACKNOWLEDGED)])
    assert not uploads_held("p1", [make_alert(1, Severity.MEDIUM)])
    on_account = make_alert(
        2, subject_kind=SubjectKind.ACCOUNT, subject="alice", projects=("p7", "p8")
    )
    assert uploads_held("p8", [on_account])


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> object:
    if request.param == "memory":
        return InMemoryAlertStore()
    return SqlAlertStore(f"sqlite:///{tmp_path}/a.db")


def _exercise(store: InMemoryAlertStore | SqlAlertStore) -> None:
    a1, a2 = make_alert(1), make_alert(2, Severity.MEDIUM)
    assert store.add([a1, a2]) == [a1, a2]
    assert store.add([a1]) == []  # idempotent by id
    assert [a.id for a in store.list()] == [a2.id, a1.id]  # newest first
    assert store.get(a1.id) == a1
    assert store.uploads_held("p1")
    assert not store.uploads_held("p2")
    acked = store.set_state(a1.id, AlertState.ACKNOWLEDGED)
    assert acked.state is AlertState.ACKNOWLEDGED
    assert store.uploads_held("p1")
    store.set_state(a1.id, AlertState.CLOSED)
    assert not store.uploads_held("p1")
    assert [a.id for a in store.list(AlertState.OPEN)] == [a2.id]
    with pytest.raises(UnknownAlertError):
        store.set_state("al-missing", AlertState.CLOSED)
    assert store.get("al-missing") is None
    event = Event(EventId("x1"), T, EventTag.LOGIN, "alice", ip="192.0.2.1",
                  details=(("k", "v"),))  # fmt: skip
    assert store.add_events([event, event]) == 1
    assert store.add_events([event]) == 0
    assert list(store.events()) == [event]


def test_store_contract(store: InMemoryAlertStore | SqlAlertStore) -> None:
    _exercise(store)


def test_project_name_match_is_exact(tmp_path: Path) -> None:
    store = SqlAlertStore(f"sqlite:///{tmp_path}/a.db")
    store.add([make_alert(3, subject_kind=SubjectKind.ACCOUNT, subject="a", projects=("foo-bar",))])
    assert store.uploads_held("foo-bar")
    assert not store.uploads_held("foo")


def test_bad_database_url_is_a_clear_error() -> None:
    with pytest.raises(AnomalyError, match="cannot open the alert database"):
        SqlAlertStore("nosuchdialect://x")


@pytest.mark.postgres
def test_store_contract_on_postgres() -> None:
    url = os.environ.get("SNAKEWARDEN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except sa.exc.OperationalError:
        pytest.skip("PostgreSQL is not reachable")
    store = SqlAlertStore(url)
    try:
        with store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM anomaly_alerts WHERE id LIKE 'al-%'"))
            conn.execute(sa.text("DELETE FROM anomaly_events WHERE id = 'x1'"))
        _exercise(store)
    finally:
        with store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM anomaly_alerts WHERE detector = 'd'"))
            conn.execute(sa.text("DELETE FROM anomaly_events WHERE id = 'x1'"))
        store.close()
