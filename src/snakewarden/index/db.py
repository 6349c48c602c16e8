"""Database wiring: engines for SQLite (embedded, the default) and PostgreSQL, schema migrations
run programmatically with Alembic, and read/write session scopes.

SQLite runs in WAL mode; write transactions start with ``BEGIN IMMEDIATE`` so that two writers
queue on the busy timeout instead of failing on a lock upgrade. Nothing from SQLAlchemy leaves
this module and the services unwrapped: errors become ``DatabaseError``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from snakewarden.errors import IndexServiceError

#: the PostgreSQL advisory lock that serializes the index's write transactions
WRITE_LOCK = 727_275


class DatabaseError(IndexServiceError):
    """The index database could not be opened, migrated or queried."""


class DatabaseConflict(DatabaseError):
    """A write broke a uniqueness rule (two requests raced for the same name)."""


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'index.sqlite3').resolve()}"


def create_db_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for ``url`` (``sqlite:///PATH`` or ``postgresql+psycopg://...``)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(
            f"invalid database URL {url!r}",
            hint="use sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DB",
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(
            parsed, connect_args={"timeout": 60, "check_same_thread": False}, pool_size=pool_size
        )
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        try:
            return create_engine(
                parsed, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
            )
        except (ImportError, SQLAlchemyError) as exc:
            raise DatabaseError(
                f"cannot use {parsed.render_as_string(hide_password=True)}: {exc}",
                hint="install the postgres extra: pip install 'snakewarden[postgres]'",
            ) from exc
    raise DatabaseError(
        f"unsupported database backend {backend!r}", hint="use SQLite or PostgreSQL"
    )


#: How long a start waits for the lock it needs to switch a fresh SQLite file to WAL.
WAL_WAIT = 60.0


def _enable_wal(cur: Any) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another connection holds the lock it needs
    (concurrent starts on a fresh file: SQLite answers "locked" at once there, without waiting
    for the busy timeout)."""
    deadline = time.monotonic() + WAL_WAIT
    delay = 0.01
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=60000")
        _enable_wal(cur)
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent; safe at every start)."""
    from alembic import command
    from alembic.config import Config

    script_location = str(resources.files("snakewarden.index") / "migrations")
    cfg = Config()
    cfg.set_main_option("script_location", script_location)
    cfg.attributes["connection"] = None
    if engine.dialect.name == "sqlite":  # take the write lock first: concurrent starts queue
        engine = engine.execution_options(sqlite_begin="IMMEDIATE")
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # serialize concurrent starts (several servers, test workers) on one database
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot migrate the index database: {exc}") from exc


class Database:
    """An engine plus session scopes: ``read()`` for queries, ``write()`` for transactions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reader = sessionmaker(engine, expire_on_commit=False)
        writer_engine = (
            engine.execution_options(sqlite_begin="IMMEDIATE")
            if engine.dialect.name == "sqlite"
            else engine
        )
        self._writer = sessionmaker(writer_engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, run_migrations: bool = True) -> Database:
        engine = create_db_engine(url)
        if run_migrations:
            migrate(engine)
        return cls(engine)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        try:
            with self._reader() as session:
                yield session
        except SQLAlchemyError as exc:
            raise DatabaseError(f"database query failed: {type(exc).__name__}: {exc}") from exc

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction: committed at the end of the block, rolled back on any error.

        Write transactions are serialized (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a
        transaction-level advisory lock taken first), so event ids are committed in increasing
        order and a reader that polls ``after=LAST_ID`` never skips one."""
        try:
            with self._writer() as session, session.begin():
                if self.backend == "postgresql":
                    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
                yield session
        except IntegrityError as exc:
            raise DatabaseConflict(f"conflicting write: {exc.orig}") from exc
        except SQLAlchemyError as exc:
            raise DatabaseError(f"database write failed: {type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        self.engine.dispose()
