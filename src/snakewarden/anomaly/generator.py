"""Background traffic for evaluating the detectors: a month of a busy index, with a fixed seed.

The population has thousands of accounts with home and office networks, devices, time zones and
habits; projects with their own release rhythms (active, slow, dormant), families released
together, CI pipelines uploading from cloud ranges with fresh addresses each run, and downloads
from everywhere. The month has daily and weekly rhythms, travel, new devices, mobile networks,
forgotten passwords, lost phones, token rotations, new maintainers, yanks and clean-ups, new
users registering and publishing, revived projects and a young project going viral.

A history of earlier releases and logins (the ``history_days`` before the month) precedes the
month so baselines exist, as they would on a real index.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from snakewarden.core.events import Event, EventId, EventTag

COUNTRIES: tuple[tuple[str, float, int], ...] = (
    # code, weight, UTC offset (hours)
    ("US", 28, -6), ("DE", 8, 1), ("IN", 8, 5), ("GB", 6, 0), ("CN", 5, 8), ("FR", 4, 1),
    ("BR", 4, -3), ("JP", 3, 9), ("CA", 3, -5), ("RU", 3, 3), ("NL", 2, 1), ("PL", 2, 1),
    ("ES", 2, 1), ("IT", 2, 1), ("AU", 2, 10), ("KR", 2, 9), ("SE", 1, 1), ("CH", 1, 1),
    ("UA", 1, 2), ("TR", 1, 3), ("ID", 1, 7), ("NG", 1, 1), ("MX", 1, -6), ("AR", 1, -3),
    ("SG", 1, 8), ("IL", 1, 2), ("VN", 1, 7), ("ZA", 1, 2), ("CZ", 1, 1), ("FI", 1, 2),
)  # fmt: skip

#: First octets used for residential, office and mobile networks (outside the cloud ranges).
_RESIDENTIAL_OCTETS = (
    24, 31, 37, 46, 50, 62, 68, 71, 73, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88,
    89, 90, 91, 92, 93, 94, 95, 98, 99, 101, 103, 106, 109, 110, 111, 112, 114, 115, 116, 117,
    118, 119, 121, 122, 123, 124, 125, 151, 176, 177, 178, 179, 180, 181, 182, 183, 185, 186,
    187, 188, 189, 190, 191, 193, 194, 195, 200, 201, 203, 210, 211, 212, 213, 217, 218, 219,
)  # fmt: skip
#: (first octet, second-octet range) inside ``DEFAULT_CLOUD_NETWORKS``: CI runners.
_CLOUD_BLOCKS = ((20, 32, 63), (20, 64, 127), (13, 64, 95), (40, 64, 127), (52, 0, 63),
                 (3, 0, 127), (34, 64, 127), (4, 0, 127))  # fmt: skip

_BROWSERS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_{a}) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.{a} Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/12{a}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:12{a}.0) Gecko/20100101 Firefox/12{a}.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/12{a}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:12{a}.0) Gecko/20100101 Firefox/12{a}.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:12{a}.0) Gecko/20100101 Firefox/12{a}.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/12{a}.0.0.0 Safari/537.36 Edg/12{a}.0.0.0",
)
_MOBILE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{a} like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.{a} Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel {a}) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/12{a}.0.0.0 Mobile Safari/537.36",
)
_UPLOADERS = (
    "twine/5.{a}.0 importlib_metadata/8.0.0 packaging/24.1 requests/2.32.3 "
    "requests-toolbelt/1.0.0 urllib3/2.2.2 tqdm/4.66.4 CPython/3.12.{a} Darwin/23.{a}.0",
    "twine/5.{a}.0 importlib_metadata/8.0.0 packaging/24.1 requests/2.32.3 "
    "requests-toolbelt/1.0.0 urllib3/2.2.2 tqdm/4.66.4 CPython/3.11.{a} Windows/10",
    "twine/4.0.{a} pkginfo/1.9.6 requests/2.31.0 requests-toolbelt/1.0.0 urllib3/2.0.7 "
    "tqdm/4.66.1 CPython/3.10.{a} Linux/6.{a}.0-arch1-1",
    "uv/0.4.{a}",
    "poetry/1.8.{a}",
    "flit/3.9.{a}",
    "hatch/1.12.{a}",
)
_CI_UPLOADERS = (
    "twine/5.{a}.0 importlib_metadata/8.0.0 packaging/24.1 requests/2.32.3 "
    "requests-toolbelt/1.0.0 urllib3/2.2.2 tqdm/4.66.4 CPython/3.12.{a} Linux/6.5.0-1025-azure",
    "uv/0.4.{a} (ci)",
    "pypa-gh-action-pypi-publish/1.{a}.0 twine/5.1.1 CPython/3.12.{a} Linux/6.5.0-1025-azure",
)
_INSTALLERS = (
    'pip/24.{a} {{"ci":null,"cpu":"x86_64","implementation":{{"name":"CPython"}}}}',
    'pip/23.{a} {{"ci":true,"cpu":"x86_64","implementation":{{"name":"CPython"}}}}',
    'uv/0.4.{a} {{"installer":{{"name":"uv"}},"ci":null}}',
    "bandersnatch/6.{a}.0",
    "poetry/1.8.{a}",
)
_WORDS = (
    "data", "fast", "py", "async", "cloud", "json", "yaml", "http", "api", "client", "kit",
    "tools", "utils", "lib", "core", "cli", "graph", "stream", "vector", "cache", "queue",
    "config", "schema", "model", "auth", "log", "metrics", "trace", "geo", "image", "audio",
    "text", "nlp", "ml", "bio", "chem", "astro", "quant", "finance", "sql", "mongo", "redis",
    "kafka", "django", "flask", "pytest", "sphinx", "jupyter", "notebook", "plot", "chart",
    "map", "grid", "mesh", "sim", "robot", "serial", "usb", "mqtt", "iot", "crypto", "hash",
    "token", "scrape", "crawl", "parse", "lint", "format", "type", "check", "test", "mock",
    "bench", "profile", "deploy", "infra", "k8s", "docker", "aws", "gcp", "azure", "slack",
    "discord-bot", "telegram-bot", "wiki", "pdf", "excel", "csv", "arrow", "parquet", "zarr",
)  # fmt: skip


def _prefix(rng: random.Random) -> str:
    return f"{rng.choice(_RESIDENTIAL_OCTETS)}.{rng.randrange(256)}.{rng.randrange(256)}"


def _cloud_ip(rng: random.Random) -> str:
    first, lo, hi = rng.choice(_CLOUD_BLOCKS)
    return f"{first}.{rng.randint(lo, hi)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _host(prefix: str, rng: random.Random) -> str:
    return f"{prefix}.{rng.randrange(1, 255)}"


@dataclass(slots=True)
class AccountProfile:
    name: str
    country: str
    offset: int
    home: list[str]
    office: str | None
    browser: str
    mobile: str | None
    uploader: str
    created: datetime
    logins_per_month: float
    uses_ci: bool
    projects: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ProjectProfile:
    name: str
    owner: str
    maintainers: list[str]
    created: datetime
    mean_gap_days: float
    wheels: int
    family: str | None
    releases: list[datetime] = field(default_factory=list)
    version: int = 0


@dataclass(frozen=True, slots=True)
class GeneratorConfig:
    seed: int = 20260301
    accounts: int = 3000
    days: int = 30
    start: datetime = datetime(2026, 3, 2, tzinfo=UTC)
    history_days: int = 120
    downloads_per_day: int = 20_000
    new_accounts_per_day: float = 12.0


@dataclass(slots=True)
class Population:
    """The generated world: scenarios pick their victims here."""

    start: datetime
    end: datetime
    accounts: dict[str, AccountProfile]
    projects: dict[str, ProjectProfile]
    countries: tuple[str, ...]


class _Emitter:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.events: list[Event] = []

    def emit(
        self,
        time: datetime,
        tag: EventTag,
        actor: str | None = None,
        *,
        project: str | None = None,
        version: str | None = None,
        filename: str | None = None,
        ip: str | None = None,
        ua: str | None = None,
        country: str | None = None,
        details: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.events.append(
            Event(
                EventId(f"{self.prefix}-{len(self.events):07d}"),
                time,
                tag,
                actor,
                project,
                version,
                filename,
                ip,
                ua,
                country,
                details,
            )
        )


class _Generator:
    def __init__(self, config: GeneratorConfig) -> None:
        self.c = config
        self.rng = random.Random(config.seed)
        self.out = _Emitter("bg")
        self.start = config.start
        self.end = config.start + timedelta(days=config.days)
        self.accounts: dict[str, AccountProfile] = {}
        self.projects: dict[str, ProjectProfile] = {}
        self._names: set[str] = set()
        weights = [w for _, w, _ in COUNTRIES]
        self._country_choices = self.rng.choices(COUNTRIES, weights=weights, k=100_000)
        self._ci = 0

    # -- population ---------------------------------------------------------------------------
    def _ua(self, templates: tuple[str, ...]) -> str:
        return self.rng.choice(templates).format(a=self.rng.randrange(1, 9))

    def _new_account(self, name: str, created: datetime) -> AccountProfile:
        rng = self.rng
        country, _, offset = rng.choice(self._country_choices)
        profile = AccountProfile(
            name=name,
            country=country,
            offset=offset,
            home=[_prefix(rng) for _ in range(rng.choice((1, 1, 1, 2)))],
            office=_prefix(rng) if rng.random() < 0.5 else None,
            browser=self._ua(_BROWSERS),
            mobile=self._ua(_MOBILE) if rng.random() < 0.4 else None,
            uploader=self._ua(_UPLOADERS),
            created=created,
            logins_per_month=min(120.0, rng.lognormvariate(1.6, 1.0)),
            uses_ci=rng.random() < 0.45,
        )
        self.accounts[name] = profile
        return profile

    def _project_name(self) -> str:
        rng = self.rng
        while True:
            parts = rng.sample(_WORDS, rng.choice((2, 2, 3)))
            name = "-".join(parts)
            if rng.random() < 0.2:
                name += f"{rng.randrange(2, 99)}"
            if name not in self._names:
                self._names.add(name)
                return name

    def build(self) -> None:
        rng = self.rng
        history_start = self.start - timedelta(days=365 * 6)
        for i in range(self.c.accounts):
            created = history_start + timedelta(
                seconds=rng.uniform(0, 6 * 365 * 86400 - 30 * 86400)
            )
            self._new_account(f"user{i:05d}", created)
        names = list(self.accounts)
        publishers = rng.sample(names, int(len(names) * 0.55))
        for owner in publishers:
            acc = self.accounts[owner]
            count = min(40, int(rng.paretovariate(1.6)))
            family = None
            if count >= 6 and rng.random() < 0.5:
                family = rng.choice(_WORDS)
            for _ in range(count):
                self._add_project(acc, family)

    def _add_project(self, acc: AccountProfile, family: str | None) -> ProjectProfile:
        rng = self.rng
        name = self._project_name() if family is None else f"{family}-{self._project_name()}"
        self._names.add(name)
        created = acc.created + timedelta(
            seconds=rng.uniform(0, max(1.0, (self.start - acc.created).total_seconds() - 86400))
        )
        kind = rng.random()
        if kind < 0.30:
            gap = rng.uniform(7, 40)  # active
        elif kind < 0.65:
            gap = rng.uniform(40, 200)  # slow
        else:
            gap = rng.uniform(400, 1500)  # mostly dormant
        maintainers = [acc.name]
        if rng.random() < 0.25:
            maintainers.append(rng.choice(list(self.accounts)))
        project = ProjectProfile(
            name=name,
            owner=acc.name,
            maintainers=maintainers,
            created=created,
            mean_gap_days=gap,
            wheels=rng.choice((0, 0, 1, 1, 1, 2, 5, 12, 24)),
            family=family,
        )
        self.projects[name] = project
        acc.projects.append(name)
        return project

    # -- rhythms ------------------------------------------------------------------------------
    def _local_time(self, acc: AccountProfile, day: datetime) -> datetime:
        """A moment of ``day`` (UTC midnight) following the account's local working rhythm."""
        rng = self.rng
        hour = rng.gauss(14, 4.0) if rng.random() < 0.8 else rng.uniform(0, 24)
        local = day + timedelta(hours=hour % 24)
        return local - timedelta(hours=acc.offset) + timedelta(seconds=rng.uniform(0, 3600))

    def _day(self) -> datetime:
        rng = self.rng
        while True:
            d = rng.randrange(self.c.days)
            day = self.start + timedelta(days=d)
            if day.weekday() < 5 or rng.random() < 0.45:
                return day

    # -- history before the month -------------------------------------------------------------
    def history(self) -> None:
        rng = self.rng
        out = self.out
        hstart = self.start - timedelta(days=self.c.history_days)
        for acc in self.accounts.values():
            out.emit(acc.created, EventTag.USER_CREATED, acc.name, ip=_host(acc.home[0], rng),
                     ua=acc.browser, country=acc.country)  # fmt: skip
            # earlier sessions: home most of the time, the office on weekdays, sometimes the phone
            count = min(60, 2 + _poisson(rng, acc.logins_per_month * self.c.history_days / 60))
            for _ in range(count):
                when = hstart + timedelta(seconds=rng.uniform(0, self.c.history_days * 86400))
                roll = rng.random()
                net, ua = rng.choice(acc.home), acc.browser
                if roll < 0.25 and acc.office:
                    net = acc.office
                elif roll < 0.3 and acc.mobile:
                    net, ua = _prefix(rng), acc.mobile
                out.emit(when, EventTag.LOGIN, acc.name, ip=_host(net, rng), ua=ua,
                         country=acc.country)  # fmt: skip
        families: dict[tuple[str, str], list[ProjectProfile]] = {}
        for project in self.projects.values():
            if project.family:
                families.setdefault((project.owner, project.family), []).append(project)
                continue
            self._history_releases(project)
        for group in families.values():
            self._family_history(group)

    def _history_releases(self, project: ProjectProfile) -> None:
        rng = self.rng
        acc = self.accounts[project.owner]
        self.out.emit(project.created, EventTag.PROJECT_CREATED, acc.name, project=project.name,
                      ip=_host(acc.home[0], rng), ua=acc.uploader, country=acc.country)  # fmt: skip
        t = project.created
        stop = self.start - timedelta(days=rng.uniform(0, 1) * project.mean_gap_days)
        while t < stop:
            self._release(project, t, history=True)
            t += timedelta(days=max(0.5, rng.expovariate(1 / project.mean_gap_days)))
        if not project.releases:
            self._release(project, project.created + timedelta(minutes=5), history=True)

    def _family_history(self, group: list[ProjectProfile]) -> None:
        rng = self.rng
        owner = self.accounts[group[0].owner]
        for p in group:  # a family grows one project at a time, then releases together
            p.mean_gap_days = group[0].mean_gap_days
            self.out.emit(p.created, EventTag.PROJECT_CREATED, owner.name, project=p.name,
                          ip=_host(owner.home[0], rng), ua=owner.uploader,
                          country=owner.country)  # fmt: skip
            self._release(p, p.created + timedelta(minutes=2), history=True)
        t = max(p.created for p in group) + timedelta(days=1)
        while t < self.start - timedelta(days=1):
            for p in group:
                self._release(p, t + timedelta(seconds=rng.uniform(0, 900)), history=True)
            t += timedelta(days=max(1.0, rng.expovariate(1 / group[0].mean_gap_days)))

    def _release(self, project: ProjectProfile, when: datetime, *, history: bool = False,
                 uploader: str | None = None, ip: str | None = None) -> None:  # fmt: skip
        rng = self.rng
        acc = self.accounts[uploader or project.owner]
        project.version += 1
        version = f"{project.version // 10}.{project.version % 10}.0"
        project.releases.append(when)
        ci = acc.uses_ci and rng.random() < 0.85
        if ip is not None:
            ua, country = acc.uploader, acc.country
        elif ci:
            ip, ua, country = _cloud_ip(rng), self._ua(_CI_UPLOADERS), "US"
        else:
            net = acc.office if acc.office and rng.random() < 0.3 else rng.choice(acc.home)
            ip, ua, country = _host(net, rng), acc.uploader, acc.country
        files = [f"{project.name.replace('-', '_')}-{version}.tar.gz"]
        files += [
            f"{project.name.replace('-', '_')}-{version}-cp3{i}-none-any.whl"
            for i in range(project.wheels)
        ]
        t = when
        for filename in files:
            details = (("token", f"tok-{acc.name}-{'ci' if ci else 'local'}"),)
            if not history:
                self.out.emit(t, EventTag.TOKEN_USED, acc.name, project=project.name, ip=ip,
                              ua=ua, country=country, details=details)  # fmt: skip
            self.out.emit(t, EventTag.FILE_UPLOADED, acc.name, project=project.name,
                          version=version, filename=filename, ip=ip, ua=ua, country=country,
                          details=details)  # fmt: skip
            t += timedelta(seconds=rng.uniform(1, 20))

    # -- the month ----------------------------------------------------------------------------
    def month(self) -> None:
        for acc in list(self.accounts.values()):
            self._account_month(acc)
        self._releases_month()
        self._new_users()
        self._downloads()

    def _login(self, acc: AccountProfile, when: datetime, net: str, ua: str, country: str) -> None:
        self.out.emit(when, EventTag.LOGIN, acc.name, ip=_host(net, self.rng), ua=ua,
                      country=country)  # fmt: skip

    def _account_month(self, acc: AccountProfile) -> None:
        rng = self.rng
        out = self.out
        n = _poisson(rng, acc.logins_per_month * self.c.days / 30)
        trip: tuple[datetime, datetime, str, str] | None = None
        if rng.random() < 0.06:
            begin = self._day()
            country = rng.choice(self._country_choices)[0] if rng.random() < 0.6 else acc.country
            trip = (begin, begin + timedelta(days=rng.randint(2, 8)), _prefix(rng), country)
        if rng.random() < 0.03:  # new laptop or browser this month
            switch = self._day()
            new_browser = self._ua(_BROWSERS)
        else:
            switch, new_browser = self.end, acc.browser
        for _ in range(n):
            day = self._day()
            when = self._local_time(acc, day)
            browser = new_browser if when >= switch else acc.browser
            roll = rng.random()
            if trip and trip[0] <= when <= trip[1]:
                self._login(acc, when, trip[2], browser, trip[3])
            elif roll < 0.08 and acc.mobile:
                carrier = f"{rng.choice((100, 101, 106, 110, 117, 223))}.{rng.randrange(256)}."
                self._login(acc, when, carrier + str(rng.randrange(256)), acc.mobile, acc.country)
            elif roll < 0.3 and acc.office and when.weekday() < 5:
                self._login(acc, when, acc.office, browser, acc.country)
            else:
                self._login(acc, when, rng.choice(acc.home), browser, acc.country)
        # rarer account events
        home = rng.choice(acc.home)
        if rng.random() < 0.02:
            when = self._local_time(acc, self._day())
            out.emit(when, EventTag.PASSWORD_RESET, acc.name, ip=_host(home, rng),
                     ua=acc.browser, country=acc.country)  # fmt: skip
            self._login(acc, when + timedelta(minutes=3), home, acc.browser, acc.country)
        if rng.random() < 0.005:
            when = self._local_time(acc, self._day())
            out.emit(when, EventTag.EMAIL_CHANGED, acc.name, ip=_host(home, rng),
                     ua=acc.browser, country=acc.country)  # fmt: skip
        if rng.random() < 0.002:
            when = self._local_time(acc, self._day())
            out.emit(when, EventTag.RECOVERY_CODE_USED, acc.name, ip=_host(home, rng),
                     ua=acc.browser, country=acc.country)  # fmt: skip
            out.emit(when + timedelta(minutes=2), EventTag.TWO_FACTOR_ENABLED, acc.name,
                     ip=_host(home, rng), ua=acc.browser, country=acc.country)  # fmt: skip
        if rng.random() < 0.0015:
            when = self._local_time(acc, self._day())
            out.emit(when, EventTag.TWO_FACTOR_DISABLED, acc.name, ip=_host(home, rng),
                     ua=acc.browser, country=acc.country)  # fmt: skip
            out.emit(when + timedelta(hours=rng.uniform(0.1, 30)), EventTag.TWO_FACTOR_ENABLED,
                     acc.name, ip=_host(home, rng), ua=acc.browser,
                     country=acc.country)  # fmt: skip
        if acc.projects and rng.random() < 0.08:  # token rotation, often for CI
            when = self._local_time(acc, self._day())
            token = f"tok-{acc.name}-{rng.randrange(10**6)}"
            out.emit(when, EventTag.TOKEN_CREATED, acc.name, ip=_host(home, rng), ua=acc.browser,
                     country=acc.country, details=(("token", token),))  # fmt: skip
            if acc.uses_ci:
                use = when + timedelta(minutes=rng.uniform(2, 25))
                out.emit(use, EventTag.TOKEN_USED, acc.name, ip=_cloud_ip(rng),
                         ua=self._ua(_CI_UPLOADERS), country="US",
                         details=(("token", token),))  # fmt: skip
        if acc.projects and rng.random() < 0.01:  # clean-up of old files in one project
            project = self.projects[rng.choice(acc.projects)]
            when = self._local_time(acc, self._day())
            for k in range(rng.randint(1, 30)):
                out.emit(when + timedelta(seconds=20 * k), rng.choice(
                    (EventTag.RELEASE_YANKED, EventTag.FILE_DELETED)), acc.name,
                    project=project.name, version=f"0.{k}.0", ip=_host(home, rng),
                    ua=acc.browser, country=acc.country)  # fmt: skip

    def _releases_month(self) -> None:
        rng = self.rng
        done_families: set[tuple[str, str]] = set()
        for project in list(self.projects.values()):
            if project.family:
                key = (project.owner, project.family)
                if key in done_families:
                    continue
                done_families.add(key)
                group = [
                    p for p in self.projects.values()
                    if p.family == project.family and p.owner == project.owner
                ]  # fmt: skip
                if rng.random() < min(0.9, self.c.days / project.mean_gap_days):
                    acc = self.accounts[project.owner]
                    when = self._local_time(acc, self._day())
                    for p in group:
                        self._release(p, when + timedelta(seconds=rng.uniform(0, 900)))
                continue
            acc = self.accounts[project.owner]
            expected = self.c.days / project.mean_gap_days
            count = _poisson(rng, expected)
            if project.mean_gap_days > 300 and rng.random() < 0.01:
                count = max(count, 1)  # a maintainer comes back to an old project
            for _ in range(count):
                uploader = None
                if len(project.maintainers) > 1 and rng.random() < 0.3:
                    uploader = project.maintainers[1]
                self._release(project, self._local_time(acc, self._day()), uploader=uploader)
            if rng.random() < 0.006:  # a new co-maintainer joins
                member = rng.choice(list(self.accounts))
                if member != acc.name:
                    when = self._local_time(acc, self._day())
                    self.out.emit(when, EventTag.ROLE_ADDED, acc.name, project=project.name,
                                  ip=_host(acc.home[0], rng), ua=acc.browser,
                                  country=acc.country,
                                  details=(("user", member), ("role", "Maintainer")))  # fmt: skip
                    project.maintainers.append(member)
                    if rng.random() < 0.2:
                        self._release(project, when + timedelta(hours=rng.uniform(1, 20)),
                                      uploader=member)  # fmt: skip

    def _new_users(self) -> None:
        rng = self.rng
        count = _poisson(rng, self.c.new_accounts_per_day * self.c.days)
        base = len(self.accounts)
        for i in range(count):
            created = self._local_time_any(self._day())
            acc = self._new_account(f"newuser{base + i:05d}", created)
            ip = _host(acc.home[0], rng)
            self.out.emit(created, EventTag.USER_CREATED, acc.name, ip=ip, ua=acc.browser,
                          country=acc.country)  # fmt: skip
            self.out.emit(created + timedelta(minutes=1), EventTag.LOGIN, acc.name, ip=ip,
                          ua=acc.browser, country=acc.country)  # fmt: skip
            self.out.emit(created + timedelta(minutes=4), EventTag.TWO_FACTOR_ENABLED, acc.name,
                          ip=ip, ua=acc.browser, country=acc.country)  # fmt: skip
            if rng.random() < 0.4:
                t = created + timedelta(hours=rng.uniform(0.2, 72))
                for _ in range(rng.choice((1, 1, 1, 1, 2, 2, 3))):
                    project = self._add_project(acc, None)
                    project.created = t
                    acc.uses_ci = False
                    self.out.emit(t, EventTag.TOKEN_CREATED, acc.name, ip=ip, ua=acc.browser,
                                  country=acc.country)  # fmt: skip
                    self.out.emit(t + timedelta(minutes=1), EventTag.PROJECT_CREATED, acc.name,
                                  project=project.name, ip=ip, ua=acc.uploader,
                                  country=acc.country)  # fmt: skip
                    self._release(project, t + timedelta(minutes=1, seconds=5), ip=ip)
                    t += timedelta(minutes=rng.uniform(3, 600))

    def _local_time_any(self, day: datetime) -> datetime:
        return day + timedelta(seconds=self.rng.uniform(0, 86400))

    def _downloads(self) -> None:
        rng = self.rng
        names = list(self.projects)
        weights = [rng.paretovariate(1.1) for _ in names]
        young = [p for p in self.projects.values() if p.created >= self.start]
        viral = rng.choice(young) if young else None
        total = self.c.downloads_per_day * self.c.days
        chosen = rng.choices(names, weights=weights, k=total)
        mirror = _prefix(rng)
        for name in chosen:
            project = self.projects[name]
            day = self._day()
            when = day + timedelta(hours=rng.gauss(13, 5) % 24, seconds=rng.uniform(0, 3600))
            if when < project.created or not project.releases:
                continue
            self._download(project, when, mirror)
        if viral is not None:  # a young project hits the front page: many networks, many tools
            peak = viral.created + timedelta(days=rng.uniform(1, 4))
            for _ in range(3000):
                when = peak + timedelta(hours=abs(rng.gauss(0, 6)))
                if when < self.end:
                    self._download(viral, when, mirror)

    def _download(self, project: ProjectProfile, when: datetime, mirror: str) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            ip, country = _cloud_ip(rng), "US"
        elif roll < 0.37:
            ip, country = _host(mirror, rng), "DE"
        else:
            ip, country = _host(_prefix(rng), rng), rng.choice(self._country_choices)[0]
        version = f"{project.version // 10}.{project.version % 10}.0"
        self.out.emit(when, EventTag.FILE_DOWNLOADED, None, project=project.name,
                      version=version, ip=ip, ua=self._ua(_INSTALLERS),
                      country=country)  # fmt: skip


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def generate(config: GeneratorConfig | None = None) -> tuple[Population, list[Event]]:
    """The population and its events (history, then the month), sorted by time."""
    gen = _Generator(config or GeneratorConfig())
    gen.build()
    gen.history()
    gen.month()
    events = sorted(gen.out.events, key=lambda e: (e.time, e.id))
    population = Population(
        start=gen.start,
        end=gen.end,
        accounts=gen.accounts,
        projects=gen.projects,
        countries=tuple(c for c, _, _ in COUNTRIES),
    )
    return population, events
