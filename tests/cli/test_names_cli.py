"""``snakewarden names check`` and ``snakewarden data update`` through ``main``."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from snakewarden.cli.main import main


def test_reqeusts_is_confusable_and_requests_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["names", "check", "reqeusts", "requests", "--format", "jsonl"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {
        "name": "reqeusts",
        "verdict": "confusable",
        "similar_to": ["requests"],
        "kinds": ["transposition"],
        "score": lines[0]["score"],
    }
    assert lines[1]["verdict"] == "ok"
    assert lines[1]["similar_to"] == []


def test_all_ok_exits_zero_with_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["names", "check", "requests", "types-requests"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["NAME", "VERDICT", "SCORE"]
    assert "types-requests" in out


def test_names_from_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = tmp_path / "names.txt"
    listing.write_text("# to vet\ncolorama-py\n\nnumpy  # fine\n")
    assert main(["names", "check", "--from", str(listing), "--format", "jsonl"]) == 1
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["name"] for o in out] == ["colorama-py", "numpy"]
    assert out[0]["kinds"] == ["affix"]


def test_usage_errors_exit_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["names", "check"]) == 2
    assert main(["names", "check", "--from", str(tmp_path / "absent")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["names"]) == 2


def test_data_update_from_a_file_then_reset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("SNAKEWARDEN_HOME", str(home))
    source = tmp_path / "top.json"
    rows = [{"project": f"acme-project-{i}", "download_count": 1000 - i} for i in range(150)]
    source.write_text(json.dumps({"rows": rows}))
    assert main(["data", "update", "--from", str(source), "--top", "120"]) == 0
    written = home / "names" / "popular.tsv.gz"
    lines = gzip.decompress(written.read_bytes()).decode().splitlines()
    assert lines[1] == "1\tacme-project-0"
    assert len(lines) == 121
    capsys.readouterr()
    assert main(["names", "check", "acme-project-0", "requests", "--format", "jsonl"]) == 0
    assert main(["data", "update", "--reset"]) == 0
    assert not written.exists()
    capsys.readouterr()
    assert main(["names", "check", "reqeusts", "--format", "jsonl"]) == 1


def test_data_update_refuses_a_bad_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("SNAKEWARDEN_HOME", str(home))
    tiny = tmp_path / "tiny.tsv"
    tiny.write_text("1\tsix\n")
    assert main(["data", "update", "--from", str(tiny)]) == 2
    assert "refusing" in capsys.readouterr().err
    junk = tmp_path / "junk.json"
    junk.write_text("{nope")
    assert main(["data", "update", "--from", str(junk)]) == 2
    assert not (home / "names" / "popular.tsv.gz").exists()


def test_data_update_download_failure_is_clear(capsys: pytest.CaptureFixture[str]) -> None:
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    assert main(["data", "update", "--url", "http://127.0.0.1:9/top.json", "--timeout", "5"]) == 2
    assert "--from FILE" in capsys.readouterr().err
