"""The audit report as a CycloneDX 1.6 JSON BOM with its vulnerabilities (VEX-style).

Components are the checked dependencies (with ``pkg:pypi`` purls); each advisory becomes one
``vulnerabilities[]`` entry whose ``affects`` lists every component it hits. Known-malicious
releases carry CWE-506 (embedded malicious code). Findings that are not advisories (confusable
names, scanner verdicts) are recorded as ``snakewarden:*`` properties of their component.
The serial number and the timestamp are arguments, so the output is reproducible.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from snakewarden import __version__
from snakewarden.advisories.severity import cvss3_base_score
from snakewarden.audit.model import AuditReport, Dependency, FindingKind

_SEVERITIES = {"critical", "high", "medium", "low", "info", "none"}


def purl(dep: Dependency) -> str:
    base = f"pkg:pypi/{quote(dep.name, safe='')}"
    return f"{base}@{quote(dep.version, safe='')}" if dep.version else base


def _source(identifier: str) -> dict[str, str]:
    if identifier.startswith("CVE-"):
        return {"name": "NVD", "url": f"https://nvd.nist.gov/vuln/detail/{identifier}"}
    if identifier.startswith("GHSA-"):
        return {"name": "GitHub", "url": f"https://github.com/advisories/{identifier}"}
    return {"name": "OSV", "url": f"https://osv.dev/vulnerability/{identifier}"}


def render_cyclonedx(report: AuditReport, *, serial: str, timestamp: str) -> str:
    components: list[dict[str, Any]] = []
    vulns: dict[str, dict[str, Any]] = {}
    refs_seen: set[str] = set()
    for result in report.results:
        dep = result.dependency
        ref = purl(dep)
        if ref in refs_seen:
            continue
        refs_seen.add(ref)
        component: dict[str, Any] = {
            "type": "library",
            "bom-ref": ref,
            "name": dep.display_name or dep.name,
            "purl": ref,
        }
        if dep.version:
            component["version"] = dep.version
        props = [
            {"name": f"snakewarden:{f.kind.value}", "value": f"{f.id}: {f.title}"}
            for f in result.findings
            if f.kind in (FindingKind.CONFUSABLE, FindingKind.SCAN)
        ]
        if props:
            component["properties"] = props
        components.append(component)
        for f in result.findings:
            if f.kind not in (FindingKind.VULNERABILITY, FindingKind.MALICIOUS):
                continue
            affect = {
                "ref": ref,
                "versions": [{"version": dep.version or "", "status": "affected"}],
            }
            if f.id in vulns:
                vulns[f.id]["affects"].append(affect)
                continue
            entry: dict[str, Any] = {
                "bom-ref": f"vuln:{f.id}",
                "id": f.id,
                "source": _source(f.id),
            }
            if f.aliases:
                entry["references"] = [{"id": a, "source": _source(a)} for a in f.aliases]
            rating: dict[str, Any] = {"source": _source(f.id)}
            severity = f.severity if f.severity in _SEVERITIES else "unknown"
            rating["severity"] = severity
            if f.cvss:
                score = cvss3_base_score(f.cvss)
                if score is not None:
                    rating["score"] = score
                    rating["method"] = "CVSSv31" if f.cvss.startswith("CVSS:3.1") else "CVSSv3"
                    rating["vector"] = f.cvss
            entry["ratings"] = [rating]
            cwes = set(f.cwes) | ({506} if f.kind is FindingKind.MALICIOUS else set())
            if cwes:
                entry["cwes"] = sorted(cwes)
            if f.title:
                entry["description"] = f.title
            if f.details and f.details != f.title:
                entry["detail"] = f.details
            if f.kind is FindingKind.MALICIOUS:
                entry["recommendation"] = "Remove this release: it is known to be malicious."
            elif result.fix_version:
                entry["recommendation"] = f"Upgrade {dep.name} to {result.fix_version} or later."
            if f.url:
                entry["advisories"] = [{"url": f.url}]
            if f.published:
                entry["published"] = f.published
            if f.modified:
                entry["updated"] = f.modified
            entry["affects"] = [affect]
            vulns[f.id] = entry
    bom = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial,
        "version": 1,
        "metadata": {
            "timestamp": timestamp,
            "tools": {
                "components": [
                    {"type": "application", "name": "snakewarden", "version": __version__}
                ]
            },
        },
        "components": components,
        "vulnerabilities": list(vulns.values()),
    }
    return json.dumps(bom, indent=2, ensure_ascii=False) + "\n"
