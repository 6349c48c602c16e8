"""Reporters: one module per output format.

Scan results (``ScanResult``) are written by the scan reporters:

- ``table`` (``report.table``): a rich table, styled on a terminal and plain otherwise;
- ``json`` and ``jsonl`` (``report.jsonl``): the record of ``report.records.result_record``, a list
  of them or one per line;
- ``sarif`` (``report.sarif``): SARIF 2.1.0 for GitHub code scanning.

Every scan reporter follows ``ScanReporter``: ``add(result)`` for each result in order (a
streaming format writes it at once), then ``close()`` to finish the document. Other kinds of
output live in their own modules beside these (``cyclonedx``, ``audit_json``, ``audit_sarif``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from snakewarden.report.base import RuleInfo, ScanReporter

__all__ = ["SCAN_FORMATS", "RuleInfo", "ScanReporter", "scan_reporter"]

SCAN_FORMATS = ("table", "json", "jsonl", "sarif")


def scan_reporter(
    fmt: str,
    out: TextIO,
    *,
    styled: bool = False,
    width: int | None = None,
    rules: Mapping[str, RuleInfo] | None = None,
    tool_version: str = "",
) -> ScanReporter:
    """The reporter for ``fmt`` (one of ``SCAN_FORMATS``) writing to ``out``."""
    if fmt == "jsonl":
        from snakewarden.report.jsonl import JsonLinesReporter

        return JsonLinesReporter(out)
    if fmt == "json":
        from snakewarden.report.jsonl import JsonListReporter

        return JsonListReporter(out)
    if fmt == "sarif":
        from snakewarden.report.sarif import SarifReporter

        return SarifReporter(out, rules=rules or {}, tool_version=tool_version)
    if fmt == "table":
        from snakewarden.report.table import TableReporter

        return TableReporter(out, styled=styled, width=width)
    raise ValueError(f"unknown scan format {fmt!r}; choose from {', '.join(SCAN_FORMATS)}")
