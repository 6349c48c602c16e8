"""The verdict store, the decision log and the reason slugs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from snakewarden.core.models import Verdict
from snakewarden.proxy.app import slug
from snakewarden.proxy.errors import ProxyError
from snakewarden.proxy.interfaces import DecisionRecord
from snakewarden.proxy.model import FileVerdict
from snakewarden.proxy.stores import JsonlDecisionLog, JsonVerdictStore

SHA = "cd" * 32
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_verdicts_round_trip_and_reject_damage(tmp_path: Path) -> None:
    store = JsonVerdictStore(tmp_path)
    verdict = FileVerdict(
        SHA,
        "a-1.0.tar.gz",
        "a",
        Verdict.MALICIOUS,
        0.9,
        ("r",),
        NOW,
        "s",
        3,
        "1.0",
        NOW,
        None,
        "verified",
    )
    assert store.get(SHA) is None
    store.put(verdict)
    assert store.get(SHA) == verdict
    path = tmp_path / SHA[:2] / f"{SHA}.json"
    assert JsonVerdictStore(tmp_path).get(SHA) == verdict  # read back from disk
    store = JsonVerdictStore(tmp_path)
    path.write_text("{broken")
    assert store.get(SHA) is None  # unreadable: scanned again
    other = dict(json.loads(json.dumps({"sha256": "ef" * 32})))
    path.write_text(json.dumps(other))
    assert store.get(SHA) is None
    with pytest.raises(ProxyError):
        store.get("../../etc/passwd")


def test_decision_log_appends_json_lines(tmp_path: Path) -> None:
    log = JsonlDecisionLog(tmp_path / "d" / "decisions.jsonl")
    log.record(
        DecisionRecord(NOW, "file", "block", "a", "1.0", "a-1.0.tar.gz", SHA, "verdict", "bad")
    )
    log.record(DecisionRecord(NOW, "file", "allow", "b"))
    lines = [json.loads(x) for x in (tmp_path / "d" / "decisions.jsonl").read_text().splitlines()]
    assert lines[0]["action"] == "block"
    assert lines[0]["reason"] == "bad"
    assert lines[0]["time"] == "2026-01-01T00:00:00+00:00"
    assert lines[1] == {
        "action": "allow",
        "project": "b",
        "stage": "file",
        "time": lines[0]["time"],
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "malicious (score 0.99): setup.py:7: runs code",
            "malicious-score-0.99-setup.py-7-runs-code",
        ),
        ("///", "refused"),
        ("a" * 500, "a" * 180),
    ],
)
def test_slug(text: str, expected: str) -> None:
    assert slug(text) == expected
