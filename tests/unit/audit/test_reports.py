from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from audit_factory import dep, store
from referencing import Registry, Resource

from snakewarden.audit.auditor import audit
from snakewarden.audit.model import AuditFinding, AuditReport, FindingKind, InputSet, Problem
from snakewarden.report.audit_json import render_json
from snakewarden.report.audit_sarif import render_sarif
from snakewarden.report.audit_table import render_plain, render_table
from snakewarden.report.cyclonedx import render_cyclonedx

SCHEMAS = Path(__file__).parent / "data" / "schemas"


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text())


@pytest.fixture
def report(tmp_path: Path) -> AuditReport:
    req = str(tmp_path / "requirements.txt")
    inputs = InputSet(
        dependencies=(
            dep("webthing", "1.1", path=req, line=3),
            dep("evilthing", "0.0.1", path=req, line=4),
            dep("cleanlib", "2.0"),
        ),
        problems=(
            Problem(f"{req}:5", "flask>=1", "unpinned: no exact version (==) to check"),
            Problem(f"{req}:6", "pywin32", "marker is false", error=False),
        ),
        sources=(req,),
    )

    def names(d: Any) -> AuditFinding | None:
        if d.name == "cleanlib":
            return AuditFinding(FindingKind.CONFUSABLE, "name-confusion", title="imitates x")
        return None

    return audit(inputs, store(), name_check=names)


def test_sarif_validates_against_the_official_schema(report: AuditReport, tmp_path: Path) -> None:
    doc = json.loads(render_sarif(report, base=tmp_path))
    validator = jsonschema.Draft4Validator(_schema("sarif-2.1.0.json"))
    errors = sorted(validator.iter_errors(doc), key=str)
    assert errors == []
    run = doc["runs"][0]
    assert {r["ruleId"] for r in run["results"]} >= {"PYSEC-2020-1", "MAL-2024-9"}
    loc = run["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "requirements.txt"
    assert loc["region"]["startLine"] == 3
    assert run["invocations"][0]["executionSuccessful"] is False
    malicious = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "MAL-2024-9")
    assert malicious["properties"]["security-severity"] == "10.0"


def test_cyclonedx_validates_against_the_official_schema(report: AuditReport) -> None:
    text = render_cyclonedx(
        report,
        serial="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        timestamp="2026-01-01T00:00:00Z",
    )
    doc = json.loads(text)
    registry: Registry[Any] = Registry().with_resources(
        [
            ("http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json",
             Resource.from_contents(_schema("spdx.schema.json"))),
            ("http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json",
             Resource.from_contents(_schema("jsf-0.82.schema.json"))),
        ]
    )  # fmt: skip
    validator = jsonschema.Draft7Validator(
        _schema("bom-1.6.schema.json"),
        registry=registry,
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(doc), key=str)
    assert errors == []
    assert doc["specVersion"] == "1.6"
    vulns = {v["id"]: v for v in doc["vulnerabilities"]}
    assert vulns["MAL-2024-9"]["cwes"] == [506]
    assert vulns["PYSEC-2020-1"]["cwes"] == [79]  # from the merged GHSA record
    assert vulns["PYSEC-2020-1"]["affects"][0]["ref"] == "pkg:pypi/webthing@1.1"
    assert {r["id"] for r in vulns["PYSEC-2020-1"]["references"]} == {
        "CVE-2020-1",
        "GHSA-aaaa-bbbb-cccc",
    }
    assert vulns["PYSEC-2021-2"]["ratings"][0]["score"] == 9.8
    cleanlib = next(c for c in doc["components"] if c["name"] == "cleanlib")
    assert cleanlib["properties"][0]["name"] == "snakewarden:confusable"


def test_json_report(report: AuditReport) -> None:
    doc = json.loads(render_json(report))
    assert doc["schema"] == "snakewarden-audit/1"
    assert doc["summary"] == {
        "dependencies": 3, "vulnerable": 3, "findings": 4, "malicious": 1, "errors": 1,
        "exit_code": 1,
    }  # fmt: skip
    webthing = doc["dependencies"][0]
    assert webthing["fix_version"] == "1.5"
    assert [f["id"] for f in webthing["findings"]] == ["PYSEC-2020-1", "PYSEC-2021-2"]
    assert doc["errors"][0]["subject"] == "flask>=1"
    assert doc["skipped"][0]["error"] is False


def test_tables(report: AuditReport) -> None:
    plain = render_plain(report)
    assert "MALICIOUS: evilthing==0.0.1" in plain
    assert "PYSEC-2020-1" in plain
    assert "Not checked (1):" in plain
    assert plain.rstrip().endswith("1 not checked")
    rich = render_table(report, color=True)
    assert "MAL-2024-9" in rich
    assert "Upgrade to" in rich


def test_clean_summary() -> None:
    clean = audit(InputSet((dep("cleanlib", "2.0"),)), store())
    assert render_plain(clean).strip() == "No known vulnerabilities found in 1 packages"
