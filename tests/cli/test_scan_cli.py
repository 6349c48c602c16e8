"""``snakewarden scan`` end to end: formats, exit codes, --from, --output, ordering."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from scan_packages import EVIL_SETUP, sdist_bytes

Run = Callable[..., tuple[int, str, str]]
SCHEMA = (
    Path(__file__).resolve().parent.parent
    / "unit"
    / "audit"
    / "data"
    / "schemas"
    / "sarif-2.1.0.json"
)
FIELDS = ["target", "name", "version", "sha256", "verdict", "score", "findings", "error"]
FINDING_FIELDS = ["rule", "category", "severity", "file", "line", "message", "evidence"]


def jsonl(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def test_malicious_sdist_exits_1_and_shows_the_line(run_cli: Run, evil_sdist: Path) -> None:
    code, out, _ = run_cli(str(evil_sdist))
    assert code == 1
    assert "malicious" in out
    assert "evildemo-1.0/setup.py:" in out
    assert "exec(" in out


def test_benign_sdist_exits_0(run_cli: Run, benign_sdist: Path) -> None:
    code, out, _ = run_cli(str(benign_sdist), "--format", "jsonl")
    assert code == 0
    (row,) = jsonl(out)
    assert list(row) == FIELDS
    assert row["verdict"] == "clean"
    assert row["name"] == "gooddemo"
    assert row["version"] == "1.0"
    assert row["target"] == str(benign_sdist)
    assert row["error"] is None


def test_jsonl_record_shape(run_cli: Run, evil_sdist: Path) -> None:
    code, out, _ = run_cli(str(evil_sdist), "--format", "jsonl")
    assert code == 1
    (row,) = jsonl(out)
    assert list(row) == FIELDS
    assert row["verdict"] == "malicious"
    assert isinstance(row["score"], float)
    assert len(str(row["sha256"])) == 64
    findings = row["findings"]
    assert isinstance(findings, list)
    assert findings
    for f in findings:
        assert list(f) == FINDING_FIELDS
    assert any(f["file"] == "evildemo-1.0/setup.py" and f["line"] > 0 for f in findings)


def test_unreadable_target_is_an_error_result_and_exit_2(
    run_cli: Run, benign_sdist: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    code, out, err = run_cli(
        str(benign_sdist), str(broken), "nope/missing.whl", "--format", "jsonl"
    )
    assert code == 2
    rows = jsonl(out)
    assert [r["verdict"] for r in rows] == ["clean", "error", "error"]
    assert "tar" in str(rows[1]["error"])
    assert "no such file" in str(rows[2]["error"])
    assert "2 of 3 target(s) could not be scanned" in err


def test_findings_beat_errors_for_the_exit_code(
    run_cli: Run, evil_sdist: Path, tmp_path: Path
) -> None:
    code, _, _ = run_cli(str(evil_sdist), str(tmp_path / "missing.tar.gz"), "--format", "json")
    assert code == 1


def test_fail_on_suspicious(run_cli: Run, tmp_path: Path) -> None:
    # An archive whose only problem is structural: a '..' member (weight 0.6: suspicious).
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 2
        tf.addfile(info, io.BytesIO(b"hi"))
        with tarfile.open(fileobj=io.BytesIO(sdist_bytes("odd", "1.0"))) as inner:
            for m in inner.getmembers():
                tf.addfile(m, inner.extractfile(m))
    target = tmp_path / "odd-1.0.tar.gz"
    target.write_bytes(buf.getvalue())
    code, out, _ = run_cli(str(target), "--format", "jsonl")
    (row,) = jsonl(out)
    assert row["verdict"] == "suspicious"
    assert code == 0
    code, _, _ = run_cli(str(target), "--format", "jsonl", "--fail-on", "suspicious")
    assert code == 1


def test_json_format_is_a_list(run_cli: Run, evil_sdist: Path, benign_sdist: Path) -> None:
    code, out, _ = run_cli(str(evil_sdist), str(benign_sdist), "--format", "json", "--jobs", "1")
    assert code == 1
    rows = json.loads(out)
    assert [r["target"] for r in rows] == [str(evil_sdist), str(benign_sdist)]
    assert [r["verdict"] for r in rows] == ["malicious", "clean"]


def test_sarif_format_is_valid(run_cli: Run, evil_sdist: Path, tmp_path: Path) -> None:
    code, out, _ = run_cli(str(evil_sdist), str(tmp_path / "gone.zip"), "--format", "sarif")
    assert code == 1
    doc = json.loads(out)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(doc)
    run = doc["runs"][0]
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in run["results"]} <= rule_ids
    assert all(r["shortDescription"]["text"] for r in run["tool"]["driver"]["rules"])
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert f"{evil_sdist}!/evildemo-1.0/setup.py" in uris
    assert run["invocations"][0]["executionSuccessful"] is False


def test_table_is_plain_when_not_a_terminal(run_cli: Run, evil_sdist: Path) -> None:
    code, out, err = run_cli(str(evil_sdist))
    assert code == 1
    assert "\x1b[" not in out
    assert "1 target: 1 malicious" in out
    assert err == ""


def test_from_file_skips_blanks_and_comments(
    run_cli: Run, evil_sdist: Path, benign_sdist: Path, tmp_path: Path
) -> None:
    listing = tmp_path / "targets.txt"
    listing.write_text(f"# packages to check\n\n{benign_sdist}\n   \n# more\n{evil_sdist}\n")
    code, out, _ = run_cli("--from", str(listing), "--format", "jsonl")
    assert code == 1
    assert [r["target"] for r in jsonl(out)] == [str(benign_sdist), str(evil_sdist)]


def test_from_file_missing_is_a_usage_error(run_cli: Run, tmp_path: Path) -> None:
    code, out, err = run_cli("--from", str(tmp_path / "nope.txt"))
    assert code == 2
    assert out == ""
    assert "cannot read" in err


@pytest.mark.parametrize(
    "argv",
    [
        (),
        ("--jobs", "0", "x"),
        ("--format", "xml", "x"),
        ("--fail-on", "clean", "x"),
        ("--timeout", "0", "x"),
    ],
)
def test_usage_errors_exit_2(run_cli: Run, argv: tuple[str, ...]) -> None:
    code, out, _ = run_cli(*argv)
    assert code == 2
    assert out == ""


def test_not_a_target_at_all(run_cli: Run) -> None:
    code, out, _ = run_cli("not a package!", "--format", "jsonl")
    assert code == 2
    (row,) = jsonl(out)
    assert "neither an existing path nor a package" in str(row["error"])


def test_output_file_is_written_atomically(run_cli: Run, evil_sdist: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out" / "report.json"
    dest.parent.mkdir()
    dest.write_text("old")
    code, out, _ = run_cli(str(evil_sdist), "--format", "json", "--output", str(dest))
    assert code == 1
    assert out == ""
    assert json.loads(dest.read_text())[0]["verdict"] == "malicious"
    assert [p.name for p in dest.parent.iterdir()] == ["report.json"]


def test_output_into_a_missing_folder_is_a_usage_error(
    run_cli: Run, evil_sdist: Path, tmp_path: Path
) -> None:
    code, _, err = run_cli(str(evil_sdist), "--output", str(tmp_path / "no" / "such" / "r.json"))
    assert code == 2
    assert "cannot write" in err


def test_folder_and_loose_file_targets(run_cli: Run, tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "setup.py").write_bytes(EVIL_SETUP)
    (folder / "escape").symlink_to("/etc/passwd")
    code, out, _ = run_cli(str(folder), str(folder / "setup.py"), "--format", "jsonl")
    assert code == 1
    rows = jsonl(out)
    assert [r["verdict"] for r in rows] == ["malicious", "malicious"]
    assert any(f["rule"] == "archive-link" for f in rows[0]["findings"])  # type: ignore[union-attr]


def test_order_is_kept_with_a_process_pool(
    run_cli: Run, evil_sdist: Path, benign_sdist: Path, tmp_path: Path
) -> None:
    targets = [
        str([evil_sdist, benign_sdist][i % 2]) if i % 3 else str(tmp_path / f"m{i}")
        for i in range(12)
    ]
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(targets) + "\n")
    code, out, _ = run_cli("--from", str(listing), "--format", "jsonl", "--jobs", "2")
    assert code == 1
    rows = jsonl(out)
    assert [r["target"] for r in rows] == targets
    for t, r in zip(targets, rows, strict=True):
        expected = "error" if "/m" in t else "malicious" if "evil" in t else "clean"
        assert r["verdict"] == expected


def test_a_target_past_the_timeout_becomes_an_error_and_the_pool_recovers(
    evil_sdist: Path, benign_sdist: Path
) -> None:
    from snakewarden.scanner import ScanOptions, scan_many

    targets = [str(evil_sdist), str(benign_sdist), str(evil_sdist)]
    results = list(scan_many(targets, ScanOptions(), jobs=2, timeout=0.001))
    assert [r.target for r in results] == targets
    for r in results:
        assert r.verdict in ("malicious", "clean", "error")
        if r.verdict == "error":
            assert "longer than" in str(r.error)


def _hostile(kind: str) -> bytes:
    def tar(entries: list[tuple[str, bytes]]) -> bytes:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tf:
            for name, data in entries:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
        return buf.getvalue()

    base = [("h-1.0/PKG-INFO", b"Metadata-Version: 2.1\nName: h\nVersion: 1.0\n")]
    if kind == "huge-line":
        return tar([*base, ("h-1.0/h/blob.py", b"x = '" + b"A" * (2 * 1024 * 1024) + b"'\n")])
    if kind == "deep-parens":
        return tar([*base, ("h-1.0/h/deep.py", b"x = " + b"(" * 100_000 + b")" * 100_000)])
    if kind == "bomb":
        return tar([*base, *((f"h-1.0/z{i}.bin", bytes(40 * 1024 * 1024)) for i in range(2))])
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["huge-line", "deep-parens", "bomb"])
def test_hostile_archives_are_judged_not_crashed(run_cli: Run, tmp_path: Path, kind: str) -> None:
    target = tmp_path / f"{kind}.tar.gz"
    target.write_bytes(_hostile(kind))
    code, out, _ = run_cli(str(target), "--format", "jsonl")
    (row,) = jsonl(out)
    assert row["verdict"] != "error"
    assert code in (0, 1)


def test_a_bug_while_scanning_one_target_exits_3_and_the_others_are_reported(
    run_cli: Run, benign_sdist: Path, evil_sdist: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import snakewarden.scanner as scanner

    real = scanner.analyze

    def buggy(artifact, *, target, **kwargs):  # type: ignore[no-untyped-def]
        if "gooddemo" in target:
            raise KeyError("a bug")
        return real(artifact, target=target, **kwargs)

    monkeypatch.setattr(scanner, "analyze", buggy)
    code, out, err = run_cli(
        str(benign_sdist), str(benign_sdist), "--format", "jsonl", "--jobs", "1"
    )
    rows = jsonl(out)
    assert code == 3
    assert [r["verdict"] for r in rows] == ["error", "error"]
    assert "internal error" in str(rows[0]["error"])
    assert "a bug" in err
    code, out, _ = run_cli(str(benign_sdist), str(evil_sdist), "--format", "jsonl", "--jobs", "1")
    assert code == 1  # a finding still wins
