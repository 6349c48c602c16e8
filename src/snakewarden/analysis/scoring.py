"""From findings to a score in 0..1 and a verdict.

Each finding's ``weight`` already says how much it counts where it sits (rules scale their base
weight by the phase: install and start-up code count fully, import-time code less, code inside
functions nothing calls least; see ``context.phase_factor``).

**Strength of a rule** (per file): its heaviest finding, plus a quarter of the second heaviest
(the same behaviour in several places is a little more convincing, never much more). A
strength ``s`` is turned into an amount of evidence ``-log(1 - s)``, so that adding amounts is a
noisy-OR of strengths.

**Learned score** (``learned_score``), for the findings of the rules the model was trained on:
a logistic model over the features of ``evidence_features`` (per file, each rule's evidence,
the strongest install/start-up and import-time finding, the tactics the file's findings span
and which threat rules fired in it; package-wide, each rule's evidence): the package counts
as its worst file, plus a share of the second worst. The weights (``scorer_weights.py``) are
learned by ``benchmarks/train_scorer.py`` from the dev malware corpus against popular sdists.
They are all >= 0 and every feature only grows with the findings, so a finding can only raise a
score; every term of the sum is one rule's evidence or names the rules behind it, so the
findings still say why.

**Hand-set score** (``hand_score``), for findings of any other source (metadata, names,
history, provenance, rules added since training): per file a noisy-OR over rules; per package
the top file counts fully, the second half, the next three a fifth; package-wide findings join
at full weight. The final score is the noisy-OR of the two.

Verdict thresholds: ``MALICIOUS_AT`` and ``SUSPICIOUS_AT`` on the score (the learned logit is
mapped so that the operating points chosen at training land on them, see ``calibrate``).
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterable

from snakewarden.analysis import scorer_weights
from snakewarden.core.models import Finding, Phase, Verdict

__all__ = [
    "MALICIOUS_AT",
    "SUSPICIOUS_AT",
    "calibrate",
    "combine",
    "evidence_features",
    "file_scores",
    "hand_score",
    "judge",
    "learned_score",
    "rule_strengths",
    "tactic",
]

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


#: Strengths are capped below 1 before the log transform (one certain finding must not make
#: the score infinite).
_MAX_STRENGTH = 0.99


def evidence(strength: float) -> float:
    """The log-odds-like amount of evidence in a strength: ``-log(1 - s)``, so that adding
    amounts is the noisy-OR of strengths."""
    return -math.log(1.0 - min(max(strength, 0.0), _MAX_STRENGTH))


#: Categories of capabilities ordinary code has too (talking to the network, running programs,
#: evaluating code, shipping binaries): they name no tactic.
CAPABILITIES = frozenset(
    {"threat.network.access", "threat.process.exec", "threat.obfuscation.dynamic_exec"}
)
#: A finding weaker than this (a mention in a comment, say) names no tactic.
TACTIC_FLOOR = 0.03
#: In a long module, weak findings of different tactics meet by chance (a 10,000-line client
#: library that posts a form, decodes an embedded image and reads a video): a finding past
#: line ``TACTIC_LINES`` names a tactic only when it is stronger, the floor growing with its
#: line up to ``MAX_TACTIC_FLOOR``. It depends on the finding alone, so that adding a finding
#: never takes a tactic away; strong findings (install, import and start-up code) still count.
TACTIC_LINES = 1000
MAX_TACTIC_FLOOR = 0.2


def names_tactic(f: Finding) -> str:
    """The tactic ``f`` counts for in ``evidence_features`` ("" for none): ``tactic(f)`` when
    the finding is strong enough where it sits (see ``TACTIC_LINES``)."""
    floor = min(MAX_TACTIC_FLOOR, TACTIC_FLOOR * max(1.0, f.line / TACTIC_LINES))
    return tactic(f) if effective_weight(f) >= floor else ""


def tactic(f: Finding) -> str:
    """The tactic a threat finding shows: the second part of its category (``obfuscation``,
    ``secrets``, ``network``, ``dropper``, ``process``, ``persistence``, ...), or "" for
    context, capabilities and shipped payloads."""
    parts = f.category.split(".")
    if parts[0] != "threat" or len(parts) < 2 or f.category in CAPABILITIES:
        return ""
    return "" if parts[1] == "payload" else parts[1]


def evidence_features(
    findings: Iterable[Finding], rules: Container[str]
) -> tuple[dict[str, float], list[dict[str, float]]]:
    """The features the learned scorer weighs, from the findings of the ``rules`` it knows:
    (package-wide features, [features of each file]).

    Package-wide: each rule's evidence among findings without a file (``rule@package``). Per
    file: each rule's evidence in that file (``rule``), its strongest finding at install or
    start-up and at import time (``phase:install``, ``phase:import``), and whether its findings
    span at least two or three tactics (``tactics:2``, ``tactics:3``, 0 or 1; see
    ``names_tactic``): hiding code, taking secrets, calling out, dropping payloads and hiding or
    persisting are each seen alone in ordinary code, together rarely; and, for each threat rule,
    whether it fired there at all (``seen:rule``, 0 or 1, wherever the code sits: a stealer's
    functions that nothing in the package is shown to call still say what it is). Each feature
    only grows as findings are added.
    """
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        if f.rule in rules:
            by_file.setdefault(_file_key(f), []).append(f)
    package = {
        f"{rule}@package": evidence(s) for rule, s in rule_strengths(by_file.pop("", [])).items()
    }
    files: list[dict[str, float]] = []
    for fs in by_file.values():
        feats = {rule: evidence(s) for rule, s in rule_strengths(fs).items()}
        for f in fs:
            if f.phase in (Phase.INSTALL, Phase.STARTUP):
                key = "phase:install"
            elif f.phase is Phase.IMPORT:
                key = "phase:import"
            else:
                continue
            feats[key] = max(feats.get(key, 0.0), evidence(effective_weight(f)))
        named = [(t, f) for f in fs if (t := names_tactic(f))]
        for n in (2, 3):
            if len({t for t, _ in named}) >= n:
                feats[f"tactics:{n}"] = 1.0
        for _, f in named:
            feats[f"seen:{f.rule}"] = 1.0
        files.append(feats)
    return package, files


def _weigh(feats: dict[str, float]) -> float:
    return sum(scorer_weights.WEIGHTS.get(k, 0.0) * v for k, v in feats.items())


def hand_score(findings: Iterable[Finding]) -> float:
    """The hand-set combination (steps 1-3 above) of ``findings``."""
    package, files = file_scores(findings)
    parts = [package]
    for i, (_name, s) in enumerate(files[:MAX_FILES]):
        parts.append(s if i == 0 else s * (SECOND_FILE if i == 1 else OTHER_FILES))
    return combine(parts)


def learned_score(findings: Iterable[Finding]) -> float:
    """The learned score of the findings of the rules the model was trained on (0 without any).

    The logit is ``BIAS + package + top + SECOND_FILE_SHARE * second``, where ``package`` weighs
    the package-wide features and ``top``/``second`` are the two highest weighings of a file's
    features: a package is as bad as its worst file, a little worse when a second file helps.
    Weights are >= 0 and every term is a maximum of sums of growing features, so a finding can
    only raise the logit. ``calibrate`` maps it onto the score scale.
    """
    package, files = evidence_features(findings, scorer_weights.RULES)
    if not package and not files:
        return 0.0
    per_file = [*sorted((_weigh(f) for f in files), reverse=True), 0.0, 0.0]
    z = (
        scorer_weights.BIAS
        + _weigh(package)
        + per_file[0]
        + scorer_weights.SECOND_FILE_SHARE * per_file[1]
    )
    return calibrate(
        z, scorer_weights.BIAS, scorer_weights.SUSPICIOUS_LOGIT, scorer_weights.MALICIOUS_LOGIT
    )


def calibrate(z: float, base: float, suspicious: float, malicious: float) -> float:
    """A monotone map of a logit onto the score scale: ``base`` (no evidence) to 0, the chosen
    operating points ``suspicious`` and ``malicious`` to ``SUSPICIOUS_AT`` and ``MALICIOUS_AT``,
    linear in between, and towards 1 beyond (with the same slope at ``malicious``)."""
    if z <= base:
        return 0.0
    if z <= suspicious:
        return SUSPICIOUS_AT * (z - base) / (suspicious - base)
    slope = (MALICIOUS_AT - SUSPICIOUS_AT) / (malicious - suspicious)
    if z <= malicious:
        return SUSPICIOUS_AT + slope * (z - suspicious)
    room = 1.0 - MALICIOUS_AT
    return 1.0 - room * math.exp(-slope * (z - malicious) / room)


def judge(findings: Iterable[Finding]) -> tuple[float, Verdict]:
    """The score in 0..1 and the verdict for ``findings`` (from any source).

    The learned score of the trained rules' findings, joined (noisy-OR) with the hand-set
    score of any other findings (metadata, names, history, provenance, rules added since).
    """
    found = list(findings)
    modelled = [f for f in found if f.rule in scorer_weights.RULES]
    others = [f for f in found if f.rule not in scorer_weights.RULES]
    score = round(combine([learned_score(modelled), hand_score(others)]), 4)
    if score >= MALICIOUS_AT:
        return score, Verdict.MALICIOUS
    if score >= SUSPICIOUS_AT:
        return score, Verdict.SUSPICIOUS
    return score, Verdict.CLEAN
