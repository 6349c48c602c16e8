"""From findings to a score in 0..1 and a verdict.

Each finding's ``weight`` already says how much it counts where it sits (rules scale their base
weight by the phase: install and start-up code count fully, import-time code less, code inside
functions nothing calls least; see ``context.phase_factor``). The score combines them in three
steps, all explainable from the findings:

1. per rule and file, the heaviest finding counts, plus a quarter of the second heaviest (the
   same behaviour in several places is a little more convincing, never much more);
2. per file, a noisy-OR over rules, ``1 - prod(1 - s)``: behaviours that meet in one file
   (a host-name lookup, a network send and an install hook) reinforce each other;
3. per package, the file that scores highest counts fully, the second half, the next three a
   fifth (and no more files):
   malware concentrates its behaviour, while a big library spreads many weak, unrelated signals
   over many files. Findings about the whole package (archive structure, metadata, name,
   history: those without a file) join the top file at full weight.

Verdict thresholds: ``MALICIOUS_AT`` and ``SUSPICIOUS_AT`` on the score.
"""

from __future__ import annotations

from collections.abc import Iterable

from snakewarden.core.models import Finding, Verdict

__all__ = ["MALICIOUS_AT", "SUSPICIOUS_AT", "combine", "file_scores", "judge", "rule_strengths"]

MALICIOUS_AT = 0.78
SUSPICIOUS_AT = 0.5
SECOND_SHARE = 0.25
#: How much the 2nd, and the 3rd to 5th, files count relative to the top one (later: nothing).
SECOND_FILE = 0.5
OTHER_FILES = 0.2
MAX_FILES = 5
#: Archive-structure findings are evidence of tampering only in part: sdists legitimately hold
#: symlinks and duplicate entries, and a nested archive (a test fixture) is never unpacked by
#: pip. Their weights are scaled by these factors before they count.
ARCHIVE_SCALE = {"archive-link": 0.4, "archive-duplicate-member": 0.4, "archive-special-file": 0.5}
NESTED_ARCHIVE_SCALE = 0.15


def effective_weight(f: Finding) -> float:
    """The weight a finding counts with (archive-structure findings scaled, see above)."""
    w = min(max(f.weight, 0.0), 1.0)
    if f.rule.startswith("archive-"):
        w *= ARCHIVE_SCALE.get(f.rule, 1.0)
        if "!" in f.file:
            w *= NESTED_ARCHIVE_SCALE
    return w


def rule_strengths(findings: Iterable[Finding]) -> dict[str, float]:
    """The strength of each rule's evidence: its heaviest finding plus a share of the next."""
    per_rule: dict[str, list[float]] = {}
    for f in findings:
        per_rule.setdefault(f.rule, []).append(effective_weight(f))
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
        clean *= 1.0 - min(max(s, 0.0), 1.0)
    return 1.0 - clean


def _file_key(f: Finding) -> str:
    # archive members of a nested archive count as their own file; package-wide findings as ""
    return f.file if f.line or f.phase.value != "none" else ""


def file_scores(findings: Iterable[Finding]) -> tuple[float, list[tuple[str, float]]]:
    """(package-wide evidence, [(file, score)] sorted from the highest)."""
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(_file_key(f), []).append(f)
    package = combine(rule_strengths(by_file.pop("", [])).values())
    files = sorted(
        ((name, combine(rule_strengths(fs).values())) for name, fs in by_file.items()),
        key=lambda kv: -kv[1],
    )
    return package, files


def judge(findings: Iterable[Finding]) -> tuple[float, Verdict]:
    """The score in 0..1 and the verdict for ``findings`` (from any source)."""
    package, files = file_scores(findings)
    parts = [package]
    for i, (_name, s) in enumerate(files[:MAX_FILES]):
        parts.append(s if i == 0 else s * (SECOND_FILE if i == 1 else OTHER_FILES))
    score = round(combine(parts), 4)
    if score >= MALICIOUS_AT:
        return score, Verdict.MALICIOUS
    if score >= SUSPICIOUS_AT:
        return score, Verdict.SUSPICIOUS
    return score, Verdict.CLEAN
