"""``sarif``: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver.rules`` holds every rule that has a result (id, name, short description,
default level and GitHub's ``security-severity``). Each finding is a result whose location is
``TARGET!/MEMBER`` (the member inside the scanned archive) with the line as ``region.startLine``.
Targets that could not be scanned become error notifications of the invocation, which is then
marked unsuccessful.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TextIO
from urllib.parse import quote

from snakewarden.core.models import Finding, ScanResult, Severity
from snakewarden.report.base import RuleInfo

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/snakewarden/snakewarden"
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
_SAFE = "/!:@-._~+=,;$&'()*"  # kept as is in the URI; everything else is percent-encoded


def location_uri(target: str, member: str) -> str:
    """``TARGET!/MEMBER`` as a URI reference (``TARGET`` alone for a finding on the whole)."""
    uri = quote(target.replace("\\", "/"), safe=_SAFE)
    if member:
        uri += "!/" + quote(member.lstrip("/"), safe=_SAFE)
    return uri


def _rule_name(rule_id: str) -> str:
    return "".join(p.capitalize() for p in rule_id.replace("_", "-").split("-") if p)


class SarifReporter:
    def __init__(
        self, out: TextIO, *, rules: Mapping[str, RuleInfo], tool_version: str = ""
    ) -> None:
        self.out = out
        self.catalog = rules
        self.tool_version = tool_version
        self.results: list[dict[str, Any]] = []
        self.used: dict[str, RuleInfo] = {}
        self.notifications: list[dict[str, Any]] = []

    def _rule(self, f: Finding) -> RuleInfo:
        info = self.used.get(f.rule)
        if info is None:
            info = self.catalog.get(f.rule) or RuleInfo(f.rule, f.message, f.severity, f.category)
            self.used[f.rule] = info
        return info

    def add(self, result: ScanResult) -> None:
        if result.error is not None:
            self.notifications.append(
                {
                    "level": "error",
                    "message": {"text": f"{result.target}: {result.error}"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": location_uri(result.target, "")}
                            }
                        }
                    ],
                }
            )
            return
        for f in result.findings:
            self._rule(f)
            physical: dict[str, Any] = {
                "artifactLocation": {"uri": location_uri(result.target, f.file)}
            }
            if f.line > 0:
                physical["region"] = {"startLine": f.line}
            entry: dict[str, Any] = {
                "ruleId": f.rule,
                "level": _LEVEL[f.severity],
                "message": {"text": f.message + (f"\n{f.evidence}" if f.evidence else "")},
                "locations": [{"physicalLocation": physical}],
                "properties": {
                    "target": result.target,
                    "verdict": str(result.verdict),
                    "score": round(result.score, 4),
                    "severity": str(f.severity),
                    "category": f.category,
                },
            }
            if result.name:
                entry["properties"]["package"] = result.name
            if result.version:
                entry["properties"]["version"] = result.version
            if result.sha256:
                entry["properties"]["sha256"] = result.sha256
            self.results.append(entry)

    def document(self) -> dict[str, Any]:
        ids = sorted(self.used)
        index = {rid: i for i, rid in enumerate(ids)}
        for entry in self.results:
            entry["ruleIndex"] = index[entry["ruleId"]]
        rules = []
        for rid in ids:
            info = self.used[rid]
            rules.append(
                {
                    "id": rid,
                    "name": _rule_name(rid),
                    "shortDescription": {"text": info.description or rid},
                    "defaultConfiguration": {"level": _LEVEL[info.severity]},
                    "properties": {
                        "tags": [
                            "security",
                            "supply-chain",
                            *([info.category] if info.category else []),
                        ],
                        "security-severity": _SECURITY_SEVERITY[info.severity],
                    },
                }
            )
        driver: dict[str, Any] = {
            "name": "snakewarden",
            "informationUri": INFORMATION_URI,
            "rules": rules,
        }
        if self.tool_version:
            driver["version"] = self.tool_version
            driver["semanticVersion"] = self.tool_version
        invocation: dict[str, Any] = {"executionSuccessful": not self.notifications}
        if self.notifications:
            invocation["toolExecutionNotifications"] = self.notifications
        return {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {"driver": driver},
                    "invocations": [invocation],
                    "results": self.results,
                }
            ],
        }

    def close(self) -> None:
        json.dump(self.document(), self.out, indent=2, ensure_ascii=False)
        self.out.write("\n")
        self.out.flush()
