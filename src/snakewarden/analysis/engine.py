"""Run the rules over an artifact and judge the findings."""

from __future__ import annotations

import gc
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
    if not gc.isenabled():
        return _analyze(artifact, target, rules, extra)
    # A scan allocates millions of short-lived objects (ast nodes, facts) while the facts of the
    # files already analysed stay alive: the cyclic collector's passes over that growing heap
    # would cost a fifth of the scan and free next to nothing (trees and facts are freed by
    # reference counting). It is paused for the scan, then one young-generation pass frees the
    # scan's own cycles at once.
    gc.disable()
    try:
        return _analyze(artifact, target, rules, extra)
    finally:
        gc.enable()
        gc.collect(0)


def _analyze(
    artifact: Artifact, target: str, rules: Sequence[Rule] | None, extra: Iterable[Finding]
) -> ScanResult:
    ctx = ScanContext(artifact)
    findings: list[Finding] = list(artifact.issues)
    try:
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
    finally:
        # SourceFile -> ScanContext back-references form a cycle: break it so that reference
        # counting frees the scan's trees and facts now, not at the next full collection.
        ctx.release()
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
