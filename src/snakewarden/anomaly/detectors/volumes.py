"""Volume detectors: bursts per account, per network and platform-wide (pure).

Thresholds are ``max(floor, median + k * sigma)`` over the subject's own past bursts (robust
baselines), with lower floors for young accounts; downloads use an hourly EWMA with warm-up and
the platform rate a per-hour-of-week (seasonal) baseline.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterator
from datetime import datetime, timedelta

from snakewarden.anomaly.alerts import Alert, SubjectKind
from snakewarden.anomaly.detectors.base import Context, ago, make_alert, when
from snakewarden.anomaly.detectors.state import network_of, public_network_of
from snakewarden.anomaly.detectors.stats import BurstTracker, HourlyCounter, SeasonalRate
from snakewarden.core.events import EventId, EventTag
from snakewarden.core.models import Severity

HOUR = timedelta(hours=1)


def _young(ctx: Context, limit: timedelta) -> bool:
    return ctx.account is not None and ctx.account.age(ctx.now) < limit


class _Refs:
    """Recent event ids per subject (for linking), bounded."""

    def __init__(self, window: timedelta, maxlen: int = 64) -> None:
        self.window = window
        self.maxlen = maxlen
        self._refs: dict[str, deque[tuple[datetime, EventId, str]]] = {}

    def add(self, key: str, time: datetime, event_id: EventId, label: str) -> None:
        refs = self._refs.setdefault(key, deque(maxlen=self.maxlen))
        refs.append((time, event_id, label))

    def recent(self, key: str, now: datetime) -> list[tuple[datetime, EventId, str]]:
        start = now - self.window
        return [r for r in self._refs.get(key, ()) if r[0] >= start]


class AccountBurst:
    """Many new projects, or many releases, from one account within an hour.

    A young account is held to a tighter rule: three new projects within fifteen minutes.
    """

    id = "account-burst"
    young_window = timedelta(minutes=15)

    def __init__(self) -> None:
        self._projects: dict[str, BurstTracker] = {}
        self._young: dict[str, BurstTracker] = {}
        self._portfolio: dict[str, int] = {}  # projects uploaded to before the current run
        self._releases: dict[str, BurstTracker] = {}
        self._refs = _Refs(HOUR)

    def observe(self, ctx: Context) -> Iterator[Alert]:
        event = ctx.event
        actor = event.actor
        if not actor or not event.project:
            return
        young = _young(ctx, ctx.config.young_account)
        if event.tag is EventTag.PROJECT_CREATED:
            tracker = self._projects.setdefault(actor, BurstTracker(HOUR))
            if young:
                tracker = self._young.setdefault(actor, BurstTracker(self.young_window))
            what, floor = "new projects", (3.0 if young else 8.0)
            key = event.project
        elif event.tag is EventTag.FILE_UPLOADED:
            tracker = self._releases.setdefault(actor, BurstTracker(HOUR))
            what, floor = "releases", (6.0 if young else 25.0)
            key = f"{event.project}=={event.version or '?'}"
            if ctx.account is not None and tracker.idle(ctx.now):
                self._portfolio[actor] = ctx.account.uploaded_projects.size_before(ctx.now)
            if not young:
                # An account releasing its own portfolio at once (a family of packages) is a
                # release day, not a burst: the floor grows with what it published before.
                floor = max(floor, 1.25 * self._portfolio.get(actor, 0))
        else:
            return
        self._refs.add(f"{what}:{actor}", ctx.now, event.id, key)
        count = tracker.add(ctx.now, key)
        limit = tracker.baseline.threshold(6.0, floor)
        if count < limit:
            return
        refs = self._refs.recent(f"{what}:{actor}", ctx.now)
        names = tracker.names()
        yield make_alert(
            self.id,
            Severity.HIGH if young else Severity.MEDIUM,
            SubjectKind.ACCOUNT,
            actor,
            f"{count} {what} from account {actor} within "
            + ("15 minutes" if tracker.window == self.young_window else "an hour"),
            [
                ("account age", ago(ctx.account.age(ctx.now)) if ctx.account else "unknown"),
                ("threshold", f"{limit:g} (floor {floor:g}, baseline of past bursts)"),
                (what, ", ".join(names[:20]) + (" …" if len(names) > 20 else "")),
            ],
            [r[1] for r in refs],
            ctx.now,
            event.id,
            [n.split("==", 1)[0] for n in names[:50]],
        )


class NetworkBurst:
    """New projects from one /24 or /48: several young accounts, or far above its baseline.

    Two accounts registered less than an hour ago, or three less than three days ago, creating
    projects from the same network within an hour is what automated campaigns look like.
    """

    id = "network-burst"

    def __init__(self) -> None:
        self._brand_new: dict[str, BurstTracker] = {}
        self._young_accounts: dict[str, BurstTracker] = {}
        self._projects: dict[str, BurstTracker] = {}
        self._refs = _Refs(HOUR)

    def observe(self, ctx: Context) -> Iterator[Alert]:
        event = ctx.event
        if event.tag is not EventTag.PROJECT_CREATED or not event.project:
            return
        net = public_network_of(event.ip)
        if net is None:
            return
        self._refs.add(net, ctx.now, event.id, event.project)
        projects = self._projects.setdefault(net, BurstTracker(HOUR)).add(ctx.now, event.project)
        accounts = brand_new = 0
        if _young(ctx, timedelta(days=3)) and event.actor:
            accounts = self._young_accounts.setdefault(net, BurstTracker(HOUR)).add(
                ctx.now, event.actor
            )
            if _young(ctx, HOUR):
                brand_new = self._brand_new.setdefault(net, BurstTracker(HOUR)).add(
                    ctx.now, event.actor
                )
        limit = self._projects[net].baseline.threshold(6.0, 12.0)
        if brand_new >= 2:
            title = f"{brand_new} accounts registered within the hour created projects from {net}"
            severity = Severity.HIGH
        elif accounts >= 3:
            title = f"{accounts} accounts younger than 3 days created projects from {net}"
            severity = Severity.HIGH
        elif projects >= limit:
            title = f"{projects} new projects from network {net} within an hour"
            severity = Severity.MEDIUM
        else:
            return
        refs = self._refs.recent(net, ctx.now)
        names = self._projects[net].names()
        young_names = self._young_accounts[net].names() if net in self._young_accounts else []
        yield make_alert(
            self.id,
            severity,
            SubjectKind.NETWORK,
            net,
            title,
            [
                ("network", net),
                ("young accounts", ", ".join(young_names[:20])),
                ("projects", ", ".join(names[:20]) + (" …" if len(names) > 20 else "")),
            ],
            [r[1] for r in refs],
            ctx.now,
            event.id,
            names[:50],
        )


class TyposquatBurst:
    """Several new projects named like popular ones, from one account or one network in a day."""

    id = "typosquat-burst"
    window = timedelta(hours=24)

    def __init__(self) -> None:
        self._by_account: dict[str, BurstTracker] = {}
        self._by_network: dict[str, BurstTracker] = {}
        self._refs = _Refs(timedelta(hours=24))

    def observe(self, ctx: Context) -> Iterator[Alert]:
        event = ctx.event
        if event.tag is not EventTag.PROJECT_CREATED or not event.project:
            return
        target = ctx.names(event.project)
        if target is None:
            return
        label = f"{event.project} (like {target})"
        candidates: list[tuple[SubjectKind, str, int]] = []
        if event.actor:
            self._refs.add(f"a:{event.actor}", ctx.now, event.id, label)
            tracker = self._by_account.setdefault(event.actor, BurstTracker(self.window))
            candidates.append((SubjectKind.ACCOUNT, event.actor, tracker.add(ctx.now, label)))
        net = public_network_of(event.ip)
        if net is not None:
            self._refs.add(f"n:{net}", ctx.now, event.id, label)
            tracker = self._by_network.setdefault(net, BurstTracker(self.window))
            candidates.append((SubjectKind.NETWORK, net, tracker.add(ctx.now, label)))
        for kind, subject, count in candidates:
            if count < 2:
                continue
            refs = self._refs.recent(
                ("a:" if kind is SubjectKind.ACCOUNT else "n:") + subject, ctx.now
            )
            yield make_alert(
                self.id,
                Severity.HIGH,
                kind,
                subject,
                f"{count} new projects named like popular ones from {kind.value} {subject} "
                "within a day",
                [("names", ", ".join(r[2] for r in refs[:20]))],
                [r[1] for r in refs],
                ctx.now,
                event.id,
                [r[2].split(" ", 1)[0] for r in refs],
            )


class DownloadSpike:
    """Downloads of a young project far above its own hourly baseline, from few networks.

    Genuine popularity arrives from many networks; inflated or scripted downloads do not.
    """

    id = "download-spike"
    floor = 150

    def __init__(self) -> None:
        self._hourly: dict[str, HourlyCounter] = {}
        self._recent: dict[str, deque[tuple[datetime, str, EventId]]] = {}

    def observe(self, ctx: Context) -> Iterator[Alert]:
        event = ctx.event
        if event.tag is not EventTag.FILE_DOWNLOADED or not event.project:
            return
        project = ctx.world.projects.get(event.project)
        if project is None or project.age(ctx.now) > ctx.config.young_project:
            self._hourly.pop(event.project, None)
            self._recent.pop(event.project, None)
            return
        hourly = self._hourly.setdefault(event.project, HourlyCounter(alpha=0.05, warmup=24))
        hourly.add(ctx.now)
        recent = self._recent.setdefault(event.project, deque(maxlen=20_000))
        recent.append((ctx.now, network_of(event.ip) or "?", event.id))
        start = ctx.now - HOUR
        while recent and recent[0][0] < start:
            recent.popleft()
        count = len(recent)
        base = hourly.ewma
        limit = float(self.floor)
        if base.warm:
            limit = max(limit, 10.0 * base.mean + base.upper(8.0))
        if count < limit or (count != math.ceil(limit) and count % 50):
            return
        nets = Counter(n for _, n, _ in recent)
        top, top_count = nets.most_common(1)[0]
        if len(nets) > count * 0.05 and top_count < count * 0.5:
            return
        yield make_alert(
            self.id,
            Severity.MEDIUM,
            SubjectKind.PROJECT,
            event.project,
            f"{count} downloads of young project {event.project} within an hour "
            f"from {len(nets)} network(s)",
            [
                ("project age", ago(project.age(ctx.now))),
                ("hourly baseline", f"{base.mean:.1f}" if base.warm else "warming up"),
                ("top network", f"{top} ({top_count} downloads)"),
                ("since", when(recent[0][0])),
            ],
            [r[2] for r in list(recent)[-20:]],
            ctx.now,
            event.id,
            [event.project],
        )


class MassRemoval:
    """Many yanks or deletions from one account within an hour."""

    id = "mass-removal"
    removals = frozenset({EventTag.RELEASE_YANKED, EventTag.FILE_DELETED})

    def __init__(self) -> None:
        self._trackers: dict[str, BurstTracker] = {}
        self._refs = _Refs(HOUR, maxlen=256)

    def observe(self, ctx: Context) -> Iterator[Alert]:
        event = ctx.event
        if event.tag not in self.removals or not event.actor or not event.project:
            return
        key = f"{event.project}=={event.version or ''}:{event.filename or ''}"
        self._refs.add(event.actor, ctx.now, event.id, key)
        tracker = self._trackers.setdefault(event.actor, BurstTracker(HOUR))
        count = tracker.add(ctx.now, key)
        projects = sorted({k.split("==", 1)[0] for k in tracker.names()})
        limit = tracker.baseline.threshold(6.0, 50.0)
        if not ((len(projects) >= 3 and count >= 10) or count >= limit):
            return
        refs = self._refs.recent(event.actor, ctx.now)
        novel = any(
            "network" in m.novelty and not m.cloud
            for m in (ctx.account.recent if ctx.account else ())
            if m.time >= ctx.now - HOUR
        )
        yield make_alert(
            self.id,
            Severity.HIGH if novel else Severity.MEDIUM,
            SubjectKind.ACCOUNT,
            event.actor,
            f"{count} yanks/deletions across {len(projects)} project(s) by {event.actor} "
            "within an hour",
            [
                ("projects", ", ".join(projects[:20])),
                ("session", "from a network new to the account" if novel else "known network"),
            ],
            [r[1] for r in refs],
            ctx.now,
            event.id,
            projects,
        )


class RegistrationSurge:
    """Platform-wide new projects by young accounts far above the usual rate for that hour."""

    id = "registration-surge"

    def __init__(self) -> None:
        self._rate = SeasonalRate(alpha=0.3, warmup=2)
        self._refs = _Refs(HOUR, maxlen=128)

    def observe(self, ctx: Context) -> Iterator[Alert]:
        event = ctx.event
        self._rate.touch(ctx.now)
        if event.tag is not EventTag.PROJECT_CREATED or not _young(ctx, timedelta(days=3)):
            return
        self._rate.add(ctx.now)
        self._refs.add("*", ctx.now, event.id, event.project or "?")
        count = self._rate.current()
        expected, warm = self._rate.expected(ctx.now)
        limit = max(20.0, 5.0 * expected + 10.0)
        if not warm or count < limit:
            return
        refs = self._refs.recent("*", ctx.now)
        yield make_alert(
            self.id,
            Severity.MEDIUM,
            SubjectKind.NETWORK,
            "*",
            f"{count} new projects by accounts younger than 3 days this hour "
            f"(usual for this hour of the week: {expected:.1f})",
            [("projects", ", ".join(r[2] for r in refs[:20]))],
            [r[1] for r in refs[-20:]],
            ctx.now,
            event.id,
        )
