"""Per-account, per-project and per-network state shared by the detectors.

State is read *as of before* the current timestamp: what an account has "already seen" only
includes events strictly earlier than the event being scored, so events that share a timestamp
see the same baseline whatever order they arrive in.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from snakewarden.anomaly.detectors.stats import RobustBaseline
from snakewarden.core.events import Event, EventId, EventTag

#: Most values remembered per account (networks, countries, agents); oldest forgotten first.
MAX_KNOWN = 256
#: Most recent annotated events kept per account for sequence detection.
MAX_RECENT = 512


def network_of(ip: str | None) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) prefix of an address; ``None`` when absent or invalid."""
    if not ip:
        return None
    try:
        addr = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv4Address):
        return str(ipaddress.IPv4Network((int(addr) & 0xFFFFFF00, 24)))
    if addr.ipv4_mapped is not None:
        return network_of(str(addr.ipv4_mapped))
    return str(ipaddress.IPv6Network((int(addr) >> 80 << 80, 48)))


def public_network_of(ip: str | None) -> str | None:
    """``network_of`` for public addresses only: behind a private, loopback or link-local
    address (a company NAT, a reverse proxy) many unrelated users share one "network"."""
    if not ip:
        return None
    try:
        addr = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if not addr.is_global and not _is_documentation(addr):
        return None
    return network_of(ip)


_DOCUMENTATION = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/15", "2001:db8::/32")
)


def _is_documentation(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Documentation and benchmarking ranges stand in for public addresses in examples."""
    return any(addr in net for net in _DOCUMENTATION if net.version == addr.version)


_VERSION = re.compile(r"[/ ]?v?\d+(?:[._-]\w+)*")
_SPACES = re.compile(r"\s+")


def agent_family(user_agent: str | None) -> str | None:
    """A user agent without its version numbers: upgrades of the same client are not "new"."""
    if not user_agent:
        return None
    text = user_agent.strip().lower()[:512]
    # pip sends "pip/24.0 {json}": keep the product name in front of the JSON only.
    head = text.split("{", 1)[0]
    family = _SPACES.sub(" ", _VERSION.sub("", head)).strip(" ;()")
    return family or None


class AsOfSet:
    """A set whose additions become visible only to strictly later timestamps."""

    __slots__ = ("_known", "_pending")

    def __init__(self) -> None:
        self._known: dict[str, None] = {}
        self._pending: list[tuple[datetime, str]] = []

    def _commit(self, now: datetime) -> None:
        if not self._pending:
            return
        keep: list[tuple[datetime, str]] = []
        for when, value in self._pending:
            if when < now:
                self._known.pop(value, None)
                self._known[value] = None
            else:
                keep.append((when, value))
        self._pending = keep
        while len(self._known) > MAX_KNOWN:
            del self._known[next(iter(self._known))]

    def seen_before(self, value: str, now: datetime) -> bool:
        self._commit(now)
        return value in self._known

    def size_before(self, now: datetime) -> int:
        self._commit(now)
        return len(self._known)

    def add(self, value: str, when: datetime) -> None:
        self._pending.append((when, value))
        if len(self._pending) > MAX_KNOWN:
            self._commit(max(w for w, _ in self._pending) + timedelta(microseconds=1))


@dataclass(slots=True)
class Mark:
    """An event of interest in an account's recent past, annotated when it was scored."""

    time: datetime
    tag: EventTag
    event_id: EventId
    network: str | None
    project: str | None = None
    novelty: tuple[str, ...] = ()  # which of network/country/agent were new for the account
    cloud: bool = False
    detail: str | None = None
    agent: str | None = None
    version: str | None = None


@dataclass(slots=True)
class AccountState:
    first_seen: datetime
    created: datetime | None = None
    networks: AsOfSet = field(default_factory=AsOfSet)
    countries: AsOfSet = field(default_factory=AsOfSet)
    agents: AsOfSet = field(default_factory=AsOfSet)
    uploaded_projects: AsOfSet = field(default_factory=AsOfSet)
    agent_since: dict[str, datetime] = field(default_factory=dict)
    recent: deque[Mark] = field(default_factory=lambda: deque(maxlen=MAX_RECENT))

    def age(self, now: datetime) -> timedelta:
        start = self.created if self.created is not None else self.first_seen
        return now - start

    def established(self, now: datetime) -> bool:
        """Old enough, with an access history, for "new network / country / agent" to mean much."""
        return self.age(now) >= timedelta(days=3) and self.networks.size_before(now) >= 1


@dataclass(slots=True)
class ProjectState:
    first_seen: datetime
    created: datetime | None = None
    release_times: deque[datetime] = field(default_factory=lambda: deque(maxlen=64))
    release_versions: dict[str, datetime] = field(default_factory=dict)
    members_added: dict[str, tuple[datetime, EventId]] = field(default_factory=dict)

    def released_before(self, version: str | None, now: datetime) -> bool:
        first = self.release_versions.get(version or "")
        return first is not None and first < now

    def last_release_before(self, now: datetime) -> datetime | None:
        earlier = [t for t in self.release_times if t < now]
        return max(earlier) if earlier else None

    def gaps_before(self, now: datetime) -> RobustBaseline:
        times = sorted(t for t in self.release_times if t < now)
        baseline = RobustBaseline(size=64, warmup=3)
        for a, b in itertools.pairwise(times):
            baseline.add((b - a).total_seconds())
        return baseline

    def age(self, now: datetime) -> timedelta:
        start = self.created if self.created is not None else self.first_seen
        return now - start


class World:
    """What every detector shares: account profiles and project histories."""

    def __init__(self, cloud_networks: tuple[str, ...] = ()) -> None:
        self.accounts: dict[str, AccountState] = {}
        self.projects: dict[str, ProjectState] = {}
        self._cloud = tuple(ipaddress.ip_network(n, strict=False) for n in cloud_networks)

    def account(self, name: str, now: datetime) -> AccountState:
        state = self.accounts.get(name)
        if state is None:
            state = self.accounts[name] = AccountState(first_seen=now)
        elif now < state.first_seen:
            state.first_seen = now
        return state

    def project(self, name: str, now: datetime) -> ProjectState:
        state = self.projects.get(name)
        if state is None:
            state = self.projects[name] = ProjectState(first_seen=now)
        elif now < state.first_seen:
            state.first_seen = now
        return state

    def is_cloud(self, ip: str | None) -> bool:
        if not ip or not self._cloud:
            return False
        try:
            addr = ipaddress.ip_address(ip.strip())
        except ValueError:
            return False
        return any(addr in net for net in self._cloud)


#: Events by which an account shows where it is: they teach and test novelty.
ACCESS_TAGS = frozenset(
    {
        EventTag.LOGIN,
        EventTag.TOKEN_USED,
        EventTag.FILE_UPLOADED,
        EventTag.TOKEN_CREATED,
        EventTag.TWO_FACTOR_DISABLED,
        EventTag.TWO_FACTOR_ENABLED,
        EventTag.RECOVERY_CODE_USED,
        EventTag.EMAIL_CHANGED,
        EventTag.PASSWORD_RESET,
        EventTag.PROJECT_CREATED,
        EventTag.ROLE_ADDED,
        EventTag.RELEASE_YANKED,
        EventTag.FILE_DELETED,
    }
)


def novelty(world: World, account: AccountState, event: Event) -> tuple[str, ...]:
    """Which of network, country and agent are new for an established account (as of before)."""
    now = event.time
    if not account.established(now):
        return ()
    found: list[str] = []
    net = network_of(event.ip)
    if net is not None and not account.networks.seen_before(net, now):
        found.append("network")
    if event.country and not account.countries.seen_before(event.country.upper(), now):
        found.append("country")
    family = agent_family(event.user_agent)
    if family is not None and not account.agents.seen_before(family, now):
        found.append("agent")
    return tuple(found)


def learn(account: AccountState, event: Event) -> None:
    net = network_of(event.ip)
    if net is not None:
        account.networks.add(net, event.time)
    if event.country:
        account.countries.add(event.country.upper(), event.time)
    family = agent_family(event.user_agent)
    if family is not None:
        account.agents.add(family, event.time)
        since = account.agent_since.get(family)
        if since is None or event.time < since:
            account.agent_since[family] = event.time
            if len(account.agent_since) > MAX_KNOWN:
                del account.agent_since[next(iter(account.agent_since))]
