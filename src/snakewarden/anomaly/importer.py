"""Parse the JSON-lines event format (documented in docs/events-format.md).

One JSON object per line::

    {"id": "ev-1", "time": "2026-03-01T12:00:00Z", "tag": "account:session:login",
     "actor": "alice", "ip": "203.0.113.7", "user_agent": "Mozilla/5.0 ...", "country": "DE"}

Every field is checked and bounded; a bad line is reported with its number.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from packaging.utils import canonicalize_name

from snakewarden.core.events import Event, EventId, EventTag
from snakewarden.errors import AnomalyError

MAX_LINE_BYTES = 64 * 1024
MAX_LINES = 5_000_000
MAX_DETAILS = 32
_FIELD_LIMITS = {
    "actor": 256,
    "project": 256,
    "version": 128,
    "filename": 512,
    "ip": 64,
    "user_agent": 1024,
    "country": 8,
}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,199}$")
_KNOWN = {"id", "time", "tag", "details", *_FIELD_LIMITS}


class EventFormatError(AnomalyError):
    """One line of an event file is invalid."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}", hint="see docs/events-format.md")
        self.line = line
        self.reason = reason


class EventFileError(AnomalyError):
    """An event file has invalid lines or exceeds a bound."""

    def __init__(self, path: str, errors: list[EventFormatError], more: int = 0) -> None:
        lines = "\n".join(f"  {path}:{e.line}: {e.reason}" for e in errors)
        extra = f"\n  … and {more} more" if more else ""
        super().__init__(
            f"{path}: {len(errors) + more} invalid line(s); nothing imported\n{lines}{extra}",
            hint="fix the lines, or pass --skip-invalid to import the valid ones",
        )
        self.errors = errors


def parse_time(value: Any, line: int) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise EventFormatError(line, "'time' must be an RFC 3339 string")
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise EventFormatError(line, f"'time' is not an RFC 3339 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise EventFormatError(line, "'time' needs a timezone (Z or +hh:mm)")
    return parsed.astimezone(UTC)


def parse_event(text: str | bytes, line: int = 1) -> Event:
    """One JSON-lines record → ``Event``; raises ``EventFormatError`` with the line number."""
    if len(text) > MAX_LINE_BYTES:
        raise EventFormatError(line, f"longer than {MAX_LINE_BYTES} bytes")
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise EventFormatError(line, f"not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise EventFormatError(line, "not a JSON object")
    unknown = sorted(set(obj) - _KNOWN)
    if unknown:
        raise EventFormatError(line, f"unknown field(s): {', '.join(unknown[:5])}")
    event_id = obj.get("id")
    if not isinstance(event_id, str) or not _ID.match(event_id):
        raise EventFormatError(
            line, "'id' must be 1-200 characters of letters, digits and ._:@/+- "
        )
    try:
        tag = EventTag(str(obj.get("tag")))
    except ValueError:
        raise EventFormatError(line, f"unknown 'tag': {str(obj.get('tag'))[:80]!r}") from None
    values: dict[str, str | None] = {}
    for name, limit in _FIELD_LIMITS.items():
        value = obj.get(name)
        if value is None:
            values[name] = None
            continue
        if not isinstance(value, str):
            raise EventFormatError(line, f"'{name}' must be a string or null")
        if len(value) > limit:
            raise EventFormatError(line, f"'{name}' is longer than {limit} characters")
        values[name] = value or None
    if values["ip"] is not None:
        try:
            values["ip"] = str(ipaddress.ip_address(values["ip"]))
        except ValueError:
            raise EventFormatError(line, f"'ip' is not an IP address: {values['ip']!r}") from None
    if values["country"] is not None:
        country = values["country"].upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise EventFormatError(line, "'country' must be an ISO 3166 alpha-2 code")
        values["country"] = country
    raw_details = obj.get("details") or {}
    if not isinstance(raw_details, dict):
        raise EventFormatError(line, "'details' must be an object of strings")
    if len(raw_details) > MAX_DETAILS:
        raise EventFormatError(line, f"'details' has more than {MAX_DETAILS} entries")
    details: list[tuple[str, str]] = []
    for key, value in raw_details.items():
        if not isinstance(value, str) or len(key) > 64 or len(value) > 1024:
            raise EventFormatError(line, f"'details.{key[:64]}' must be a string ≤ 1024 characters")
        details.append((key, value))
    if values["project"] is not None:
        values["project"] = str(canonicalize_name(values["project"]))
    return Event(
        id=EventId(event_id),
        time=parse_time(obj.get("time"), line),
        tag=tag,
        details=tuple(sorted(details)),
        **values,
    )


@dataclass(frozen=True, slots=True)
class ReadResult:
    events: tuple[Event, ...]
    errors: tuple[EventFormatError, ...]
    lines: int
    invalid: int = 0


def read_events(
    stream: IO[bytes],
    *,
    max_lines: int = MAX_LINES,
    max_errors: int = 20,
) -> ReadResult:
    """Read a JSON-lines stream; keeps valid events and up to ``max_errors`` line errors."""
    events: list[Event] = []
    errors: list[EventFormatError] = []
    error_count = 0
    number = 0
    for number, raw in enumerate(_lines(stream), start=1):
        if number > max_lines:
            raise AnomalyError(
                f"more than {max_lines} lines", hint="split the file or raise --max-lines"
            )
        if raw is None:
            error_count += 1
            if len(errors) < max_errors:
                errors.append(EventFormatError(number, f"longer than {MAX_LINE_BYTES} bytes"))
            continue
        stripped = raw.strip()
        if not stripped:
            continue
        try:
            events.append(parse_event(stripped, number))
        except EventFormatError as exc:
            error_count += 1
            if len(errors) < max_errors:
                errors.append(exc)
    return ReadResult(tuple(events), tuple(errors), number, error_count)


def _lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    """Lines of at most MAX_LINE_BYTES (``None`` for an over-long one, skipped to its end)."""
    while True:
        chunk = stream.readline(MAX_LINE_BYTES + 1)
        if not chunk:
            return
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while True:
                rest = stream.readline(MAX_LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield chunk


def load_file(path: Path, *, max_lines: int = MAX_LINES, skip_invalid: bool = False) -> ReadResult:
    """Read an event file; without ``skip_invalid`` any invalid line fails the whole file."""
    try:
        with path.open("rb") as fh:
            result = read_events(fh, max_lines=max_lines)
    except OSError as exc:
        raise AnomalyError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if result.errors and not skip_invalid:
        raise EventFileError(str(path), list(result.errors), result.invalid - len(result.errors))
    return result


def event_to_json(event: Event) -> dict[str, Any]:
    """The inverse of ``parse_event`` (for exports and tests)."""
    out: dict[str, Any] = {
        "id": event.id,
        "time": event.time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "tag": event.tag.value,
    }
    for name in _FIELD_LIMITS:
        value = getattr(event, name)
        if value is not None:
            out[name] = value
    if event.details:
        out["details"] = dict(event.details)
    return out
