from __future__ import annotations

from collections.abc import Sequence

from audit_factory import dep, inputs, store
from packaging.utils import NormalizedName

from snakewarden.advisories.model import Advisory
from snakewarden.advisories.parse import parse_advisory
from snakewarden.audit.auditor import AuditOptions, audit, merge_inputs
from snakewarden.audit.model import AuditFinding, Dependency, FindingKind, InputSet, Problem
from snakewarden.errors import FetchError, OsvError


def test_vulnerabilities_are_merged_by_alias_with_a_common_fix() -> None:
    report = audit(inputs(dep("WebThing", "1.1")), store())
    (result,) = report.results
    ids = [f.id for f in result.findings]
    assert ids == ["PYSEC-2020-1", "PYSEC-2021-2"]
    first = result.findings[0]
    assert set(first.aliases) == {"CVE-2020-1", "GHSA-aaaa-bbbb-cccc"}
    assert first.severity == "high"  # from the merged GHSA record
    assert result.findings[1].severity == "critical"  # CVSS 9.8
    assert first.fix_versions == ("1.2",)
    assert result.fix_version == "1.5"  # 1.2 fixes the first, 1.5 both
    assert report.exit_code == 1


def test_malicious_release_is_a_distinct_finding_without_fix() -> None:
    report = audit(inputs(dep("evilthing", "0.0.1")), store())
    (finding,) = report.results[0].findings
    assert finding.kind is FindingKind.MALICIOUS
    assert finding.severity == "critical"
    assert report.results[0].fix_version is None


def test_clean_withdrawn_and_unknown() -> None:
    report = audit(inputs(dep("webthing", "2.0"), dep("unknown", "1.0")), store())
    assert report.findings == ()
    assert report.exit_code == 0
    report = audit(inputs(dep("oldlib", "1.0")), store())
    (finding,) = report.results[0].findings  # the withdrawn record is left out
    assert finding.id == "PYSEC-2022-4"
    assert report.results[0].fix_version is None


def test_ignore_by_any_alias() -> None:
    report = audit(
        inputs(dep("webthing", "1.1")),
        store(),
        options=AuditOptions(ignore=frozenset({"CVE-2020-1", "PYSEC-2021-2"})),
    )
    assert report.findings == ()
    assert report.exit_code == 0
    assert set(report.results[0].ignored) == {"PYSEC-2020-1", "PYSEC-2021-2"}


def test_errors_fail_unless_findings() -> None:
    problem = Problem("r.txt:3", "flask>=1", "unpinned")
    clean = InputSet((dep("webthing", "2.0"),), (problem,))
    assert audit(clean, store()).exit_code == 2
    dirty = InputSet((dep("webthing", "1.0"),), (problem,))
    assert audit(dirty, store()).exit_code == 1
    info = InputSet((dep("webthing", "2.0"),), (Problem("r.txt:4", "x", "marker", error=False),))
    assert audit(info, store()).exit_code == 0


class FailingOnline:
    def vulnerabilities(self, name: NormalizedName, version: str) -> Sequence[Advisory]:
        raise OsvError("network unreachable")


class ExtraOnline:
    def vulnerabilities(self, name: NormalizedName, version: str) -> Sequence[Advisory]:
        from audit_factory import record

        return [parse_advisory(record("GHSA-new", name, [{"introduced": "0"}, {"fixed": "9"}]))]


def test_online_failures_are_errors_and_results_add_up() -> None:
    report = audit(inputs(dep("webthing", "2.0")), store(), online=FailingOnline())
    assert report.exit_code == 2
    assert "online look-up failed" in report.errors[0].reason
    report = audit(inputs(dep("webthing", "2.0")), store(), online=ExtraOnline())
    assert [f.id for f in report.results[0].findings] == ["GHSA-new"]


class Scanner:
    def __init__(self, fail: bool) -> None:
        self.fail = fail

    def scan(self, dependency: Dependency) -> Sequence[AuditFinding]:
        if self.fail:
            raise FetchError("digest mismatch")
        return [AuditFinding(FindingKind.SCAN, "scan-malicious", title="bad", severity="critical")]


def test_name_check_and_scanner() -> None:
    def names(d: Dependency) -> AuditFinding | None:
        return AuditFinding(FindingKind.CONFUSABLE, "name-confusion", title="looks like x")

    report = audit(
        inputs(dep("cleanlib", "1.0")), store(), name_check=names, scanner=Scanner(False)
    )
    kinds = [f.kind for f in report.results[0].findings]
    assert kinds == [FindingKind.CONFUSABLE, FindingKind.SCAN]
    report = audit(inputs(dep("cleanlib", "1.0")), store(), scanner=Scanner(True))
    assert report.exit_code == 2
    assert "scan failed" in report.errors[0].reason


def test_merge_inputs_deduplicates() -> None:
    a = InputSet((dep("six", "1.0"), dep("six", "1.0")), (), ("a",))
    b = InputSet((dep("six", "2.0"),), (Problem("b", "x", "y"),), ("b",))
    merged = merge_inputs([a, b])
    assert [d.version for d in merged.dependencies] == ["1.0", "2.0"]
    assert merged.sources == ("a", "b")
    assert len(merged.problems) == 1
