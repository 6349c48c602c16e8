"""The audit report as SARIF 2.1.0: one rule per advisory, one result per affected requirement.

Results point at the requirement's file and line when it came from a file. Dependencies that could
not be checked become error notifications of the invocation, which then is not successful.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePath
from typing import Any

from snakewarden import __version__
from snakewarden.advisories.severity import cvss3_base_score
from snakewarden.audit.model import AuditFinding, AuditReport, Dependency, FindingKind

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_RATING_SCORE = {"critical": 9.5, "high": 8.0, "medium": 5.5, "low": 2.0}
_MAX_TEXT = 4000


def _security_severity(f: AuditFinding) -> str | None:
    if f.kind is FindingKind.MALICIOUS:
        return "10.0"
    score = cvss3_base_score(f.cvss) if f.cvss else None
    if score is None:
        score = _RATING_SCORE.get(f.severity)
    return None if score is None else f"{score:.1f}"


def _level(f: AuditFinding) -> str:
    if f.kind is FindingKind.MALICIOUS or f.severity in ("high", "critical"):
        return "error"
    return "warning"


def _uri(path: str, base: Path | None) -> str:
    p = Path(path)
    if base is not None:
        try:
            return PurePath(p.resolve().relative_to(base.resolve())).as_posix()
        except ValueError:
            pass
    return p.as_posix()


def _message(dep: Dependency, f: AuditFinding) -> str:
    also = f" ({', '.join(f.aliases)})" if f.aliases else ""
    if f.kind is FindingKind.MALICIOUS:
        return f"{dep.label} is a known-malicious release: {f.id}{also}. Remove it."
    if f.kind in (FindingKind.CONFUSABLE, FindingKind.SCAN):
        return f"{dep.label}: {f.title}"
    fix = f" Fixed in {', '.join(f.fix_versions)}." if f.fix_versions else " No fix is known."
    return f"{dep.label} is affected by {f.id}{also}: {f.title}.{fix}"


def render_sarif(report: AuditReport, *, base: Path | None = None) -> str:
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for dep, f in report.findings:
        if f.id not in rules:
            props: dict[str, Any] = {
                "tags": ["security", f.kind.value, *(f"external/cwe/cwe-{c}" for c in f.cwes)]
            }
            sev = _security_severity(f)
            if sev is not None:
                props["security-severity"] = sev
            rule: dict[str, Any] = {
                "id": f.id,
                "name": f.kind.value,
                "shortDescription": {"text": (f.title or f.id)[:_MAX_TEXT]},
                "fullDescription": {"text": (f.details or f.title or f.id)[:_MAX_TEXT]},
                "properties": props,
            }
            if f.url:
                rule["helpUri"] = f.url
            rules[f.id] = rule
        result: dict[str, Any] = {
            "ruleId": f.id,
            "ruleIndex": list(rules).index(f.id),
            "level": _level(f),
            "message": {"text": _message(dep, f)},
            "properties": {
                "package": dep.display_name or dep.name,
                "version": dep.version,
                "aliases": list(f.aliases),
                "fixVersions": list(f.fix_versions),
            },
        }
        if dep.path:
            location: dict[str, Any] = {"artifactLocation": {"uri": _uri(dep.path, base)}}
            if dep.line > 0:
                location["region"] = {"startLine": dep.line}
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    notifications = [
        {
            "level": "error" if p.error else "note",
            "message": {"text": f"{p.origin}: {p.subject}: {p.reason}"},
        }
        for p in report.problems
    ]
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "snakewarden",
                        "version": __version__,
                        "informationUri": "https://github.com/snakewarden/snakewarden",
                        "rules": list(rules.values()),
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not report.errors,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
