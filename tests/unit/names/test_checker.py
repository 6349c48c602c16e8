"""Confusable-name detection: every kind of imitation, families, popular names, bounds."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from snakewarden.analysis.scoring import SUSPICIOUS_AT
from snakewarden.names import CONFUSABLE_AT, NameChecker, NameStatus, load_default_checker

POPULAR = [
    "requests",
    "numpy",
    "python-dateutil",
    "matplotlib",
    "pillow",
    "colorama",
    "django",
    "beautifulsoup4",
    "scikit-learn",
    "tensorflow",
    "urllib3",
    "pytest",
    "typing-extensions",
    "setuptools",
    "cryptography",
]


@pytest.fixture(scope="module")
def small() -> NameChecker:
    return NameChecker(POPULAR, extra_targets=["requirements", "subprocess"])


@pytest.fixture(scope="module")
def shipped() -> NameChecker:
    return load_default_checker()


@pytest.mark.parametrize(
    ("name", "target", "kind"),
    [
        ("reqeusts", "requests", "transposition"),
        ("reqests", "requests", "omission"),
        ("requestss", "requests", "repetition"),
        ("reqquests", "requests", "repetition"),
        ("reqursts", "requests", "keyboard-substitution"),
        ("rnatplotlib", "matplotlib", "look-alike"),
        ("pi11ow", "pillow", "look-alike"),
        ("c0lorama", "colorama", "look-alike"),
        ("pythondateutil", "python-dateutil", "separator"),
        ("dateutil-python", "python-dateutil", "word-order"),
        ("colorama-py", "colorama", "affix"),
        ("python-requests", "requests", "affix"),
        ("pyrequests", "requests", "affix"),
        ("requests-dev", "requests", "affix"),
        ("requests-sdk", "requests", "affix"),
        ("requests2024", "requests", "affix"),
        ("python-dateutils", "python-dateutil", "insertion"),
        ("seleeniumm-tensorflow", None, None),
        ("tensorflwo", "tensorflow", "transposition"),
        ("tensorfolw", "tensorflow", "transposition"),
        ("cryptograpyh", "cryptography", "transposition"),
        ("matplotlb", "matplotlib", "omission"),
        ("requirments", "requirements", "omission"),
        ("tenzorfloq", "tensorflow", "two-edits"),
        ("cryptogrpahyy", "cryptography", "two-edits"),
    ],
)
def test_imitations_are_confusable(
    small: NameChecker, name: str, target: str | None, kind: str | None
) -> None:
    verdict = small.check(name)
    if target is None:
        assert verdict.verdict is NameStatus.OK
        return
    assert verdict.verdict is NameStatus.CONFUSABLE, verdict
    assert verdict.similar_to[0] == target
    assert kind in verdict.kinds
    assert CONFUSABLE_AT <= verdict.score <= 1.0


def test_unicode_confusables_are_caught(small: NameChecker) -> None:
    cyrillic_e = small.check("r\u0435quests")  # Cyrillic small ie
    assert cyrillic_e.confusable
    assert cyrillic_e.kinds == ("unicode-confusable",)
    fullwidth = small.check("\uff52equests")
    assert fullwidth.confusable
    assert fullwidth.similar_to == ("requests",)


@pytest.mark.parametrize(
    "name", ["requests", "Requests", "REQUESTS", "python_dateutil", "Python.Dateutil", "NumPy"]
)
def test_popular_names_in_any_spelling_are_ok(small: NameChecker, name: str) -> None:
    verdict = small.check(name)
    assert verdict.verdict is NameStatus.OK
    assert verdict.similar_to == ()
    assert verdict.score == 0.0


@pytest.mark.parametrize(
    "name",
    [
        "types-requests2",
        "django-rest-helpers",
        "pytest-numpyy",
        "flake8-requests",
        "sphinxcontrib-foo",
        "mypy-boto3-s3control",
        "azure-storage-blobz",
        "google-cloud-thing",
        "odoo14-addon-sale-stock",
        "opentelemetry-instrumentation-requestz",
    ],
)
def test_family_members_are_ok(shipped: NameChecker, name: str) -> None:
    assert shipped.check(name).verdict is NameStatus.OK


def test_a_family_prefix_with_only_an_affix_is_not_shielded(shipped: NameChecker) -> None:
    verdict = shipped.check("pytest-dev")
    assert verdict.confusable
    assert verdict.similar_to[0] == "pytest"
    assert shipped.check("pytest-devtools-x").verdict is NameStatus.OK


@pytest.mark.parametrize(
    "name", ["completely-unrelated-name", "zzqx", "my-internal-tool", "x", "", "   ", "---"]
)
def test_unrelated_names_are_ok(small: NameChecker, name: str) -> None:
    assert small.check(name).verdict is NameStatus.OK


def test_first_letter_and_short_names_weigh_less(small: NameChecker) -> None:
    # One edit at the very start of a short name is how real derived names look.
    assert small.check("xnumpy").score < small.check("nummpy").score


def test_the_shipped_list_meets_the_issue(shipped: NameChecker) -> None:
    verdict = shipped.check("reqeusts")
    assert verdict.confusable
    assert verdict.similar_to[0] == "requests"
    assert shipped.check("requests").verdict is NameStatus.OK
    assert len(shipped) > 10_000
    assert shipped.rank("boto3") == 1
    assert shipped.rank("surely-not-a-popular-project") is None


def test_long_names_are_bounded(small: NameChecker) -> None:
    verdict = small.check("a" * 100_000)
    assert verdict.verdict is NameStatus.OK
    assert len(verdict.name) <= 200


def test_to_dict_has_the_documented_shape(small: NameChecker) -> None:
    data = small.check("reqeusts").to_dict()
    assert set(data) == {"name", "verdict", "similar_to", "kinds", "score"}
    assert data["verdict"] == "confusable"
    assert data["similar_to"] == ["requests"]


def test_finding_stays_below_suspicious(small: NameChecker) -> None:
    finding = small.check("reqeusts").finding()
    assert finding is not None
    assert finding.rule == "name-confusion"
    assert 0 < finding.weight < SUSPICIOUS_AT
    assert small.check("requests").finding() is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
@example("рython-dateutil")
@example("\x00\ud7ff-")
def test_check_never_fails_and_is_idempotent(name: str) -> None:
    checker = NameChecker(POPULAR)
    first = checker.check(name)
    assert 0.0 <= first.score <= 1.0
    assert first.verdict in (NameStatus.OK, NameStatus.CONFUSABLE)
    if first.name.isascii():
        again = checker.check(first.name)
        assert again.name == first.name
