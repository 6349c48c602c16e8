"""Parse OSV records (already decoded JSON values) into typed advisories (pure).

Records are hostile input: every field is type-checked, every list is bounded, and a record that
does not follow the schema raises :class:`~snakewarden.errors.OsvError` naming the problem.
"""

from __future__ import annotations

import json
from typing import Any

from packaging.utils import canonicalize_name

from snakewarden.advisories.model import (
    Advisory,
    AdvisoryId,
    Affected,
    Event,
    EventKind,
    Range,
    RangeType,
    Reference,
    Severity,
)
from snakewarden.errors import OsvError

MAX_ID = 200
MAX_LIST = 5000  # affected entries, events, versions, aliases, references per record
MAX_TEXT = 1_000_000  # summary/details characters


def parse_advisory(obj: object, raw: str | None = None) -> Advisory:
    """Turn one decoded OSV record into an :class:`Advisory`; ``raw`` is its JSON text."""
    if not isinstance(obj, dict):
        raise OsvError(f"an OSV record must be a JSON object, not {type(obj).__name__}")
    rid = _text(obj, "id", required=True, limit=MAX_ID)
    try:
        advisory = Advisory(
            id=AdvisoryId(rid),
            modified=_text(obj, "modified", limit=100),
            aliases=_strings(obj, "aliases"),
            related=_strings(obj, "related"),
            summary=_text(obj, "summary"),
            details=_text(obj, "details"),
            published=_text(obj, "published", limit=100),
            withdrawn=_text(obj, "withdrawn", limit=100),
            affected=tuple(_affected(a) for a in _list(obj, "affected")),
            severity=_severities(obj),
            references=tuple(_reference(r) for r in _list(obj, "references")),
            db_severity=_db_severity(obj),
            cwe_ids=_cwe_ids(obj),
            raw=raw if raw is not None else json.dumps(obj, separators=(",", ":")),
        )
    except OsvError as exc:
        raise OsvError(f"OSV record {rid}: {exc.message}") from None
    return advisory


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise OsvError(f"field {key!r} must be a list")
    if len(value) > MAX_LIST:
        raise OsvError(f"field {key!r} has {len(value)} entries (limit {MAX_LIST})")
    return value


def _text(obj: dict[str, Any], key: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise OsvError(f"an OSV record lacks the required field {key!r}")
        return ""
    if not isinstance(value, str):
        raise OsvError(f"field {key!r} must be a string")
    if len(value) > limit:
        raise OsvError(f"field {key!r} is longer than {limit} characters")
    if required and not value.strip():
        raise OsvError(f"field {key!r} is empty")
    return value


def _strings(obj: dict[str, Any], key: str) -> tuple[str, ...]:
    items = _list(obj, key)
    # map() keeps these checks in C: version lists run to thousands of entries.
    if items and (set(map(type, items)) != {str} or max(map(len, items)) > MAX_ID):
        raise OsvError(f"field {key!r} must be a list of short strings")
    return tuple(items)


def _affected(obj: object) -> Affected:
    if not isinstance(obj, dict):
        raise OsvError("each 'affected' entry must be an object")
    package = obj.get("package")
    if package is None:
        # Allowed by the schema for affected entries that only carry ranges of a GIT repo.
        ecosystem, name = "", ""
    elif isinstance(package, dict):
        ecosystem = _text(package, "ecosystem", limit=100)
        name = _text(package, "name", limit=MAX_ID)
    else:
        raise OsvError("'affected[].package' must be an object")
    versions = _strings(obj, "versions")
    return Affected(
        ecosystem=ecosystem,
        name=name,
        canonical_name=canonicalize_name(name) if name else canonicalize_name(""),
        ranges=tuple(_range(r) for r in _list(obj, "ranges")),
        versions=versions,
        severity=_severities(obj),
    )


def _range(obj: object) -> Range:
    if not isinstance(obj, dict):
        raise OsvError("each 'ranges' entry must be an object")
    rtype = obj.get("type")
    try:
        range_type = RangeType(str(rtype))
    except ValueError:
        raise OsvError(f"unknown range type {rtype!r}") from None
    events: list[Event] = []
    for e in _list(obj, "events"):
        if not isinstance(e, dict) or len(e) != 1:
            raise OsvError("each range event must be an object with exactly one key")
        ((key, value),) = e.items()
        try:
            kind = EventKind(key)
        except ValueError:
            raise OsvError(f"unknown range event {key!r}") from None
        if not isinstance(value, str) or not value or len(value) > MAX_ID:
            raise OsvError(f"range event {key!r} must have a non-empty version string")
        events.append(Event(kind, value))
    repo = obj.get("repo", "")
    return Range(range_type, tuple(events), repo if isinstance(repo, str) else "")


def _severities(obj: dict[str, Any]) -> tuple[Severity, ...]:
    out: list[Severity] = []
    for s in _list(obj, "severity"):
        if not isinstance(s, dict):
            raise OsvError("each 'severity' entry must be an object")
        out.append(Severity(_text(s, "type", limit=100), _text(s, "score", limit=1000)))
    return tuple(out)


def _reference(obj: object) -> Reference:
    if not isinstance(obj, dict):
        raise OsvError("each 'references' entry must be an object")
    return Reference(_text(obj, "type", limit=100), _text(obj, "url", limit=10_000))


def _db_severity(obj: dict[str, Any]) -> str:
    db = obj.get("database_specific")
    if isinstance(db, dict):
        sev = db.get("severity")
        if isinstance(sev, str) and len(sev) <= 50:
            return sev
    return ""


def _cwe_ids(obj: dict[str, Any]) -> tuple[str, ...]:
    db = obj.get("database_specific")
    if isinstance(db, dict):
        cwes = db.get("cwe_ids")
        if isinstance(cwes, list):
            return tuple(c for c in cwes[:50] if isinstance(c, str) and len(c) <= 50)
    return ()
