"""Fixtures of the anomaly tests: hand-written event sequences."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from anomaly_fixtures import BROWSER, HOME, T0, TWINE, EventFactory

from snakewarden.core.events import Event, EventId, EventTag


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
    events += [
        ev(
            EventTag.FILE_UPLOADED,
            account,
            at=timedelta(days=-last - 30 * (5 - i)),
            project=project,
            version=f"1.{i}",
            ua=TWINE,
        )
        for i in range(6)
    ]
    events += [ev(EventTag.LOGIN, account, at=timedelta(days=-d)) for d in range(1, 40, 3)]
    return events
