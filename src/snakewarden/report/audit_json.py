"""The audit report as JSON (``snakewarden-audit/1``): stable keys, for machines and diffs."""

from __future__ import annotations

import json
from typing import Any

from snakewarden.audit.model import AuditFinding, AuditReport, Dependency, FindingKind, Problem

SCHEMA = "snakewarden-audit/1"


def _dependency(dep: Dependency) -> dict[str, Any]:
    return {
        "name": dep.display_name or dep.name,
        "canonical_name": dep.name,
        "version": dep.version,
        "origin": dep.origin,
    }


def finding_dict(f: AuditFinding) -> dict[str, Any]:
    return {
        "kind": f.kind.value,
        "id": f.id,
        "aliases": list(f.aliases),
        "title": f.title,
        "severity": f.severity or None,
        "cvss": f.cvss or None,
        "fix_versions": list(f.fix_versions),
        "url": f.url,
        "published": f.published or None,
        "modified": f.modified or None,
        "cwes": [f"CWE-{c}" for c in f.cwes],
    }


def _problem(p: Problem) -> dict[str, Any]:
    return {
        "origin": p.origin,
        "subject": p.subject,
        "reason": p.reason,
        "error": p.error,
        "hint": p.hint or None,
    }


def report_dict(report: AuditReport) -> dict[str, Any]:
    results = [
        {
            **_dependency(r.dependency),
            "fix_version": r.fix_version,
            "findings": [finding_dict(f) for f in r.findings],
            "ignored": list(r.ignored),
        }
        for r in report.results
    ]
    return {
        "schema": SCHEMA,
        "summary": {
            "dependencies": len(report.results),
            "vulnerable": sum(1 for r in report.results if r.findings),
            "findings": len(report.findings),
            "malicious": sum(1 for _d, f in report.findings if f.kind is FindingKind.MALICIOUS),
            "errors": len(report.errors),
            "exit_code": report.exit_code,
        },
        "sources": list(report.sources),
        "database": dict(report.database),
        "dependencies": results,
        "errors": [_problem(p) for p in report.problems if p.error],
        "skipped": [_problem(p) for p in report.problems if not p.error],
    }


def render_json(report: AuditReport) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
