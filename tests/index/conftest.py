"""Fixtures of the index tests: a database on SQLite and on PostgreSQL, services, publishers.

PostgreSQL: one migrated template database per test session, then a fresh database copied from
it for each test (``CREATE DATABASE ... TEMPLATE``), dropped afterwards; names are unique per
session, so xdist workers and concurrent runs never collide.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from snakewarden.adapters.storage import LocalFileStore
from snakewarden.core.models import ScanResult, Verdict
from snakewarden.index.app import build_services
from snakewarden.index.config import IndexConfig
from snakewarden.index.db import Database
from snakewarden.index.naming import ConfusableNameChecker
from snakewarden.index.pipeline import CoreScanner
from snakewarden.index.security import PasswordHashing, totp_now
from snakewarden.index.web import IndexServices

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
PASSWORD = "correct horse battery staple"
#: argon2id with small costs: the production parameters take ~0.5 s per hash on a busy machine
CHEAP_PASSWORDS = PasswordHashing(time_cost=1, memory_cost=1024)


class OffsetClock:
    """Real time plus an offset that tests can advance (TOTP codes, expiry, leases)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self.offset += delta


@dataclass
class FakeScanner:
    """Verdicts by filename substring; the real scanner for anything else."""

    verdicts: dict[str, Verdict] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    gate: threading.Event | None = None  # when set, scans wait for it

    def scan(self, data: bytes, filename: str) -> ScanResult:
        self.calls.append(filename)
        if self.gate is not None:
            self.gate.wait(30)
        for needle, verdict in self.verdicts.items():
            if needle in filename:
                score = {Verdict.MALICIOUS: 0.95, Verdict.SUSPICIOUS: 0.6}.get(verdict, 0.0)
                return ScanResult(target=filename, verdict=verdict, score=score)
        return CoreScanner().scan(data, filename)


def _pg_admin() -> psycopg.Connection[tuple[object, ...]]:

    return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    try:
        conn = _pg_admin()
    except Exception as exc:
        pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432: {exc}")
    name = f"swt_{uuid.uuid4().hex[:10]}_tmpl"
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = Database.open(PG_URL.format(name=name))
    db.close()
    try:
        yield name
    finally:
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'index.sqlite3'}"
        return
    template = request.getfixturevalue("pg_template")
    name = template.removesuffix("_tmpl") + "_" + uuid.uuid4().hex[:8]
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield PG_URL.format(name=name)
    finally:
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def name_checker() -> ConfusableNameChecker:
    from snakewarden.names import load_default_checker

    return ConfusableNameChecker(load_default_checker())


@pytest.fixture
def clock() -> OffsetClock:
    return OffsetClock()


@pytest.fixture
def scanner() -> FakeScanner:
    return FakeScanner()


@pytest.fixture
def services(
    db_url: str,
    tmp_path: Path,
    clock: OffsetClock,
    scanner: FakeScanner,
    name_checker: ConfusableNameChecker,
) -> Iterator[IndexServices]:
    data = tmp_path / "data"
    config = IndexConfig(data_dir=data, db_url=db_url, workers=1, lease_seconds=30)
    svc = build_services(
        config,
        store=LocalFileStore(data / "files"),
        clock=clock,
        scanner=scanner,
        name_checker=name_checker,
        passwords=CHEAP_PASSWORDS,
    )
    try:
        yield svc
    finally:
        if svc.workers is not None:
            svc.workers.stop()
        svc.db.close()


@dataclass(frozen=True)
class Publisher:
    username: str
    secret: str
    recovery_codes: tuple[str, ...]
    token: str


def fresh_code(services: IndexServices, clock: OffsetClock, secret: str) -> str:
    """A TOTP code that has not been used yet (time moves one step on)."""
    clock.advance(timedelta(seconds=31))
    return totp_now(secret, services.clock.now())


def make_publisher(
    services: IndexServices,
    clock: OffsetClock,
    username: str = "alice",
    *,
    projects: tuple[str, ...] = (),
    expires_days: float | None = None,
    admin: bool = False,
) -> Publisher:
    accounts = services.accounts
    accounts.create_user(username, f"{username}@example.invalid", PASSWORD, admin=admin)
    secret, _uri = accounts.begin_two_factor(username)
    codes = accounts.confirm_two_factor(username, fresh_code(services, clock, secret))
    token, _info = accounts.create_token(
        username,
        fresh_code(services, clock, secret),
        projects=projects,
        expires_days=expires_days,
    )
    return Publisher(username, secret, tuple(codes), token)


@pytest.fixture
def publisher(services: IndexServices, clock: OffsetClock) -> Publisher:
    return make_publisher(services, clock)
