"""From findings to a score in 0..1 and a verdict.

Each finding's ``weight`` already says how much it counts where it sits (rules scale their base
weight by the phase: install and start-up code count fully, import-time code less, code inside
functions nothing calls least; see ``context.phase_factor``). The score combines them:

1. per rule, the heaviest finding counts, plus a quarter of the second heaviest (the same
   behaviour in several places is a little more convincing, never much more);
2. across rules, a noisy-OR: ``1 - prod(1 - w)``, so independent behaviours reinforce each other
   (a network call, a host-name lookup and an install hook together are suspicious, each alone is
   not).

Verdict thresholds: ``MALICIOUS_AT`` and ``SUSPICIOUS_AT`` on the score.
"""

from __future__ import annotations

from collections.abc import Iterable

from snakewarden.core.models import Finding, Verdict

__all__ = ["MALICIOUS_AT", "SUSPICIOUS_AT", "combine", "judge", "rule_strengths"]

MALICIOUS_AT = 0.8
SUSPICIOUS_AT = 0.5
SECOND_SHARE = 0.25


def rule_strengths(findings: Iterable[Finding]) -> dict[str, float]:
    """The strength of each rule's evidence: its heaviest finding plus a share of the next."""
    per_rule: dict[str, list[float]] = {}
    for f in findings:
        per_rule.setdefault(f.rule, []).append(min(max(f.weight, 0.0), 1.0))
    out: dict[str, float] = {}
    for rule, weights in per_rule.items():
        weights.sort(reverse=True)
        strength = weights[0]
        if len(weights) > 1:
            strength += SECOND_SHARE * weights[1] * (1.0 - strength)
        out[rule] = strength
    return out


def combine(strengths: Iterable[float]) -> float:
    """Noisy-OR of independent pieces of evidence."""
    clean = 1.0
    for s in strengths:
        clean *= 1.0 - s
    return 1.0 - clean


def judge(findings: Iterable[Finding]) -> tuple[float, Verdict]:
    """The score in 0..1 and the verdict for ``findings`` (from any source)."""
    score = round(combine(rule_strengths(findings).values()), 4)
    if score >= MALICIOUS_AT:
        return score, Verdict.MALICIOUS
    if score >= SUSPICIOUS_AT:
        return score, Verdict.SUSPICIOUS
    return score, Verdict.CLEAN
