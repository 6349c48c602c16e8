from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from osv_factory import osv
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from snakewarden.advisories.matching import (
    affects,
    fixed_versions,
    merge_aliases,
    parse_version,
    range_contains,
    semver_key,
    smallest_fix,
    undecidable_ranges,
)
from snakewarden.advisories.model import Event, EventKind, Range, RangeType
from snakewarden.advisories.parse import parse_advisory

CASES = json.loads((Path(__file__).parent / "data" / "osv_conformance.json").read_text())["cases"]
DEMO = canonicalize_name("demo")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conformance(case: dict[str, Any]) -> None:
    record = {
        "id": "TEST-1",
        "modified": "2024-01-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "Demo"},
                "ranges": case["ranges"],
                "versions": case.get("versions", []),
            }
        ],
    }
    assert affects(parse_advisory(record), DEMO, case["version"]) is case["affected"]


def test_withdrawn_records_affect_nothing() -> None:
    adv = parse_advisory(osv("X-1", events=[{"introduced": "0"}], withdrawn="2024-02-01T00:00:00Z"))
    assert not affects(adv, DEMO, "1.0")


def test_other_package_and_ecosystem_do_not_match() -> None:
    adv = parse_advisory(osv("X-1", events=[{"introduced": "0"}]))
    assert not affects(adv, canonicalize_name("other"), "1.0")
    assert not affects(adv, DEMO, "1.0", ecosystem="npm")


def test_names_are_canonicalized() -> None:
    adv = parse_advisory(osv("X-1", name="Demo_Pkg.X", events=[{"introduced": "0"}]))
    assert affects(adv, canonicalize_name("demo-pkg-x"), "1.0")


def test_undecidable_ranges_are_reported() -> None:
    adv = parse_advisory(osv("X-1", events=[{"introduced": "0"}, {"fixed": "??"}]))
    assert undecidable_ranges(adv, DEMO, "1.0")
    assert undecidable_ranges(adv, DEMO, "1.0") != ()


def test_semver_key_orders_prereleases() -> None:
    keys = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
            "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"]  # fmt: skip
    parsed = [semver_key(k) for k in keys]
    assert all(p is not None for p in parsed)
    assert sorted(keys, key=lambda k: semver_key(k) or ()) == keys
    assert semver_key("1.0") is None


def test_fixed_versions_and_smallest_fix() -> None:
    a = parse_advisory(osv("A-1", events=[{"introduced": "0"}, {"fixed": "1.2"}]))
    b = parse_advisory(
        osv(
            "B-1",
            events=[
                {"introduced": "1.0"},
                {"fixed": "1.1"},
                {"introduced": "1.2"},
                {"fixed": "1.4"},
            ],
        )
    )
    assert fixed_versions(b, DEMO) == (Version("1.1"), Version("1.4"))
    # 1.1 fixes B but not A; 1.2 fixes A but B is back; 1.4 fixes both.
    assert smallest_fix([a, b], DEMO, "1.0") == Version("1.4")
    c = parse_advisory(osv("C-1", events=[{"introduced": "0"}]))
    assert smallest_fix([a, c], DEMO, "1.0") is None


def test_merge_aliases_groups_the_same_issue() -> None:
    pysec = parse_advisory(osv("PYSEC-1", aliases=["CVE-1", "GHSA-a"]))
    ghsa = parse_advisory(osv("GHSA-a", aliases=["CVE-1"]))
    other = parse_advisory(osv("PYSEC-2", aliases=["CVE-2", "GHSA-b"]))
    # Two PYSEC records that only share a GHSA covering two CVEs stay apart (pip-audit does too).
    sibling = parse_advisory(osv("PYSEC-3", aliases=["CVE-3", "GHSA-b"]))
    groups = merge_aliases([ghsa, other, pysec, sibling])
    ids = [[a.id for a in g] for g in groups]
    assert ["PYSEC-1", "GHSA-a"] in ids
    assert ["PYSEC-2"] in ids
    assert ["PYSEC-3"] in ids
    assert len(groups) == 3


def test_merge_aliases_is_order_independent() -> None:
    recs = [
        parse_advisory(osv("PYSEC-1", aliases=["CVE-1"])),
        parse_advisory(osv("GHSA-x", aliases=["CVE-1"])),
        parse_advisory(osv("OSV-9", aliases=["GHSA-x"])),
    ]
    one = {frozenset(a.id for a in g) for g in merge_aliases(recs)}
    two = {frozenset(a.id for a in g) for g in merge_aliases(list(reversed(recs)))}
    assert one == two == {frozenset({"PYSEC-1", "GHSA-x", "OSV-9"})}


releases = st.lists(st.integers(0, 30), min_size=1, max_size=3).map(
    lambda parts: Version(".".join(map(str, parts)))
)


@given(lo=releases, hi=releases, v=releases)
@example(lo=Version("1.0"), hi=Version("1.0.1"), v=Version("1"))
@example(lo=Version("0"), hi=Version("2"), v=Version("1.99"))
def test_introduced_fixed_agrees_with_specifierset(lo: Version, hi: Version, v: Version) -> None:
    assume(lo < hi)  # an equivalent SpecifierSet exists only for a well-formed interval
    rng = Range(
        RangeType.ECOSYSTEM, (Event(EventKind.INTRODUCED, str(lo)), Event(EventKind.FIXED, str(hi)))
    )
    spec = SpecifierSet(f">={lo},<{hi}")
    assert range_contains(rng, str(v)) is spec.contains(v, prereleases=True)


@given(hi=releases, v=releases)
def test_last_affected_agrees_with_specifierset(hi: Version, v: Version) -> None:
    rng = Range(
        RangeType.ECOSYSTEM,
        (Event(EventKind.INTRODUCED, "0"), Event(EventKind.LAST_AFFECTED, str(hi))),
    )
    assert range_contains(rng, str(v)) is SpecifierSet(f"<={hi}").contains(v, prereleases=True)


pep440 = st.builds(
    lambda rel, pre, post: Version(".".join(map(str, rel)) + pre + post),
    st.lists(st.integers(0, 12), min_size=1, max_size=4),
    st.sampled_from(["", "a1", "rc2"]),
    st.sampled_from(["", ".post1"]),
)


spellings = st.sampled_from(["{}", "v{}", " {} ", "{}.0", "{}.0.0.0.0.0.0"])


@given(a=pep440, b=pep440, spelling=spellings)
@example(a=Version("1.0"), b=Version("1.0.0"), spelling="{}")
@example(a=Version("1.0rc2"), b=Version("1.0.0rc2"), spelling="{}")
def test_versions_list_membership_is_pep440_equality(a: Version, b: Version, spelling: str) -> None:
    entry = spelling.format(a)
    assume(parse_version(entry) == a)  # ".0" suffixes only keep plain releases equal
    rec = osv("X-1", versions=["0.0.1", entry])
    assume(b != Version("0.0.1"))
    assert affects(parse_advisory(rec), DEMO, str(b)) is (a == b)
