"""Which versions an OSV record affects, and which version fixes it (pure).

Semantics follow the OSV schema's evaluation of ``ECOSYSTEM`` and ``SEMVER`` ranges:

* events of a range are sorted by version (``introduced: "0"`` first) and walked in order;
  ``introduced`` at or below the version turns "affected" on, ``fixed`` at or below turns it off,
  ``last_affected`` strictly below turns it off;
* ``limit`` events cap a range: a version at or above every limit is not affected;
* a version listed in ``affected[].versions`` is affected whatever the ranges say;
* ``GIT`` ranges name commits, not versions, and do not take part in version matching;
* withdrawn records affect nothing.

Versions are compared with PEP 440 (``packaging``), so ``1.0`` equals ``1.0.0``. A ``SEMVER``
range is compared with SemVer 2.0 precedence when every bound and the version are SemVer
strings, else with PEP 440. A bound that parses under neither cannot be placed; such a range
matches nothing and only the explicit version list counts (:func:`undecidable_ranges` tells).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from packaging.utils import NormalizedName
from packaging.version import InvalidVersion, Version

from snakewarden.advisories.model import PYPI, Advisory, Affected, EventKind, Range, RangeType

_SEMVER = re.compile(
    r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$"
)


@lru_cache(maxsize=65536)
def parse_version(text: str) -> Version | None:
    """A PEP 440 version, or ``None`` when ``text`` is not one."""
    try:
        return Version(text)
    except InvalidVersion:
        return None


def semver_key(text: str) -> tuple[Any, ...] | None:
    """A sort key with SemVer 2.0 precedence, or ``None`` when ``text`` is not SemVer."""
    m = _SEMVER.match(text)
    if m is None:
        return None
    major, minor, patch, pre = int(m[1]), int(m[2]), int(m[3]), m[4]
    if pre is None:
        return (major, minor, patch, 1, ())
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (major, minor, patch, 0, parts)


# A range prepared for one ordering: its events sorted, each with its parsed bound (None for
# ``introduced: "0"``), and its limits.
_Prepared = tuple[tuple[tuple[EventKind, Any], ...], tuple[Any, ...]]


def _prepare(rng: Range, key: Callable[[str], Any]) -> _Prepared | None:
    bounds: list[tuple[EventKind, Any]] = []
    for e in rng.events:
        if e.kind is EventKind.INTRODUCED and e.value == "0":
            bounds.append((e.kind, None))
            continue
        k = key(e.value)
        if k is None:
            return None
        bounds.append((e.kind, k))
    ordered = sorted(bounds, key=lambda b: (0,) if b[1] is None else (1, b[1]))
    limits = tuple(k for kind, k in bounds if kind is EventKind.LIMIT)
    return tuple(ordered), limits


@lru_cache(maxsize=32768)
def _prepared(rng: Range) -> tuple[_Prepared | None, _Prepared | None]:
    """The range under SemVer (SEMVER ranges only) and under PEP 440 ordering, when possible."""
    semver = _prepare(rng, semver_key) if rng.type is RangeType.SEMVER else None
    return semver, _prepare(rng, parse_version)


def range_contains(rng: Range, version: str) -> bool | None:
    """Whether ``version`` lies in ``rng``; ``None`` when that cannot be decided."""
    if rng.type is RangeType.GIT:
        return False
    semver, pep440 = _prepared(rng)
    v: Any = semver_key(version) if semver is not None else None
    prepared = semver
    if v is None:
        v, prepared = parse_version(version), pep440
    if v is None or prepared is None:
        return None
    ordered, limits = prepared
    affected = False
    for kind, bound in ordered:
        if kind is EventKind.INTRODUCED:
            if bound is None or v >= bound:
                affected = True
        elif kind is EventKind.FIXED:
            if v >= bound:
                affected = False
        elif kind is EventKind.LAST_AFFECTED and v > bound:
            affected = False
    if affected and limits and not any(v < lim for lim in limits):
        return False
    return affected


_PLAIN_RELEASE = re.compile(r"^\d+(?:\.\d+)*$")


def _strip_zeros(release: tuple[int, ...]) -> tuple[int, ...]:
    end = len(release)
    while end > 1 and release[end - 1] == 0:
        end -= 1
    return release[:end]


def _equality_key(v: Version) -> tuple[object, ...]:
    """A hashable key equal for PEP 440-equal versions (plain releases without parsing)."""
    if v.epoch == 0 and v.pre is None and v.post is None and v.dev is None and v.local is None:
        return ("release", _strip_zeros(v.release))
    return ("version", v)


def _entry_key(entry: str) -> tuple[object, ...] | None:
    if _PLAIN_RELEASE.match(entry):
        return ("release", _strip_zeros(tuple(map(int, entry.split(".")))))
    parsed = parse_version(entry)
    return None if parsed is None else _equality_key(parsed)


@lru_cache(maxsize=8192)
def _version_keys(versions: tuple[str, ...]) -> frozenset[tuple[object, ...]]:
    return frozenset(k for k in map(_entry_key, versions) if k is not None)


# Entries whose plain-release spelling is unusual: a "v", white space, a numeric part with a
# leading zero, or six trailing ".0"s. Lists without any are checked by spelling alone.
_LEADING_ZERO = re.compile(r"[.\n]0\d")
_MAX_ZEROS = 6


@lru_cache(maxsize=8192)
def _irregular(versions: tuple[str, ...]) -> bool:
    joined = "\n".join(versions)
    return (
        any(c in joined for c in "vV \t\r\f")
        or ".0.0.0.0.0.0" in joined
        or (joined[:1] == "0" and joined[1:2].isdigit())
        or _LEADING_ZERO.search(joined) is not None
    )


def _in_versions(affected: Affected, version: str) -> bool:
    if not affected.versions:
        return False
    if version in affected.versions:
        return True
    parsed = parse_version(version)
    if parsed is None:
        return False
    key = _equality_key(parsed)
    if key[0] == "release" and not _irregular(affected.versions):
        # A plain release equals exactly the spellings "1.2", "1.2.0", "1.2.0.0", ...
        release = parsed.release[: len(_strip_zeros(parsed.release))]
        spellings = (".".join(map(str, release + (0,) * n)) for n in range(_MAX_ZEROS))
        return any(s in affected.versions for s in spellings)
    return key in _version_keys(affected.versions)


def affected_contains(affected: Affected, version: str) -> bool:
    """Whether one ``affected[]`` entry covers ``version`` (explicit list or any range)."""
    if any(range_contains(r, version) is True for r in affected.ranges):
        return True
    return _in_versions(affected, version)


def affects(advisory: Advisory, name: NormalizedName, version: str, ecosystem: str = PYPI) -> bool:
    """Whether a non-withdrawn ``advisory`` affects ``name`` at ``version``."""
    if advisory.is_withdrawn:
        return False
    return any(affected_contains(a, version) for a in advisory.affected_for(name, ecosystem))


def undecidable_ranges(advisory: Advisory, name: NormalizedName, version: str) -> tuple[Range, ...]:
    """The ranges of ``advisory`` for ``name`` whose bounds cannot be compared with ``version``."""
    return tuple(
        r
        for a in advisory.affected_for(name)
        for r in a.ranges
        if range_contains(r, version) is None
    )


def fixed_versions(advisory: Advisory, name: NormalizedName) -> tuple[Version, ...]:
    """Every PEP 440 ``fixed`` bound of the package's version ranges, ascending."""
    found: set[Version] = set()
    for a in advisory.affected_for(name):
        for r in a.ranges:
            if r.type is RangeType.GIT:
                continue
            for e in r.events:
                if e.kind is EventKind.FIXED and (v := parse_version(e.value)) is not None:
                    found.add(v)
    return tuple(sorted(found))


def smallest_fix(
    advisories: Sequence[Advisory], name: NormalizedName, current: str
) -> Version | None:
    """The smallest version above ``current`` that none of ``advisories`` affects.

    Candidates are the ``fixed`` bounds the advisories name; ``None`` when no candidate escapes
    all of them (no fix is known for at least one advisory).
    """
    cur = parse_version(current)
    candidates = sorted(
        {v for adv in advisories for v in fixed_versions(adv, name) if cur is None or v > cur}
    )
    live = [adv for adv in advisories if not adv.is_withdrawn]
    entries = [a for adv in live for a in adv.affected_for(name)]
    for candidate in candidates:
        text = str(candidate)
        # Ranges first (a few events each), explicit version lists only for the survivors.
        if any(range_contains(r, text) is True for a in entries for r in a.ranges):
            continue
        if not any(_in_versions(a, text) for a in entries):
            return candidate
    return None


def _id_rank(identifier: str) -> tuple[int, str]:
    """Primary-id preference: PYSEC, then GHSA, then the rest; CVE last (it is an alias)."""
    for rank, prefix in enumerate(("MAL-", "PYSEC-", "GHSA-", "OSV-")):
        if identifier.startswith(prefix):
            return (rank, identifier)
    return (9 if identifier.startswith("CVE-") else 5, identifier)


def merge_aliases(advisories: Iterable[Advisory]) -> list[tuple[Advisory, ...]]:
    """Group records that describe the same issue; each group sorted best id first.

    Two records are the same issue when one names the other (``id`` of one among the other's
    ``aliases``) or they share a CVE. Sharing only a third-party id such as a GHSA that covers
    several CVEs does not merge two records of one database (PYSEC-x and PYSEC-y stay apart,
    as pip-audit keeps them). Grouping is transitive and independent of input order.
    """
    items = list(advisories)
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_id: dict[str, int] = {}
    by_cve: dict[str, int] = {}
    for i, adv in enumerate(items):
        if adv.id in by_id:
            parent[find(i)] = find(by_id[adv.id])
        by_id.setdefault(adv.id, i)
    for i, adv in enumerate(items):
        for alias in adv.aliases:
            j = by_id.get(alias)
            if j is not None:
                parent[find(i)] = find(j)
        for cve in (x for x in adv.ids if x.startswith("CVE-")):
            j = by_cve.setdefault(cve, i)
            parent[find(i)] = find(j)
    groups: dict[int, list[Advisory]] = {}
    for i, adv in enumerate(items):
        groups.setdefault(find(i), []).append(adv)
    out = [tuple(sorted(g, key=lambda a: _id_rank(a.id))) for g in groups.values()]
    out.sort(key=lambda g: _id_rank(g[0].id))
    return out
