"""Scripted replays of real incident patterns, injected into background traffic.

Each scenario picks its victims from the generated population (so baselines exist), writes the
attacker's events with ids ``sc-<scenario>-<n>``, and names the detectors that should fire.
Addresses come from documentation-style or random residential ranges; nothing is taken from
real incidents except their shape.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from snakewarden.anomaly.alerts import Alert
from snakewarden.anomaly.detectors import Engine
from snakewarden.anomaly.generator import Population, ProjectProfile
from snakewarden.core.events import Event, EventId, EventTag

ATTACKER_AGENTS = (
    "python-requests/2.31.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "OPR/110.0.0.0 Chrome/124.0.0.0 Safari/537.36",
    "curl/8.5.0",
    "Go-http-client/1.1",
)


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    events: tuple[Event, ...]
    expected: frozenset[str]


@dataclass(slots=True)
class _Script:
    name: str
    rng: random.Random
    events: list[Event] = field(default_factory=list)

    def emit(self, time: datetime, tag: EventTag, actor: str | None, **kw: object) -> None:
        details = kw.pop("details", ())
        self.events.append(
            Event(
                EventId(f"sc-{self.name}-{len(self.events) + 1:03d}"),
                time,
                tag,
                actor,
                details=details,  # type: ignore[arg-type]
                **kw,  # type: ignore[arg-type]
            )
        )


def _attacker_ip(rng: random.Random) -> str:
    # 198.18.0.0/15 is reserved for benchmarking: never a real user's address.
    return f"198.{rng.choice((18, 19))}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _foreign(pop: Population, avoid: str, rng: random.Random) -> str:
    choices = [c for c in pop.countries if c != avoid]
    return rng.choice(choices)


def _next_version(project: ProjectProfile) -> str:
    n = project.version + 1
    return f"{n // 10}.{n % 10}.0"


def _dormant(pop: Population, at: datetime, rng: random.Random, years: float) -> ProjectProfile:
    candidates = sorted(
        (
            p
            for p in pop.projects.values()
            if p.releases and at - max(p.releases) > timedelta(days=365 * years)
        ),
        key=lambda p: p.name,
    )
    if not candidates:
        raise LookupError("no dormant project in the population")
    return rng.choice(candidates)


def _upload(s: _Script, t: datetime, actor: str, project: str, version: str, **kw: object) -> None:
    filename = f"{project.replace('-', '_')}-{version}.tar.gz"
    s.emit(t, EventTag.TOKEN_USED, actor, project=project, **kw)
    s.emit(
        t + timedelta(seconds=1),
        EventTag.FILE_UPLOADED,
        actor,
        project=project,
        version=version,
        filename=filename,
        **kw,
    )


def expired_domain_takeover(pop: Population, at: datetime, rng: random.Random) -> Scenario:
    """ctx (2022): the maintainer's email domain expired; the attacker re-registered it, reset
    the password, logged in and published new releases of the dormant project."""
    project = _dormant(pop, at, rng, 1.5)
    victim = project.owner
    s = _Script("expired-domain", rng)
    where = {
        "ip": _attacker_ip(rng),
        "user_agent": ATTACKER_AGENTS[1],
        "country": _foreign(pop, pop.accounts[victim].country, rng),
    }
    s.emit(at, EventTag.PASSWORD_RESET, victim, **where)
    s.emit(at + timedelta(minutes=2), EventTag.LOGIN, victim, **where)
    s.emit(at + timedelta(minutes=5), EventTag.TOKEN_CREATED, victim, **where)
    _upload(s, at + timedelta(minutes=9), victim, project.name, _next_version(project), **where)
    return Scenario(
        "expired-domain-takeover",
        f"password reset, login from a new place and a release of {project.name} "
        "after long dormancy",
        tuple(s.events),
        frozenset({"account-recovery-then-upload", "suspicious-session", "dormant-release"}),
    )


def stolen_token_upload(pop: Population, at: datetime, rng: random.Random) -> Scenario:
    """A token leaked (CI logs, a public repository) is used from the thief's machine."""
    active = sorted(
        (
            p
            for p in pop.projects.values()
            if p.releases and at - max(p.releases) < timedelta(days=60)
        ),
        key=lambda p: p.name,
    )
    project = rng.choice(active)
    victim = project.owner
    s = _Script("stolen-token", rng)
    where = {
        "ip": _attacker_ip(rng),
        "user_agent": ATTACKER_AGENTS[0],
        "country": _foreign(pop, pop.accounts[victim].country, rng),
    }
    _upload(s, at, victim, project.name, _next_version(project), **where)
    return Scenario(
        "stolen-token-upload",
        f"upload of {project.name} with {victim}'s token from an unknown network and client",
        tuple(s.events),
        frozenset({"suspicious-session"}),
    )


def mass_upload_campaign(pop: Population, at: datetime, rng: random.Random) -> Scenario:
    """Dozens of new projects from freshly registered accounts within minutes (the floods that
    made PyPI suspend registrations in 2023 and 2024)."""
    s = _Script("mass-upload", rng)
    net = f"198.18.{rng.randrange(256)}"
    t = at
    for i in range(24):
        actor = f"campaign{rng.randrange(10**6):06d}x{i}"
        where = {"ip": f"{net}.{rng.randrange(1, 255)}", "user_agent": ATTACKER_AGENTS[0]}
        stem = rng.choice(("colors", "requests-helper", "selenium-tools", "discord-utils"))
        name = f"{rng.choice(('fast', 'easy', 'py', 'super'))}-{stem}{i}"
        s.emit(t, EventTag.USER_CREATED, actor, **where)
        s.emit(t + timedelta(seconds=20), EventTag.PROJECT_CREATED, actor, project=name, **where)
        s.emit(
            t + timedelta(seconds=21),
            EventTag.FILE_UPLOADED,
            actor,
            project=name,
            version="1.0.0",
            filename=f"{name.replace('-', '_')}-1.0.0.tar.gz",
            **where,
        )
        t += timedelta(seconds=rng.uniform(15, 60))
    return Scenario(
        "mass-upload-campaign",
        "24 accounts registered and publishing a new project each from one network in minutes",
        tuple(s.events),
        frozenset({"network-burst", "registration-surge", "account-burst"}),
    )


TYPO_TARGETS = ("requests", "numpy", "pandas", "django", "flask", "urllib3", "matplotlib",
                "selenium", "colorama", "beautifulsoup4", "cryptography", "pillow")  # fmt: skip


def _typo(name: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(name) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]  # swap
    if kind == 1:
        return name[:i] + name[i] + name[i:]  # double a letter
    return name[:i] + name[i + 1 :]  # drop a letter


def typosquat_flood(pop: Population, at: datetime, rng: random.Random) -> Scenario:
    """One new account publishes a string of names one typo away from popular projects."""
    s = _Script("typosquat", rng)
    actor = f"fresh{rng.randrange(10**6):06d}"
    where = {"ip": _attacker_ip(rng), "user_agent": ATTACKER_AGENTS[0], "country": "NL"}
    s.emit(at - timedelta(days=2), EventTag.USER_CREATED, actor, **where)
    t = at
    seen: set[str] = set()
    for target in TYPO_TARGETS:
        name = _typo(target, rng)
        if name == target or name in seen:
            continue
        seen.add(name)
        s.emit(t, EventTag.PROJECT_CREATED, actor, project=name, **where)
        s.emit(
            t + timedelta(seconds=2),
            EventTag.FILE_UPLOADED,
            actor,
            project=name,
            version="0.0.1",
            filename=f"{name}-0.0.1.tar.gz",
            **where,
        )
        t += timedelta(seconds=rng.uniform(30, 240))
    return Scenario(
        "typosquat-flood",
        f"{len(seen)} projects named one typo away from popular ones, from one account",
        tuple(s.events),
        frozenset({"typosquat-burst", "account-burst"}),
    )


def dormant_sudden_release(pop: Population, at: datetime, rng: random.Random) -> Scenario:
    """Credentials reused from another breach: a years-quiet project suddenly releases."""
    project = _dormant(pop, at, rng, 2.0)
    victim = project.owner
    s = _Script("dormant", rng)
    where = {
        "ip": _attacker_ip(rng),
        "user_agent": ATTACKER_AGENTS[3],
        "country": pop.accounts[victim].country,
    }
    s.emit(at, EventTag.LOGIN, victim, **where)
    s.emit(at + timedelta(minutes=3), EventTag.TOKEN_CREATED, victim, **where)
    _upload(s, at + timedelta(minutes=6), victim, project.name, _next_version(project), **where)
    return Scenario(
        "dormant-project-release",
        f"{project.name}, quiet for years, releases from a client and network new to its owner",
        tuple(s.events),
        frozenset({"dormant-release", "suspicious-session"}),
    )


def new_maintainer_takeover(pop: Population, at: datetime, rng: random.Random) -> Scenario:
    """A helpful stranger is given maintainer rights on a dormant project, then releases."""
    project = _dormant(pop, at, rng, 1.0)
    owner = pop.accounts[project.owner]
    s = _Script("new-maintainer", rng)
    stranger = f"helper{rng.randrange(10**6):06d}"
    there = {"ip": _attacker_ip(rng), "user_agent": ATTACKER_AGENTS[1], "country": "SG"}
    s.emit(at - timedelta(days=3), EventTag.USER_CREATED, stranger, **there)
    home = {"ip": f"{owner.home[0]}.7", "user_agent": owner.browser, "country": owner.country}
    s.emit(
        at,
        EventTag.ROLE_ADDED,
        owner.name,
        project=project.name,
        details=(("user", stranger), ("role", "Maintainer")),
        **home,
    )
    _upload(s, at + timedelta(hours=5), stranger, project.name, _next_version(project), **there)
    return Scenario(
        "new-maintainer-takeover",
        f"a three-day-old account added to dormant {project.name} releases within hours",
        tuple(s.events),
        frozenset({"new-maintainer-release", "dormant-release"}),
    )


SCENARIOS: tuple[Callable[[Population, datetime, random.Random], Scenario], ...] = (
    expired_domain_takeover,
    stolen_token_upload,
    mass_upload_campaign,
    typosquat_flood,
    dormant_sudden_release,
    new_maintainer_takeover,
)


def build_scenarios(pop: Population, seed: int = 7) -> list[Scenario]:
    """Every scenario, spread over the second half of the month (deterministic)."""
    rng = random.Random(seed)
    span = (pop.end - pop.start) / 2
    out = []
    for i, make in enumerate(SCENARIOS):
        at = pop.start + span + span * (i + 0.5) / len(SCENARIOS)
        out.append(make(pop, at.replace(microsecond=0), rng))
    return out


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    name: str
    detected: bool
    events_until_alert: int | None
    total_events: int
    alert: Alert | None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """``false_alerts``/``background_events`` count from ``measure_from`` (the month; the
    history before it warms the baselines up); ``warmup_false_alerts`` are those before it."""

    results: tuple[ScenarioResult, ...]
    background_events: int
    false_alerts: tuple[Alert, ...]
    warmup_events: int = 0
    warmup_false_alerts: tuple[Alert, ...] = ()

    @property
    def false_per_100k(self) -> float:
        return 100_000 * len(self.false_alerts) / max(1, self.background_events)


def evaluate(
    background: Sequence[Event],
    scenarios: Iterable[Scenario],
    engine: Engine | None = None,
    measure_from: datetime | None = None,
) -> Evaluation:
    """Replay background plus scenarios through one engine, in time order.

    An alert belongs to a scenario when it links one of the scenario's events; any other alert
    is a false alert. "Events until the alert" counts the scenario's own events fed so far.
    """
    engine = engine or Engine()
    scenarios = list(scenarios)
    owner: dict[str, int] = {}
    for i, sc in enumerate(scenarios):
        for e in sc.events:
            owner[e.id] = i
    merged = sorted(
        [*background, *(e for sc in scenarios for e in sc.events)], key=lambda e: e.time
    )
    fed = [0] * len(scenarios)
    first: list[tuple[int, Alert] | None] = [None] * len(scenarios)
    false: list[Alert] = []
    for event in merged:
        idx = owner.get(event.id)
        if idx is not None:
            fed[idx] += 1
        for alert in engine.feed(event):
            hits = {owner[e] for e in alert.event_ids if e in owner}
            if not hits:
                false.append(alert)
            for h in hits:
                if first[h] is None and alert.detector in scenarios[h].expected:
                    first[h] = (fed[h], alert)
    results = []
    for i, sc in enumerate(scenarios):
        hit = first[i]
        results.append(
            ScenarioResult(
                sc.name,
                hit is not None,
                hit[0] if hit else None,
                len(sc.events),
                hit[1] if hit else None,
            )
        )
    start = measure_from or min((e.time for e in background), default=None)
    measured = [a for a in false if start is None or a.time >= start]
    warm = [a for a in false if start is not None and a.time < start]
    in_window = sum(1 for e in background if start is None or e.time >= start)
    return Evaluation(
        tuple(results),
        in_window,
        tuple(measured),
        len(background) - in_window,
        tuple(warm),
    )
