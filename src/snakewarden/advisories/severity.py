"""Severity of an advisory from its CVSS v3 vector or its database's own rating (pure)."""

from __future__ import annotations

import math

from snakewarden.advisories.model import Advisory

_AV = {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}
_AC = {"L": 0.77, "H": 0.44}
_PR_U = {"N": 0.85, "L": 0.62, "H": 0.27}
_PR_C = {"N": 0.85, "L": 0.68, "H": 0.5}
_UI = {"N": 0.85, "R": 0.62}
_CIA = {"H": 0.56, "L": 0.22, "N": 0.0}
_DB_RATINGS = {
    "LOW": "low",
    "MODERATE": "medium",
    "MEDIUM": "medium",
    "HIGH": "high",
    "CRITICAL": "critical",
}


def _roundup(value: float) -> float:
    """CVSS 3.1 Roundup: the smallest one-decimal number not below ``value``."""
    scaled = round(value * 100_000)
    if scaled % 10_000 == 0:
        return scaled / 100_000.0
    return (math.floor(scaled / 10_000) + 1) / 10.0


def cvss3_base_score(vector: str) -> float | None:
    """The CVSS 3.0/3.1 base score of ``vector``, or ``None`` when it is not a v3 base vector."""
    parts = vector.strip().split("/")
    if not parts or not parts[0].startswith("CVSS:3."):
        return None
    metrics: dict[str, str] = {}
    for part in parts[1:]:
        key, _, value = part.partition(":")
        metrics[key] = value
    try:
        scope_changed = metrics["S"] == "C"
        if metrics["S"] not in ("U", "C"):
            return None
        av, ac, ui = _AV[metrics["AV"]], _AC[metrics["AC"]], _UI[metrics["UI"]]
        pr = (_PR_C if scope_changed else _PR_U)[metrics["PR"]]
        c, i, a = _CIA[metrics["C"]], _CIA[metrics["I"]], _CIA[metrics["A"]]
    except KeyError:
        return None
    iss = 1 - (1 - c) * (1 - i) * (1 - a)
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if scope_changed else 6.42 * iss
    exploitability = 8.22 * av * ac * pr * ui
    if impact <= 0:
        return 0.0
    total = impact + exploitability
    if scope_changed:
        total *= 1.08
    return _roundup(min(total, 10.0))


def rating(score: float) -> str:
    """The CVSS qualitative rating of a score: none, low, medium, high, critical."""
    if score == 0:
        return "none"
    if score < 4.0:
        return "low"
    if score < 7.0:
        return "medium"
    if score < 9.0:
        return "high"
    return "critical"


def advisory_severity(advisory: Advisory) -> tuple[str, float | None, str]:
    """(rating, CVSS score or None, CVSS vector or "") for an advisory; rating "" if unknown."""
    severities = list(advisory.severity) + [s for a in advisory.affected for s in a.severity]
    for sev in severities:
        if sev.type in ("CVSS_V3", "CVSS_V3_1", "CVSS_V3_0"):
            score = cvss3_base_score(sev.score)
            if score is not None:
                return rating(score), score, sev.score
    db = _DB_RATINGS.get(advisory.db_severity.upper(), "")
    vector = next((s.score for s in severities if s.type.startswith("CVSS")), "")
    return db, None, vector
