"""Anomaly detectors over the security event stream (pure: time comes from the events).

``Engine.feed(event)`` scores each event as it arrives against per-account, per-project and
per-network state; ``Engine.scan(events)`` replays a history through the same code in a
canonical order (batch).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from snakewarden.anomaly.alerts import Alert
from snakewarden.anomaly.detectors.base import (
    DEFAULT_CLOUD_NETWORKS,
    Context,
    Detector,
    DetectorConfig,
)
from snakewarden.anomaly.detectors.closeness import NameCheck, default_check, fuzzy_check
from snakewarden.anomaly.detectors.sequences import (
    DormantRelease,
    FreshTokenElsewhere,
    NewMaintainerRelease,
    RecoveryThenUpload,
    SuspiciousSession,
    WeakenedTwoFactorUpload,
)
from snakewarden.anomaly.detectors.state import (
    ACCESS_TAGS,
    Mark,
    World,
    agent_family,
    learn,
    network_of,
    novelty,
)
from snakewarden.anomaly.detectors.volumes import (
    AccountBurst,
    DownloadSpike,
    MassRemoval,
    NetworkBurst,
    RegistrationSurge,
    TyposquatBurst,
)
from snakewarden.core.events import Event, EventTag

__all__ = [
    "DEFAULT_CLOUD_NETWORKS",
    "Context",
    "Detector",
    "DetectorConfig",
    "Engine",
    "agent_family",
    "default_detectors",
    "fuzzy_check",
    "network_of",
]

#: Events whose ``user`` detail names the account they change (the actor may be an admin).
_ABOUT_USER = frozenset(
    {
        EventTag.USER_CREATED,
        EventTag.TWO_FACTOR_DISABLED,
        EventTag.TWO_FACTOR_ENABLED,
        EventTag.PASSWORD_RESET,
        EventTag.EMAIL_CHANGED,
        EventTag.RECOVERY_CODE_USED,
    }
)

#: Within one timestamp, ``scan`` processes events in this order of tags, then by id.
_TAG_ORDER = {tag: i for i, tag in enumerate(EventTag)}


def default_detectors() -> list[Detector]:
    """A fresh instance of every built-in detector (they hold their own state)."""
    return [
        SuspiciousSession(),
        FreshTokenElsewhere(),
        WeakenedTwoFactorUpload(),
        RecoveryThenUpload(),
        NewMaintainerRelease(),
        DormantRelease(),
        AccountBurst(),
        NetworkBurst(),
        TyposquatBurst(),
        DownloadSpike(),
        MassRemoval(),
        RegistrationSurge(),
    ]


def canonical_order(events: Iterable[Event]) -> list[Event]:
    return sorted(events, key=lambda e: (e.time, _TAG_ORDER.get(e.tag, 99), e.id))


class Engine:
    """Streaming scorer. Events earlier than one already seen are scored at the latest time."""

    def __init__(
        self,
        config: DetectorConfig | None = None,
        detectors: Sequence[Detector] | None = None,
        names: NameCheck | None = None,
    ) -> None:
        self.config = config or DetectorConfig()
        self.detectors = list(detectors) if detectors is not None else default_detectors()
        self.names = names if names is not None else default_check()
        self.world = World(self.config.cloud_networks)
        self._now: datetime | None = None
        self._last_alert: dict[tuple[str, str, str], datetime] = {}
        self.events_seen = 0

    def feed(self, event: Event) -> list[Alert]:
        """Score one event; returns the alerts it raised (after per-subject cooldown)."""
        if self._now is not None and event.time < self._now:
            event = replace(event, time=self._now)
        self._now = event.time
        self.events_seen += 1
        now = event.time
        account = None
        mark = None
        if (
            event.tag in _ABOUT_USER
            and event.detail("user")
            and event.detail("user") != event.actor
        ):
            # An admin acting on someone's account: the event belongs to that account.
            event = replace(event, actor=event.detail("user"))
        if event.actor:
            account = self.world.account(event.actor, now)
            if event.tag is EventTag.USER_CREATED:
                account.created = now if account.created is None else min(account.created, now)
            if event.tag in ACCESS_TAGS:
                cloud = self.world.is_cloud(event.ip)
                new = novelty(self.world, account, event)
                if cloud:
                    new = tuple(n for n in new if n == "agent")
                mark = Mark(
                    time=now,
                    tag=event.tag,
                    event_id=event.id,
                    network=network_of(event.ip),
                    project=event.project,
                    novelty=new,
                    cloud=cloud,
                    detail=event.detail("token"),
                    agent=agent_family(event.user_agent),
                    version=event.version,
                )
                account.recent.append(mark)
        if event.project:
            project = self.world.project(event.project, now)
            if event.tag is EventTag.PROJECT_CREATED:
                project.created = now if project.created is None else min(project.created, now)
        ctx = Context(event, self.world, self.config, self.names, account, mark)
        alerts: list[Alert] = []
        for detector in self.detectors:
            for alert in detector.observe(ctx):
                key = (alert.detector, alert.subject_kind.value, alert.subject)
                last = self._last_alert.get(key)
                if last is not None and now - last < self.config.cooldown:
                    continue
                self._last_alert[key] = now
                alerts.append(alert)
        self._learn(event)
        return alerts

    def _learn(self, event: Event) -> None:
        state = self.world.accounts.get(event.actor) if event.actor else None
        if state is not None and event.tag in ACCESS_TAGS:
            learn(state, event)
        if event.tag is EventTag.FILE_UPLOADED and event.project:
            project = self.world.projects[event.project]
            version = event.version or ""
            if version not in project.release_versions:
                project.release_versions[version] = event.time
                if len(project.release_versions) > 4096:
                    del project.release_versions[next(iter(project.release_versions))]
                project.release_times.append(event.time)
            if state is not None:
                state.uploaded_projects.add(event.project, event.time)

    def scan(self, events: Iterable[Event]) -> list[Alert]:
        """Batch: replay ``events`` in canonical order (time, tag, id); returns every alert."""
        alerts: list[Alert] = []
        for event in canonical_order(events):
            alerts.extend(self.feed(event))
        return alerts
