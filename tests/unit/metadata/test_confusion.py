"""Dependency confusion: private names taken publicly, probe versions, version jumps."""

from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from snakewarden.analysis import judge
from snakewarden.core.models import Finding, Verdict
from snakewarden.metadata import PrivateNames, dependency_confusion_findings, is_probe_version

PRIVATE = PrivateNames(frozenset({canonicalize_name("acme-billing")}), ("acmecorp-",))


def _categories(findings: list[Finding]) -> list[str]:
    return [f.category.rsplit(".", 1)[-1] for f in findings]


def test_a_public_project_with_a_private_name_is_a_finding() -> None:
    findings = dependency_confusion_findings("Acme_Billing", "1.0.0", private=PRIVATE)
    assert _categories(findings) == ["private-name"]
    assert "acme-billing" in findings[0].message
    assert judge(findings)[1] is Verdict.SUSPICIOUS


def test_a_private_prefix_with_a_probe_version_is_malicious() -> None:
    findings = dependency_confusion_findings("acmecorp-auth", "99.0.0", private=PRIVATE)
    assert _categories(findings) == ["private-name", "probe-version"]
    assert judge(findings)[1] is Verdict.MALICIOUS


@pytest.mark.parametrize(
    ("version", "probe"),
    [("99.0.0", True), ("999.1", True), ("1337.0.0", True), ("9999", True), ("99999.0", True)],
)
def test_probe_versions(version: str, probe: bool) -> None:
    assert is_probe_version(Version(version)) is probe


@pytest.mark.parametrize("version", ["1.0", "2024.10.1", "98.0", "100.0", "0.0.1", "19.0"])
def test_ordinary_versions_are_not_probes(version: str) -> None:
    assert not is_probe_version(Version(version))
    assert dependency_confusion_findings("six", version, private=PrivateNames()) == []


def test_a_probe_version_of_an_unknown_name_alone_stays_below_suspicious() -> None:
    findings = dependency_confusion_findings("some-tool", "999.0.0", private=PrivateNames())
    assert _categories(findings) == ["probe-version"]
    assert judge(findings)[1] is Verdict.CLEAN


def test_a_jump_far_above_the_history_is_a_finding() -> None:
    findings = dependency_confusion_findings(
        "some-tool", "120.0", private=PrivateNames(), history=["0.1", "0.2", "1.4"]
    )
    assert _categories(findings) == ["version-jump"]
    assert "1.4" in findings[0].message


@pytest.mark.parametrize(
    ("version", "history"),
    [
        ("2.0", ["1.0", "1.9"]),  # an ordinary major release
        ("2024.1", ["3.2"]),  # a switch to calendar versioning
        ("99.1", ["99.0"]),  # a project that always used such numbers
        ("1.0", ["not a version", "0.9"]),
    ],
)
def test_ordinary_histories_are_quiet(version: str, history: list[str]) -> None:
    assert dependency_confusion_findings("tool", version, private=PRIVATE, history=history) == []


def test_an_invalid_version_only_checks_the_name() -> None:
    assert dependency_confusion_findings("tool", "garbage!", private=PRIVATE) == []
    assert dependency_confusion_findings("tool", None, private=PRIVATE) == []
