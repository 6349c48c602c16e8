"""The database layer: migrations (idempotent, concurrent starts), UTC times, clear errors."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from snakewarden.index.db import Database, DatabaseError
from snakewarden.index.models import Project


def test_migrations_are_idempotent_and_times_stay_utc(db_url: str) -> None:
    db = Database.open(db_url)
    Database.open(db_url).close()  # a second start migrates nothing
    t = datetime(2026, 5, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    with db.write() as s:
        s.add(Project(name="Tz", normalized_name="tz", created_at=t))
    with db.read() as s:
        got = s.scalar(select(Project.created_at))
    assert got == t
    assert got is not None
    assert got.tzinfo is not None
    assert got.utcoffset() == timedelta(0)
    db.close()


def test_concurrent_starts_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    errors: list[BaseException] = []

    def start() -> None:
        try:
            Database.open(url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_bad_urls_are_clear_errors() -> None:
    with pytest.raises(DatabaseError, match="invalid database URL"):
        Database.open("not a url")
    with pytest.raises(DatabaseError, match="unsupported database backend"):
        Database.open("mysql://x@localhost/db")


def test_naive_datetimes_are_refused(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'n.sqlite3'}")
    with pytest.raises(DatabaseError), db.write() as s:
        s.add(Project(name="n", normalized_name="n", created_at=datetime(2026, 1, 1)))
    db.close()


def test_the_migrations_build_exactly_the_models_schema(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from snakewarden.index.models import Base

    db = Database.open(db_url)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        db.close()


def test_events_commit_in_id_order_so_pollers_miss_none(db_url: str) -> None:
    """A transaction that took an event id first commits first: a later writer waits."""
    from snakewarden.core.events import EventTag
    from snakewarden.index.events import read_events, record

    db = Database.open(db_url)
    recorded = threading.Event()
    seen_during: list[int] = []

    def slow_writer() -> None:
        with db.write() as s:
            record(s, EventTag.LOGIN, time=datetime.now(UTC), actor="slow")
            s.flush()
            recorded.set()
            time.sleep(0.5)

    t = threading.Thread(target=slow_writer)
    t.start()
    assert recorded.wait(10)
    with db.write() as s:  # blocks until the slow writer commits
        record(s, EventTag.LOGIN, time=datetime.now(UTC), actor="fast")
    seen_during.extend(int(e.id) for e in read_events(db))
    t.join()
    events = read_events(db)
    assert [e.actor for e in events] == ["slow", "fast"]
    assert len(seen_during) == 2  # both were visible once the second write returned
    db.close()
