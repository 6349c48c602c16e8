"""Every built-in rule fires on each of its ``hit`` cases and stays silent on its ``benign`` ones.

Layout: ``tests/rules/<rule-id>/{hit,benign}/<case>``; a case is one loose file (scanned as a
single-file artifact under its own name) or a folder (scanned as an unpacked source tree). The
snippets are small and inert, written for these tests (hosts under ``example.invalid``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from snakewarden.analysis import analyze
from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.registry import builtin_rules
from snakewarden.artifacts import Artifact, artifact_from_files, read_artifact

HERE = Path(__file__).parent
RULES = {rule.meta.id: rule for rule in builtin_rules()}


def load_case(path: Path) -> Artifact:
    if path.is_file():
        return read_artifact(path.read_bytes(), path.name)
    entries = []
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        data = f.read_bytes()
        entries.append((f.relative_to(path).as_posix(), len(data), lambda n, d=data: d[:n]))
    return artifact_from_files(path.name, entries)


def _cases(kind: str) -> list[object]:
    out: list[object] = []
    for rule_id in sorted(RULES):
        folder = HERE / rule_id / kind
        if folder.is_dir():
            out.extend(
                pytest.param(rule_id, entry, id=f"{rule_id}/{kind}/{entry.name}")
                for entry in sorted(folder.iterdir())
            )
    return out


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_has_hit_and_benign_cases(rule_id: str) -> None:
    for kind in ("hit", "benign"):
        folder = HERE / rule_id / kind
        assert folder.is_dir(), f"{folder} is missing"
        assert any(folder.iterdir()), f"{folder} is empty"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_meta_is_complete(rule_id: str) -> None:
    meta = RULES[rule_id].meta
    assert meta.id == rule_id
    assert meta.description
    assert "\n" not in meta.description
    assert meta.category.count(".") >= 1


@pytest.mark.parametrize(("rule_id", "case"), _cases("hit"))
def test_rule_fires_on_hit(rule_id: str, case: Path) -> None:
    artifact = load_case(case)
    findings = list(RULES[rule_id].check(ScanContext(artifact)))
    assert findings, f"{rule_id} did not fire on {case.name}"
    for f in findings:
        assert f.rule == rule_id
        assert f.file, "every finding names its file"
        assert f.evidence, "every finding shows its evidence"
        assert len(f.evidence) <= 200
        assert 0 < f.weight <= 1


@pytest.mark.parametrize(("rule_id", "case"), _cases("benign"))
def test_rule_silent_on_benign(rule_id: str, case: Path) -> None:
    artifact = load_case(case)
    findings = list(RULES[rule_id].check(ScanContext(artifact)))
    assert not findings, f"{rule_id} fired on benign {case.name}: {findings}"


@pytest.mark.parametrize(("rule_id", "case"), _cases("benign"))
def test_benign_cases_are_clean_overall(rule_id: str, case: Path) -> None:
    result = analyze(load_case(case), target=case.name)
    assert result.verdict == "clean", [(f.rule, f.weight) for f in result.findings]
