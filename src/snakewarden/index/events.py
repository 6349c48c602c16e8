"""The security event log: appended to in the same transaction as the change it records, read
back in order as ``snakewarden.core.events.Event`` values (the anomaly detectors' input)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from snakewarden.core.events import Event, EventId, EventTag
from snakewarden.index.db import Database
from snakewarden.index.models import EventRow

MAX_UA = 300


@dataclass(frozen=True, slots=True)
class RequestMeta:
    """Who is asking, as far as the network tells: recorded with every event."""

    ip: str | None = None
    user_agent: str | None = None

    @classmethod
    def cli(cls) -> RequestMeta:
        return cls(ip=None, user_agent="snakewarden-cli")


def record(
    session: Session,
    tag: EventTag,
    *,
    time: datetime,
    meta: RequestMeta | None = None,
    actor: str | None = None,
    project: str | None = None,
    version: str | None = None,
    filename: str | None = None,
    **details: str,
) -> None:
    """Append one event to the log (inside the caller's transaction)."""
    meta = meta or RequestMeta()
    session.add(
        EventRow(
            time=time,
            tag=tag.value,
            actor=actor,
            project=project,
            version=version,
            filename=filename,
            ip=(meta.ip or None) and meta.ip[:64],
            user_agent=(meta.user_agent or None) and meta.user_agent[:MAX_UA],
            details={k: str(v)[:2000] for k, v in details.items()},
        )
    )


def to_event(row: EventRow) -> Event:
    details: Mapping[str, object] = row.details or {}
    return Event(
        id=EventId(str(row.id)),
        time=row.time,
        tag=EventTag(row.tag),
        actor=row.actor,
        project=row.project,
        version=row.version,
        filename=row.filename,
        ip=row.ip,
        user_agent=row.user_agent,
        details=tuple(sorted((str(k), str(v)) for k, v in details.items())),
    )


def read_events(db: Database, *, after: int = 0, limit: int = 1000) -> list[Event]:
    """Events with an id above ``after``, oldest first, at most ``limit`` (≤ 10,000)."""
    limit = max(1, min(limit, 10_000))
    with db.read() as session:
        rows = session.scalars(
            select(EventRow).where(EventRow.id > after).order_by(EventRow.id).limit(limit)
        ).all()
        return [to_event(r) for r in rows]


def iter_events(db: Database, *, after: int = 0, batch: int = 1000) -> Iterator[Event]:
    """Every event after ``after``, in order, read in batches (for replays over history)."""
    while True:
        events = read_events(db, after=after, limit=batch)
        if not events:
            return
        yield from events
        after = int(events[-1].id)
