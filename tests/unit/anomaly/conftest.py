"""Builders for hand-written event sequences (inert: addresses from documentation ranges)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from snakewarden.core.events import Event, EventId, EventTag

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
TWINE = "twine/5.1.1 requests/2.32.3 CPython/3.12.4 Darwin/23.5.0"
CI = "twine/5.1.1 requests/2.32.3 CPython/3.12.4 Linux/6.5.0-1025-azure"
HOME = "192.0.2.10"  # TEST-NET-1
OFFICE = "198.51.100.20"  # TEST-NET-2
THIEF = "203.0.113.66"  # TEST-NET-3
CLOUD = "20.40.1.2"  # inside the default cloud ranges

EventFactory = Callable[..., Event]


@pytest.fixture
def ev() -> EventFactory:
    counter = itertools.count(1)

    def make(
        tag: EventTag,
        actor: str | None = "alice",
        *,
        at: timedelta | datetime = timedelta(0),
        ip: str | None = HOME,
        ua: str | None = BROWSER,
        country: str | None = "DE",
        project: str | None = None,
        version: str | None = None,
        id: str | None = None,
        **details: str,
    ) -> Event:
        time = at if isinstance(at, datetime) else T0 + at
        return Event(
            id=EventId(id or f"e{next(counter):05d}"),
            time=time,
            tag=tag,
            actor=actor,
            project=project,
            version=version,
            filename=f"{project}-{version}.tar.gz" if project and version else None,
            ip=ip,
            user_agent=ua,
            country=country,
            details=tuple(sorted(details.items())),
        )

    return make


@pytest.fixture
def history(ev: EventFactory) -> Callable[..., list[Event]]:
    return lambda **kw: _history(ev, **kw)


def _history(
    ev: EventFactory, *, account: str = "alice", project: str = "alpaca", last: int = 750
) -> list[Event]:
    """An established account: created long ago, logins from home, monthly releases of
    ``project`` until ``last`` days ago."""
    events = [
        ev(EventTag.USER_CREATED, account, at=timedelta(days=-900)),
        ev(EventTag.PROJECT_CREATED, account, at=timedelta(days=-899), project=project, ua=TWINE),
    ]
    for i in range(6):
        events.append(
            ev(
                EventTag.FILE_UPLOADED,
                account,
                at=timedelta(days=-last - 30 * (5 - i)),
                project=project,
                version=f"1.{i}",
                ua=TWINE,
            )
        )
    for d in range(1, 40, 3):
        events.append(ev(EventTag.LOGIN, account, at=timedelta(days=-d)))
    return events
