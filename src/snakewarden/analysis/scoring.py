"""From findings to a score in 0..1 and a verdict."""

from __future__ import annotations

from collections.abc import Iterable

from snakewarden.core.models import Finding, Verdict

MALICIOUS_AT = 0.8
SUSPICIOUS_AT = 0.5


def judge(findings: Iterable[Finding]) -> tuple[float, Verdict]:
    """Noisy-OR of the finding weights; thresholds give the verdict."""
    clean = 1.0
    for f in findings:
        clean *= 1.0 - min(max(f.weight, 0.0), 1.0)
    score = round(1.0 - clean, 4)
    if score >= MALICIOUS_AT:
        return score, Verdict.MALICIOUS
    if score >= SUSPICIOUS_AT:
        return score, Verdict.SUSPICIOUS
    return score, Verdict.CLEAN
