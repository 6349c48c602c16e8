"""`snakewarden events import|replay|scan` and `snakewarden alerts [ack|close]`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from snakewarden.cli.main import main


def _events(path: Path) -> Path:
    lines = [
        {"id": f"c{i}", "time": f"2026-03-01T12:0{i}:00Z", "tag": "project:project:created",
         "actor": "bot", "project": name, "ip": "203.0.113.5"}
        for i, name in enumerate(["reqeusts", "panads", "djnago"])
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    return path


def test_import_list_ack_close(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = _events(tmp_path / "ev.jsonl")
    assert main(["events", "import", str(file)]) == 1
    out, err = capsys.readouterr()
    assert "typosquat-burst" in out
    assert "imported 3 new event(s)" in err

    assert main(["events", "import", str(file)]) == 0  # idempotent: nothing new
    assert "0 new alert(s)" in capsys.readouterr().err

    assert main(["alerts", "--format", "jsonl"]) == 1
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert rows
    assert all(r["state"] == "open" for r in rows)
    first = rows[0]["id"]

    assert main(["alerts", "show", first]) == 0
    shown = capsys.readouterr().out
    assert "evidence:" in shown
    assert "reqeusts" in shown
    assert "events:   c" in shown
    assert main(["alerts", "show", "al-nope"]) == 2
    capsys.readouterr()

    assert main(["alerts", "ack", first]) == 0
    assert "acknowledged" in capsys.readouterr().out
    assert main(["alerts", "--state", "acknowledged"]) == 0
    assert first in capsys.readouterr().out
    assert main(["alerts", "close", first]) == 0
    capsys.readouterr()
    assert main(["alerts", "--state", "closed", "--format", "jsonl"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["id"] == first

    assert main(["events", "replay"]) == 0  # already stored
    assert main(["events", "scan", "--format", "jsonl"]) == 1
    assert "typosquat-burst" in capsys.readouterr().out


def test_unknown_alert_and_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["alerts", "ack", "al-nope"]) == 2
    assert "no alert with id" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\nnot json\n')
    assert main(["events", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl:1" in err
    assert "bad.jsonl:2" in err
    assert "nothing imported" in err
    assert main(["events", "import", str(tmp_path / "missing.jsonl")]) == 2


def test_empty_listing_and_explicit_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path}/x.db"
    assert main(["alerts", "--db", db]) == 0
    assert "no alerts" in capsys.readouterr().out
    assert main(["alerts", "--db", "bogus://"]) == 2
