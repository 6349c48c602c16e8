"""Dependency confusion: a public project that takes a private name, and probe-like versions."""

from __future__ import annotations

from collections.abc import Sequence

from packaging.version import InvalidVersion, Version

from snakewarden.core.models import Finding, Severity
from snakewarden.metadata.config import PrivateNames

#: Release numbers that dependency-confusion probes pick to outrank any internal version.
PROBE_MAJORS = frozenset({66, 99, 666, 999, 1337, 6666, 9999, 31337, 99999, 999999})
#: A new major this many times above the highest earlier one (and this far above) is a jump.
JUMP_FACTOR = 10
JUMP_MIN = 50


def _version(text: str | None) -> Version | None:
    if not text:
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


def is_probe_version(version: Version) -> bool:
    """99.x, 999.x, 1337.x...: numbers picked to win ``pip``'s "highest version" choice."""
    major = version.release[0] if version.release else 0
    return major in PROBE_MAJORS or (major >= 99 and set(str(major)) == {"9"})


def dependency_confusion_findings(
    name: str,
    version: str | None,
    *,
    private: PrivateNames,
    history: Sequence[str] = (),
) -> list[Finding]:
    """Findings for project ``name`` at ``version`` published on a public index.

    ``history`` lists the project's earlier versions (strings; invalid ones are ignored).
    """
    findings: list[Finding] = []
    hit = private.matches(name)
    if hit:
        findings.append(
            Finding(
                rule="dependency-confusion",
                category="metadata.dependency-confusion.private-name",
                severity=Severity.HIGH,
                message=f"public project {name!r} takes a name configured as private ({hit})",
                evidence=hit,
                weight=0.7,
            )
        )
    current = _version(version)
    if current is None:
        return findings
    earlier = [v for v in map(_version, history) if v is not None and v != current]
    previous = max(earlier, default=None)
    if is_probe_version(current) and not (previous and is_probe_version(previous)):
        findings.append(
            Finding(
                rule="probe-version",
                category="metadata.dependency-confusion.probe-version",
                severity=Severity.MEDIUM,
                message=f"version {current} looks like a dependency-confusion probe",
                evidence=str(current),
                weight=0.4 if hit or not earlier else 0.3,
            )
        )
    elif previous is not None and current > previous:
        old = previous.release[0] if previous.release else 0
        new = current.release[0] if current.release else 0
        if new - old >= JUMP_MIN and new >= JUMP_FACTOR * max(old, 1) and new < 1900:
            findings.append(
                Finding(
                    rule="version-jump",
                    category="metadata.dependency-confusion.version-jump",
                    severity=Severity.MEDIUM,
                    message=f"version {current} jumps far above the project's history "
                    f"(highest before: {previous})",
                    evidence=f"{previous} -> {current}",
                    weight=0.3,
                )
            )
    return findings
