"""Alert and event storage: SQLAlchemy 2 (SQLite by default, PostgreSQL by URL) and in memory.

Tables are prefixed ``anomaly_`` so they can live in the index's database beside its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from snakewarden.anomaly.alerts import (
    HOLDING_STATES,
    Alert,
    AlertId,
    AlertState,
    SubjectKind,
    uploads_held,
)
from snakewarden.core.events import Event, EventId, EventTag
from snakewarden.core.models import Severity
from snakewarden.errors import AnomalyError

metadata = sa.MetaData()

alerts_table = sa.Table(
    "anomaly_alerts",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("detector", sa.String(64), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("subject_kind", sa.String(16), nullable=False),
    sa.Column("subject", sa.String(256), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("event_ids", sa.Text, nullable=False),
    sa.Column("projects", sa.Text, nullable=False),
    sa.Column("time", sa.DateTime(timezone=True), nullable=False),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False, index=True),
)

events_table = sa.Table(
    "anomaly_events",
    metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("time", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("tag", sa.String(64), nullable=False),
    sa.Column("actor", sa.String(256)),
    sa.Column("project", sa.String(256)),
    sa.Column("version", sa.String(128)),
    sa.Column("filename", sa.String(512)),
    sa.Column("ip", sa.String(64)),
    sa.Column("user_agent", sa.String(1024)),
    sa.Column("country", sa.String(8)),
    sa.Column("details", sa.Text, nullable=False),
)


class AlertStore(Protocol):
    def add(self, alerts: Iterable[Alert]) -> list[Alert]:
        """Store alerts not stored yet (by id); returns the new ones."""
        ...

    def get(self, alert_id: str) -> Alert | None: ...

    def list(self, state: AlertState | None = None, limit: int = 1000) -> list[Alert]: ...

    def set_state(self, alert_id: str, state: AlertState) -> Alert: ...

    def uploads_held(self, project: str) -> bool: ...


class EventStore(Protocol):
    def add_events(self, events: Iterable[Event]) -> int:
        """Store events not stored yet (by id); returns how many were new."""
        ...

    def events(self) -> Iterator[Event]:
        """Every stored event, in time order."""
        ...


class LazyAlertStore:
    """An ``AlertStore`` that opens its database on first use (an index that never serves an
    alert request never creates the alert tables)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._store: SqlAlertStore | None = None

    def _open(self) -> SqlAlertStore:
        if self._store is None:
            self._store = SqlAlertStore(self._url)
        return self._store

    def add(self, alerts: Iterable[Alert]) -> list[Alert]:
        return self._open().add(alerts)

    def get(self, alert_id: str) -> Alert | None:
        return self._open().get(alert_id)

    def list(self, state: AlertState | None = None, limit: int = 1000) -> list[Alert]:
        return self._open().list(state, limit)

    def set_state(self, alert_id: str, state: AlertState) -> Alert:
        return self._open().set_state(alert_id, state)

    def uploads_held(self, project: str) -> bool:
        return self._open().uploads_held(project)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


class UnknownAlertError(AnomalyError):
    def __init__(self, alert_id: str) -> None:
        super().__init__(
            f"no alert with id {alert_id!r}",
            hint="list alerts with `snakewarden alerts --state all`",
        )
        self.alert_id = alert_id


class InMemoryAlertStore:
    """For tests and dry runs."""

    def __init__(self) -> None:
        self._alerts: dict[str, Alert] = {}
        self._events: dict[str, Event] = {}

    def add(self, alerts: Iterable[Alert]) -> list[Alert]:
        new = []
        for alert in alerts:
            if alert.id not in self._alerts:
                self._alerts[alert.id] = alert
                new.append(alert)
        return new

    def get(self, alert_id: str) -> Alert | None:
        return self._alerts.get(alert_id)

    def list(self, state: AlertState | None = None, limit: int = 1000) -> list[Alert]:
        found = [a for a in self._alerts.values() if state is None or a.state is state]
        return found[-limit:][::-1]

    def set_state(self, alert_id: str, state: AlertState) -> Alert:
        alert = self._alerts.get(alert_id)
        if alert is None:
            raise UnknownAlertError(alert_id)
        self._alerts[alert_id] = alert = alert.with_state(state)
        return alert

    def uploads_held(self, project: str) -> bool:
        return uploads_held(project, self._alerts.values())

    def add_events(self, events: Iterable[Event]) -> int:
        count = 0
        for event in events:
            if event.id not in self._events:
                self._events[event.id] = event
                count += 1
        return count

    def events(self) -> Iterator[Event]:
        yield from sorted(self._events.values(), key=lambda e: (e.time, e.id))


def default_url(home: Path) -> str:
    return f"sqlite:///{home / 'anomaly.db'}"


def alerts_url_for_index(db_url: str, data_dir: Path) -> str:
    """Where a running index keeps its alerts: in its PostgreSQL database (``anomaly_*``
    tables), or beside its SQLite file in ``anomaly.sqlite3`` (SQLite allows one writer per
    file, and the index consults the gate inside its own write transactions)."""
    try:
        backend = sa.make_url(db_url).get_backend_name()
    except (SQLAlchemyError, ValueError):
        backend = ""
    if backend == "sqlite":
        return f"sqlite:///{data_dir / 'anomaly.sqlite3'}"
    return db_url


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SqlAlertStore:
    """Alerts and imported events in ``anomaly_*`` tables (SQLite or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        try:
            self.engine = sa.create_engine(url, future=True)
            metadata.create_all(self.engine)
        except (SQLAlchemyError, ImportError) as exc:
            raise AnomalyError(
                f"cannot open the alert database {_redact(url)}: {exc}",
                hint="check --db / SNAKEWARDEN_DB (e.g. sqlite:///alerts.db or "
                "postgresql+psycopg://user@host/db)",
            ) from exc

    def close(self) -> None:
        self.engine.dispose()

    # -- alerts --------------------------------------------------------------------------------
    def add(self, alerts: Iterable[Alert]) -> list[Alert]:
        alerts = list(alerts)
        if not alerts:
            return []
        try:
            with self.engine.begin() as conn:
                ids = [a.id for a in alerts]
                existing: set[str] = set()
                for i in range(0, len(ids), 500):
                    rows = conn.execute(
                        sa.select(alerts_table.c.id).where(alerts_table.c.id.in_(ids[i : i + 500]))
                    )
                    existing.update(r[0] for r in rows)
                seq = conn.execute(sa.select(sa.func.max(alerts_table.c.seq))).scalar() or 0
                new: list[Alert] = []
                for alert in alerts:
                    if alert.id in existing:
                        continue
                    existing.add(alert.id)
                    seq += 1
                    conn.execute(alerts_table.insert().values(**_alert_row(alert), seq=seq))
                    new.append(alert)
                return new
        except SQLAlchemyError as exc:
            raise AnomalyError(f"cannot store alerts: {exc}") from exc

    def get(self, alert_id: str) -> Alert | None:
        try:
            with self.engine.connect() as conn:
                row = conn.execute(
                    sa.select(alerts_table).where(alerts_table.c.id == alert_id)
                ).first()
        except SQLAlchemyError as exc:
            raise AnomalyError(f"cannot read alerts: {exc}") from exc
        return _alert_from_row(row._mapping) if row else None

    def list(self, state: AlertState | None = None, limit: int = 1000) -> list[Alert]:
        query = sa.select(alerts_table).order_by(alerts_table.c.seq.desc()).limit(limit)
        if state is not None:
            query = query.where(alerts_table.c.state == state.value)
        try:
            with self.engine.connect() as conn:
                return [_alert_from_row(r._mapping) for r in conn.execute(query)]
        except SQLAlchemyError as exc:
            raise AnomalyError(f"cannot read alerts: {exc}") from exc

    def set_state(self, alert_id: str, state: AlertState) -> Alert:
        try:
            with self.engine.begin() as conn:
                result = conn.execute(
                    alerts_table.update()
                    .where(alerts_table.c.id == alert_id)
                    .values(state=state.value)
                )
                if result.rowcount == 0:
                    raise UnknownAlertError(alert_id)
        except SQLAlchemyError as exc:
            raise AnomalyError(f"cannot update alert {alert_id}: {exc}") from exc
        alert = self.get(alert_id)
        assert alert is not None
        return alert

    def uploads_held(self, project: str) -> bool:
        """Whether an open or acknowledged alert of severity high+ holds ``project``'s uploads."""
        high = [s.value for s in Severity if s.rank >= Severity.HIGH.rank]
        query = sa.select(alerts_table).where(
            alerts_table.c.state.in_([s.value for s in HOLDING_STATES]),
            alerts_table.c.severity.in_(high),
            sa.or_(
                sa.and_(
                    alerts_table.c.subject_kind == SubjectKind.PROJECT.value,
                    alerts_table.c.subject == project,
                ),
                alerts_table.c.projects.contains(json.dumps(project)),
            ),
        )
        try:
            with self.engine.connect() as conn:
                rows = [_alert_from_row(r._mapping) for r in conn.execute(query)]
        except SQLAlchemyError as exc:
            raise AnomalyError(f"cannot read alerts: {exc}") from exc
        return uploads_held(project, rows)

    # -- events --------------------------------------------------------------------------------
    def add_events(self, events: Iterable[Event]) -> int:
        batch = list(events)
        count = 0
        try:
            with self.engine.begin() as conn:
                for i in range(0, len(batch), 500):
                    chunk = batch[i : i + 500]
                    existing = {
                        r[0]
                        for r in conn.execute(
                            sa.select(events_table.c.id).where(
                                events_table.c.id.in_([e.id for e in chunk])
                            )
                        )
                    }
                    rows = []
                    for event in chunk:
                        if event.id in existing:
                            continue
                        existing.add(event.id)
                        rows.append(_event_row(event))
                    if rows:
                        conn.execute(events_table.insert(), rows)
                        count += len(rows)
        except SQLAlchemyError as exc:
            raise AnomalyError(f"cannot store events: {exc}") from exc
        return count

    def events(self) -> Iterator[Event]:
        query = sa.select(events_table).order_by(events_table.c.time, events_table.c.id)
        try:
            with self.engine.connect() as conn:
                result = conn.execution_options(yield_per=5000).execute(query)
                for row in result:
                    yield _event_from_row(row._mapping)
        except SQLAlchemyError as exc:
            raise AnomalyError(f"cannot read events: {exc}") from exc

    def count_events(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(events_table)).scalar() or 0
            )


def _redact(url: str) -> str:
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except (SQLAlchemyError, ValueError):
        return "(unparsable URL)"


def _alert_row(alert: Alert) -> dict[str, object]:
    return {
        "id": alert.id,
        "detector": alert.detector,
        "severity": alert.severity.value,
        "subject_kind": alert.subject_kind.value,
        "subject": alert.subject[:256],
        "title": alert.title,
        "evidence": json.dumps([list(p) for p in alert.evidence]),
        "event_ids": json.dumps(list(alert.event_ids)),
        "projects": json.dumps(list(alert.projects)),
        "time": alert.time,
        "state": alert.state.value,
    }


def _alert_from_row(row: sa.RowMapping) -> Alert:
    return Alert(
        id=AlertId(row["id"]),
        detector=row["detector"],
        severity=Severity(row["severity"]),
        subject_kind=SubjectKind(row["subject_kind"]),
        subject=row["subject"],
        title=row["title"],
        evidence=tuple((str(k), str(v)) for k, v in json.loads(row["evidence"])),
        event_ids=tuple(EventId(e) for e in json.loads(row["event_ids"])),
        time=_utc(row["time"]),
        projects=tuple(json.loads(row["projects"])),
        state=AlertState(row["state"]),
    )


def _event_row(event: Event) -> dict[str, object]:
    return {
        "id": event.id,
        "time": event.time,
        "tag": event.tag.value,
        "actor": event.actor,
        "project": event.project,
        "version": event.version,
        "filename": event.filename,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "country": event.country,
        "details": json.dumps(dict(event.details)),
    }


def _event_from_row(row: sa.RowMapping) -> Event:
    details: Sequence[tuple[str, str]] = tuple(json.loads(row["details"]).items())
    return Event(
        id=EventId(row["id"]),
        time=_utc(row["time"]),
        tag=EventTag(row["tag"]),
        actor=row["actor"],
        project=row["project"],
        version=row["version"],
        filename=row["filename"],
        ip=row["ip"],
        user_agent=row["user_agent"],
        country=row["country"],
        details=tuple(details),
    )
