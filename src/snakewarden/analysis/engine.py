"""Run the rules over an artifact and judge the findings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.registry import builtin_rules
from snakewarden.analysis.rule import Rule
from snakewarden.analysis.scoring import judge
from snakewarden.artifacts.model import Artifact
from snakewarden.core.models import Finding, ScanResult, Severity

__all__ = ["analyze", "judge"]

#: At most this many findings per rule are reported (the heaviest), so output stays readable.
MAX_FINDINGS_PER_RULE = 20


def analyze(
    artifact: Artifact,
    *,
    target: str,
    rules: Sequence[Rule] | None = None,
    extra: Iterable[Finding] = (),
) -> ScanResult:
    """Judge ``artifact``: every rule's findings plus ``extra`` (from metadata, names, history)."""
    ctx = ScanContext(artifact)
    findings: list[Finding] = list(artifact.issues)
    for rule in rules if rules is not None else builtin_rules():
        try:
            produced = list(rule.check(ctx))
        except RecursionError:
            # A pathological input (absurdly nested code) defeated a rule: say so, do not crash.
            produced = [
                Finding(
                    rule=rule.meta.id,
                    category=rule.meta.category,
                    severity=Severity.LOW,
                    message="analysis stopped: the code is nested too deeply to analyse",
                    weight=0.1,
                )
            ]
        produced.sort(key=lambda f: -f.weight)
        findings.extend(produced[:MAX_FINDINGS_PER_RULE])
    findings.extend(extra)
    score, verdict = judge(findings)
    meta = artifact.metadata
    return ScanResult(
        target=target,
        verdict=verdict,
        score=score,
        name=meta.name if meta else None,
        version=meta.version if meta else None,
        sha256=artifact.sha256,
        findings=tuple(sorted(findings, key=lambda f: (-f.weight, f.file, f.line))),
    )
