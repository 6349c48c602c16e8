"""The detector contract and the context each detector sees (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from snakewarden.anomaly.alerts import Alert, SubjectKind, alert_id
from snakewarden.anomaly.detectors.closeness import NameCheck
from snakewarden.anomaly.detectors.state import AccountState, Mark, World
from snakewarden.core.events import Event, EventId, EventTag
from snakewarden.core.models import Severity

#: Example public cloud / CI ranges (GitHub-hosted runners run on Azure, others on AWS and GCP).
#: From these, a new network or country is routine for token use, so it is not novelty.
DEFAULT_CLOUD_NETWORKS: tuple[str, ...] = (
    "4.0.0.0/9",
    "13.64.0.0/11",
    "20.0.0.0/11",
    "20.32.0.0/11",
    "20.64.0.0/10",
    "20.128.0.0/10",
    "40.64.0.0/10",
    "52.0.0.0/10",
    "52.64.0.0/10",
    "3.0.0.0/9",
    "18.128.0.0/9",
    "54.64.0.0/11",
    "34.64.0.0/10",
    "35.184.0.0/13",
    "2600:1f00::/24",
    "2a01:111::/32",
)


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    """Tunables shared by the built-in detectors (passed in; never global)."""

    cloud_networks: tuple[str, ...] = DEFAULT_CLOUD_NETWORKS
    #: After an alert, the same detector stays quiet about the same subject this long.
    cooldown: timedelta = timedelta(hours=6)
    young_account: timedelta = timedelta(days=7)
    young_project: timedelta = timedelta(days=30)
    dormancy: timedelta = timedelta(days=365)
    session_window: timedelta = timedelta(hours=12)


@dataclass(slots=True)
class Context:
    """What a detector sees for one event: the event, its annotation, the shared world."""

    event: Event
    world: World
    config: DetectorConfig
    names: NameCheck
    account: AccountState | None
    mark: Mark | None

    @property
    def now(self) -> datetime:
        return self.event.time


class Detector(Protocol):
    """A pure detector: it reads the event (and its own state), and yields alerts."""

    id: str

    def observe(self, ctx: Context) -> Iterable[Alert]: ...


def make_alert(
    detector: str,
    severity: Severity,
    kind: SubjectKind,
    subject: str,
    title: str,
    evidence: Iterable[tuple[str, str]],
    events: Iterable[EventId],
    time: datetime,
    trigger: str,
    projects: Iterable[str] = (),
) -> Alert:
    ids = tuple(dict.fromkeys(events))
    return Alert(
        id=alert_id(detector, kind, subject, trigger),
        detector=detector,
        severity=severity,
        subject_kind=kind,
        subject=subject,
        title=title,
        evidence=tuple(evidence),
        event_ids=ids,
        time=time,
        projects=tuple(sorted(set(projects))),
    )


def pairs(
    ctx: Context,
    window: timedelta,
    precursors: frozenset[EventTag],
    actions: frozenset[EventTag],
) -> Iterator[tuple[Mark, Mark]]:
    """(precursor, action) pairs the current event completes, precursor not after the action.

    When the current event is an action, precursors come from the window before it (same time
    included). When it is a precursor, actions at the very same timestamp pair with it, so events
    sharing a timestamp pair up whatever order they arrive in.
    """
    mark, account = ctx.mark, ctx.account
    if mark is None or account is None:
        return
    now = ctx.now
    start = now - window
    if mark.tag in actions:
        for other in reversed(account.recent):
            if other.time < start:
                break
            if other is not mark and other.tag in precursors and other.time <= now:
                yield other, mark
    if mark.tag in precursors:
        for other in reversed(account.recent):
            if other.time < now:
                break
            if other is not mark and other.tag in actions and other.time == now:
                yield mark, other


def when(time: datetime) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%SZ")


def ago(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 2 * 3600:
        return f"{seconds // 3600} hours"
    if seconds >= 120:
        return f"{seconds // 60} minutes"
    return f"{seconds} seconds"
