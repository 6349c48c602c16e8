"""Scan reporters: record shape, SARIF locations, safe table text, the format registry."""

from __future__ import annotations

import io
import json

import pytest

from snakewarden.core.models import Finding, ScanResult, Severity, Verdict
from snakewarden.report import SCAN_FORMATS, scan_reporter
from snakewarden.report.records import result_record
from snakewarden.report.sarif import location_uri
from snakewarden.report.table import _clean


def test_location_uri() -> None:
    assert (
        location_uri("dist/a-1.0.tar.gz", "a-1.0/setup.py") == "dist/a-1.0.tar.gz!/a-1.0/setup.py"
    )
    assert location_uri("requests==2.0", "") == "requests==2.0"
    assert location_uri("my dir\\x.zip", "p q/#x.py") == "my%20dir/x.zip!/p%20q/%23x.py"


def test_clean_removes_control_characters_and_shortens() -> None:
    assert _clean("a\x1b[31mb\nc") == "a\ufffd[31mb c"
    assert len(_clean("x" * 1000, 50)) == 50


def test_record_of_an_error() -> None:
    rec = result_record(ScanResult("t", Verdict.ERROR, 0.0, error="boom"))
    assert rec == {
        "target": "t",
        "name": None,
        "version": None,
        "sha256": None,
        "verdict": "error",
        "score": 0.0,
        "findings": [],
        "error": "boom",
    }


@pytest.mark.parametrize("fmt", SCAN_FORMATS)
def test_every_format_handles_an_empty_run(fmt: str) -> None:
    out = io.StringIO()
    reporter = scan_reporter(fmt, out)
    reporter.close()
    if fmt in ("json", "sarif"):
        json.loads(out.getvalue())


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown scan format"):
        scan_reporter("xml", io.StringIO())


def test_jsonl_streams_each_result_at_once() -> None:
    out = io.StringIO()
    reporter = scan_reporter("jsonl", out)
    f = Finding("r", "c", Severity.HIGH, "m", "f.py", 3, "e\u00e9", 0.5)
    reporter.add(ScanResult("a", Verdict.SUSPICIOUS, 0.5, findings=(f,)))
    assert json.loads(out.getvalue())["findings"][0]["evidence"] == "e\u00e9"
