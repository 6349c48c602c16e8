"""Metadata heuristics: each sign, and the cap that keeps metadata alone below suspicious."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snakewarden.analysis import judge
from snakewarden.analysis.scoring import SUSPICIOUS_AT
from snakewarden.artifacts.model import CoreMetadata
from snakewarden.core.models import Finding, Severity, Verdict
from snakewarden.metadata import (
    METADATA_BUDGET,
    InMemoryDomainChecker,
    MetadataContext,
    NullDomainChecker,
    cap_weights,
    disposable_domains,
    metadata_findings,
)
from snakewarden.names import NameChecker

NAMES = NameChecker(["requests", "numpy", "langchain", "colorama", "python-dateutil"])


def _rules(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings}


def _ctx(**meta: object) -> MetadataContext:
    return MetadataContext(CoreMetadata(**meta), names=NAMES)  # type: ignore[arg-type]


def test_empty_description_and_summary() -> None:
    assert "metadata-empty-description" in _rules(metadata_findings(_ctx(name="x")))
    assert "metadata-empty-description" not in _rules(
        metadata_findings(_ctx(name="x", summary="Does things"))
    )


def test_a_copied_readme_of_the_imitated_project() -> None:
    found = metadata_findings(
        _ctx(name="reqeusts", summary="HTTP", description="Install:\n\n    pip install requests\n")
    )
    assert "metadata-copied-description" in _rules(found)


def test_disposable_and_lapsed_mail_domains() -> None:
    assert "mailinator.com" in disposable_domains()
    found = metadata_findings(_ctx(name="x", summary="s", author_email="Bob <bob@Mailinator.com>"))
    assert "metadata-disposable-email" in _rules(found)
    lapsed = MetadataContext(
        CoreMetadata(name="x", summary="s", maintainer_email="ann@old-company.example"),
        domains=InMemoryDomainChecker({"old-company.example"}),
    )
    assert "metadata-lapsed-domain" in _rules(metadata_findings(lapsed))
    offline = MetadataContext(
        CoreMetadata(name="x", summary="s", maintainer_email="ann@old-company.example"),
        domains=NullDomainChecker(),
    )
    assert "metadata-lapsed-domain" not in _rules(metadata_findings(offline))
    assert InMemoryDomainChecker(set(), alive={"ok.example"}).is_lapsed("new.example") is None


def test_starjacking_points_at_another_popular_repository() -> None:
    found = metadata_findings(
        _ctx(
            name="reqeusts",
            summary="s",
            home_page="https://github.com/psf/requests",
        )
    )
    star = [f for f in found if f.rule == "metadata-starjacking"]
    assert star
    assert "psf/requests" in star[0].message


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("langchain-openai", "https://github.com/langchain-ai/langchain"),  # a monorepo member
        ("requests", "https://github.com/psf/requests"),  # its own repository
        ("mytool", "https://github.com/me/mytool"),
        ("mytool", "https://example.org/numpy"),  # not a code host
        ("mytool", "https://github.com/only-owner"),
    ],
)
def test_no_starjacking_for_own_or_family_repositories(name: str, url: str) -> None:
    found = metadata_findings(_ctx(name=name, summary="s", project_urls=(("Source", url),)))
    assert "metadata-starjacking" not in _rules(found)


def test_a_summary_that_mimics_a_popular_one() -> None:
    ctx = MetadataContext(
        CoreMetadata(name="http-for-all", summary="Python HTTP for Humans!"),
        names=NAMES,
        known_summaries={"requests": "Python HTTP for Humans."},
    )
    assert "metadata-summary-mimic" in _rules(metadata_findings(ctx))
    own = _ctx(name="reqeusts", summary="The requests library, faster")
    assert "metadata-summary-mimic" in _rules(metadata_findings(own))


def test_one_module_packages() -> None:
    single = MetadataContext(
        CoreMetadata(name="x", summary="s"), members=("setup.py", "PKG-INFO", "x.py")
    )
    assert "metadata-single-module" in _rules(metadata_findings(single))
    several = MetadataContext(
        CoreMetadata(name="x", summary="s"), members=("setup.py", "x/__init__.py", "x/core.py")
    )
    assert "metadata-single-module" not in _rules(metadata_findings(several))


def test_a_dormant_project_suddenly_released() -> None:
    ctx = MetadataContext(
        CoreMetadata(name="x", summary="s"),
        previous_release=datetime(2019, 1, 1),
        released=datetime(2024, 6, 1),
    )
    found = [f for f in metadata_findings(ctx) if f.rule == "metadata-dormant-release"]
    assert found
    assert "5 years" in found[0].message


def _everything(name: str) -> MetadataContext:
    return MetadataContext(
        CoreMetadata(
            name=name,
            summary="Python HTTP for Humans.",
            description="pip install requests",
            author_email="x@mailinator.com",
            maintainer_email="y@gone.example",
            home_page="https://github.com/psf/requests",
        ),
        members=("reqeusts.py",),
        names=NAMES,
        known_summaries={"requests": "Python HTTP for Humans."},
        previous_release=datetime(2015, 1, 1),
        released=datetime(2025, 1, 1),
        domains=InMemoryDomainChecker({"gone.example"}),
    )


def test_metadata_alone_never_reaches_suspicious() -> None:
    findings = metadata_findings(_everything("reqeusts"))
    assert len(findings) >= 6
    score, verdict = judge(findings)
    assert verdict is Verdict.CLEAN
    assert score <= METADATA_BUDGET < SUSPICIOUS_AT


def test_a_popular_project_gets_next_to_nothing_from_metadata() -> None:
    findings = metadata_findings(_everything("requests"))
    assert all(f.weight <= 0.05 for f in findings)
    assert judge(findings)[1] is Verdict.CLEAN


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1.0), max_size=12))
def test_cap_weights_keeps_the_noisy_or_under_the_budget(weights: list[float]) -> None:
    findings = [
        Finding(rule=f"r{i}", category="metadata.x", severity=Severity.LOW, message="m", weight=w)
        for i, w in enumerate(weights)
    ]
    capped = cap_weights(findings)
    clean = 1.0
    for f in capped:
        assert 0.0 <= f.weight <= 1.0
        clean *= 1.0 - f.weight
    assert 1.0 - clean <= METADATA_BUDGET + 1e-9
    assert judge(capped)[1] is Verdict.CLEAN
