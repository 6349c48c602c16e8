"""Detectors ignore the order of events that share a timestamp (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snakewarden.anomaly.detectors import Engine
from snakewarden.core.events import Event, EventId, EventTag

T0 = datetime(2026, 3, 2, tzinfo=UTC)
ACTORS = ("alice", "bob", "mallory")
IPS = ("192.0.2.1", "198.51.100.1", "203.0.113.1", "20.40.0.9")
AGENTS = ("twine/5 CPython/3.12 Darwin/23", "curl/8.5", "Mozilla/5.0 Firefox/128.0")
PROJECTS = ("alpaca", "reqeusts", "pandsa", "llama")
TAGS = (
    EventTag.LOGIN,
    EventTag.TOKEN_CREATED,
    EventTag.TOKEN_USED,
    EventTag.FILE_UPLOADED,
    EventTag.PROJECT_CREATED,
    EventTag.PASSWORD_RESET,
    EventTag.EMAIL_CHANGED,
    EventTag.TWO_FACTOR_DISABLED,
    EventTag.RECOVERY_CODE_USED,
    EventTag.ROLE_ADDED,
    EventTag.RELEASE_YANKED,
    EventTag.USER_CREATED,
)


def _history() -> list[Event]:
    """Established accounts with a dormant project, so takeover detectors have a baseline."""
    out = []
    for n, actor in enumerate(ACTORS[:2]):
        base = T0 - timedelta(days=800)
        out.append(Event(EventId(f"h{n}a"), base, EventTag.USER_CREATED, actor, ip="192.0.2.1",
                         user_agent=AGENTS[0], country="DE"))  # fmt: skip
        out += [
            Event(EventId(f"h{n}u{i}"), base + timedelta(days=30 * i), EventTag.FILE_UPLOADED,
                  actor, project="alpaca", version=f"0.{i}", ip="192.0.2.1",
                  user_agent=AGENTS[0], country="DE")
            for i in range(4)
        ]  # fmt: skip
    return out


@st.composite
def stories(draw: st.DrawFn) -> list[Event]:
    count = draw(st.integers(min_value=1, max_value=40))
    events = []
    for i in range(count):
        tag = draw(st.sampled_from(TAGS))
        details: tuple[tuple[str, str], ...] = ()
        if tag is EventTag.ROLE_ADDED:
            details = (("user", draw(st.sampled_from(ACTORS))),)
        events.append(
            Event(
                EventId(f"s{i:03d}"),
                T0 + timedelta(minutes=draw(st.integers(min_value=0, max_value=4))),
                tag,
                draw(st.sampled_from(ACTORS)),
                project=draw(st.sampled_from(PROJECTS)),
                version=draw(st.sampled_from(("1.0", "2.0"))),
                ip=draw(st.sampled_from(IPS)),
                user_agent=draw(st.sampled_from(AGENTS)),
                country=draw(st.sampled_from(("DE", "BR"))),
                details=details,
            )
        )
    return events


def _keys(events: list[Event]) -> set[tuple[str, str, str]]:
    engine = Engine()
    out = set()
    for event in _history() + events:
        for alert in engine.feed(event):
            out.add((alert.detector, alert.subject_kind.value, alert.subject))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stories(), st.randoms(use_true_random=False))
def test_streaming_ignores_order_within_a_timestamp(events: list[Event], rnd: object) -> None:
    ordered = sorted(events, key=lambda e: (e.time, e.id))
    shuffled = sorted(events, key=lambda e: e.time)
    groups: dict[datetime, list[Event]] = {}
    for e in shuffled:
        groups.setdefault(e.time, []).append(e)
    mixed: list[Event] = []
    for time in sorted(groups):
        group = groups[time]
        rnd.shuffle(group)  # type: ignore[attr-defined]
        mixed.extend(group)
    assert _keys(ordered) == _keys(mixed)


@settings(max_examples=50, deadline=None)
@given(stories(), st.randoms(use_true_random=False))
def test_batch_scan_is_order_free(events: list[Event], rnd: object) -> None:
    shuffled = list(events)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a = [x.id for x in Engine().scan(_history() + events)]
    b = [x.id for x in Engine().scan(shuffled + _history())]
    assert a == b


def _ev(i: int, minute: int, tag: EventTag, actor: str, project: str, ip: str, agent: int,
        country: str, **details: str) -> Event:  # fmt: skip
    return Event(EventId(f"s{i:03d}"), T0 + timedelta(minutes=minute), tag, actor,
                 project=project, version="1.0", ip=ip, user_agent=AGENTS[agent],
                 country=country, details=tuple(details.items()))  # fmt: skip


#: Counterexamples found while building the detectors (each once broke order-freedom).
REGRESSIONS = [
    [  # a login vouching for its own network arrived after the action at the same time
        _ev(1, 0, EventTag.TOKEN_CREATED, "alice", "reqeusts", "20.40.0.9", 0, "DE"),
        _ev(0, 1, EventTag.LOGIN, "alice", "llama", "198.51.100.1", 0, "BR"),
        _ev(2, 1, EventTag.ROLE_ADDED, "alice", "reqeusts", "198.51.100.1", 0, "BR", user="bob"),
    ],
    [  # corroboration (both recovery kinds) arriving around the upload
        _ev(0, 1, EventTag.EMAIL_CHANGED, "mallory", "pandsa", "192.0.2.1", 1, "BR"),
        _ev(1, 1, EventTag.PASSWORD_RESET, "mallory", "llama", "192.0.2.1", 1, "BR"),
        _ev(2, 1, EventTag.FILE_UPLOADED, "mallory", "llama", "198.51.100.1", 2, "DE"),
    ],
    [  # the same look-alike burst seen per account and per network
        _ev(1, 0, EventTag.PROJECT_CREATED, "alice", "pandsa", "20.40.0.9", 0, "BR"),
        _ev(0, 2, EventTag.PROJECT_CREATED, "alice", "reqeusts", "203.0.113.1", 2, "DE"),
        _ev(8, 2, EventTag.PROJECT_CREATED, "bob", "pandsa", "203.0.113.1", 0, "BR"),
    ],
]


def test_pinned_counterexamples() -> None:
    for events in REGRESSIONS:
        forward = sorted(events, key=lambda e: (e.time, e.id))
        backward = sorted(events, key=lambda e: (e.time, [-ord(c) for c in e.id]))
        assert _keys(forward) == _keys(backward)
