from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from snakewarden.core.models import Severity
from snakewarden.provenance.history import (
    ProvenanceSnapshot,
    compare_provenance,
    snapshot_from_provenance,
    snapshot_from_report,
)
from snakewarden.provenance.model import (
    DistributionFile,
    Publisher,
    PublisherKind,
    VerificationReport,
)

GH = Publisher(PublisherKind.GITHUB, repository="o/r", workflow="release.yml")
OTHER = Publisher(PublisherKind.GITHUB, repository="evil/r", workflow="release.yml")
GH_WF = Publisher(PublisherKind.GITHUB, repository="O/R", workflow="build.yml")


def snap(version: str, publisher: Publisher | None = GH) -> ProvenanceSnapshot:
    return ProvenanceSnapshot(version, attested=publisher is not None, publisher=publisher)


def test_nothing_when_consistent() -> None:
    assert compare_provenance([snap("1.0"), snap("1.1")], snap("1.2")) == []
    assert compare_provenance([], snap("1.0")) == []
    assert compare_provenance([snap("1.0", None)], snap("1.1", None)) == []


def test_missing_after_attested_predecessors() -> None:
    (one,) = compare_provenance([snap("0.9", None), snap("1.0")], snap("1.1", None))
    assert one.rule == "provenance-missing"
    assert one.severity is Severity.MEDIUM
    assert "predecessor was" in one.message
    (three,) = compare_provenance([snap("1.0"), snap("1.1"), snap("1.2")], snap("1.3", None))
    assert three.severity is Severity.HIGH
    assert "its 3 predecessors were" in three.message
    assert "GitHub o/r" in three.message
    assert three.weight > one.weight


def test_streak_counts_only_the_latest_releases() -> None:
    previous = [snap("1.0"), snap("1.1", None), snap("1.2")]
    (finding,) = compare_provenance(previous, snap("1.3", None))
    assert "predecessor was" in finding.message  # one, not two


def test_order_is_by_version() -> None:
    previous = [snap("1.10"), snap("1.9", None)]  # 1.10 is the latest
    (finding,) = compare_provenance(previous, snap("1.11", None))
    assert "latest: 1.10" in finding.message


def test_publisher_changed() -> None:
    (finding,) = compare_provenance([snap("1.0"), snap("1.1")], snap("1.2", OTHER))
    assert finding.rule == "provenance-publisher-changed"
    assert finding.severity is Severity.HIGH
    assert "from GitHub o/r" in finding.message
    assert "to GitHub evil/r" in finding.message


def test_workflow_changed_is_weaker() -> None:
    (finding,) = compare_provenance([snap("1.0")], snap("1.1", GH_WF))
    assert finding.rule == "provenance-workflow-changed"
    assert finding.severity is Severity.MEDIUM


def test_compares_with_latest_attested_release() -> None:
    previous = [snap("1.0", OTHER), snap("1.1"), snap("1.2", None)]
    assert compare_provenance(previous, snap("1.3")) == []


def test_snapshot_builders() -> None:
    dist = DistributionFile("x-1.0.tar.gz", "0" * 64)
    ok = VerificationReport(dist, verified=True, publisher=GH)
    bad = VerificationReport(dist, verified=False, problems=("x",))
    assert snapshot_from_report("1.0", ok) == ProvenanceSnapshot("1.0", True, GH)
    assert snapshot_from_report("1.0", bad) == ProvenanceSnapshot("1.0", False)
    assert snapshot_from_report("1.0", None) == ProvenanceSnapshot("1.0", False)
    assert snapshot_from_provenance("1.0", None) == ProvenanceSnapshot("1.0", False)


@given(st.lists(st.booleans(), max_size=12), st.booleans())
def test_findings_only_when_history_says_so(flags: list[bool], current: bool) -> None:
    previous = [snap(f"1.{i}", GH if f else None) for i, f in enumerate(flags)]
    findings = compare_provenance(previous, snap("2.0", GH if current else None))
    expect_missing = (not current) and bool(flags) and flags[-1]
    assert bool(findings) == expect_missing
