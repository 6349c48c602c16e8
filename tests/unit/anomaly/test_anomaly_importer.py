from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from snakewarden.anomaly.importer import (
    MAX_LINE_BYTES,
    EventFileError,
    EventFormatError,
    event_to_json,
    load_file,
    parse_event,
    read_events,
)
from snakewarden.anomaly.service import import_events
from snakewarden.anomaly.store import InMemoryAlertStore
from snakewarden.anomaly.webhook import InMemoryNotifier
from snakewarden.core.events import EventTag
from snakewarden.errors import AnomalyError

GOOD = {
    "id": "ev-1",
    "time": "2026-03-01T12:00:00Z",
    "tag": "account:session:login",
    "actor": "alice",
    "ip": "203.0.113.7",
    "user_agent": "Mozilla/5.0",
    "country": "de",
    "details": {"token": "t1"},
}


def line(**changes: object) -> str:
    obj: dict[str, object] = dict(GOOD)
    for key, value in changes.items():
        if value is None:
            obj.pop(key, None)
        else:
            obj[key] = value
    return json.dumps(obj)


def test_parse_good_line_round_trips() -> None:
    event = parse_event(line(project="My_Project"))
    assert event.tag is EventTag.LOGIN
    assert event.country == "DE"
    assert event.project == "my-project"
    assert event.detail("token") == "t1"
    assert event.time.isoformat() == "2026-03-01T12:00:00+00:00"
    assert parse_event(json.dumps(event_to_json(event))) == event


def test_offsets_are_converted_to_utc() -> None:
    event = parse_event(line(time="2026-03-01T14:00:00+02:00"))
    assert event.time.hour == 12


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        (line(id=None), "'id'"),
        (line(id="bad id with spaces"), "'id'"),
        (line(tag="account:session:teleport"), "unknown 'tag'"),
        (line(time="yesterday"), "RFC 3339"),
        (line(time="2026-03-01T12:00:00"), "needs a timezone"),
        (line(ip="300.1.1.1"), "not an IP address"),
        (line(country="Germany"), "ISO 3166"),
        (line(actor=5), "'actor' must be a string"),
        (line(actor="x" * 300), "longer than 256"),
        (line(details=[1]), "'details' must be an object"),
        (line(details={str(i): "v" for i in range(40)}), "more than 32"),
        (line(details={"k": 1}), "details.k"),
        (line(extra="x"), "unknown field"),
        ("1" * (MAX_LINE_BYTES + 1), "longer than"),
    ],
)
def test_bad_lines_say_why(text: str, reason: str) -> None:
    with pytest.raises(EventFormatError, match="line 7") as info:
        parse_event(text, 7)
    assert reason in info.value.reason


def test_file_errors_carry_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([line(), "", line(id="ev-2", tag="nope"), line(id="ev-3")]) + "\n")
    with pytest.raises(EventFileError) as info:
        load_file(path)
    assert "events.jsonl:3" in info.value.message
    assert "nothing imported" in info.value.message
    result = load_file(path, skip_invalid=True)
    assert [e.id for e in result.events] == ["ev-1", "ev-3"]
    assert result.invalid == 1


def test_overlong_line_is_skipped_not_buffered() -> None:
    data = line().encode() + b"\n" + b"x" * (3 * MAX_LINE_BYTES) + b"\n" + line(id="ev-9").encode()
    result = read_events(io.BytesIO(data))
    assert [e.id for e in result.events] == ["ev-1", "ev-9"]
    assert result.errors[0].line == 2


def test_line_count_is_bounded() -> None:
    data = "\n".join(line(id=f"e{i}") for i in range(5)).encode()
    with pytest.raises(AnomalyError, match="more than 3 lines"):
        read_events(io.BytesIO(data), max_lines=3)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AnomalyError, match="cannot read"):
        load_file(tmp_path / "missing.jsonl")


def test_import_is_idempotent_and_notifies_new_alerts_once() -> None:
    store = InMemoryAlertStore()
    notifier = InMemoryNotifier()
    events = [
        parse_event(
            line(
                id=f"c{i}",
                tag="project:project:created",
                actor="bot",
                project=name,
                ip="203.0.113.5",
            )
        )
        for i, name in enumerate(["reqeusts", "panads", "djnago"])
    ]
    first = import_events(events, store, store, notifier=notifier)
    assert first.new_events == 3
    assert first.new_alerts
    again = import_events(events, store, store, notifier=notifier)
    assert again.new_events == 0
    assert again.new_alerts == ()
    assert len(notifier.sent) == len(first.new_alerts)
