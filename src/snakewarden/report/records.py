"""The JSON record of a scan result: the shape ``json``, ``jsonl`` and the index share.

Exactly these fields, in this order::

    {"target", "name", "version", "sha256", "verdict", "score",
     "findings": [{"rule", "category", "severity", "file", "line", "message", "evidence"}],
     "error"}
"""

from __future__ import annotations

from typing import Any

from snakewarden.core.models import Finding, ScanResult


def finding_record(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "category": f.category,
        "severity": str(f.severity),
        "file": f.file,
        "line": f.line,
        "message": f.message,
        "evidence": f.evidence,
    }


def result_record(r: ScanResult) -> dict[str, Any]:
    return {
        "target": r.target,
        "name": r.name,
        "version": r.version,
        "sha256": r.sha256,
        "verdict": str(r.verdict),
        "score": round(r.score, 4),
        "findings": [finding_record(f) for f in r.findings],
        "error": r.error,
    }
