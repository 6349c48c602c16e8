"""Release-to-release comparison: what a release brings that the project never had.

The strongest sign is code that runs at install time (or at every interpreter start) with a
capability (network, process, obfuscation, secrets...) that no earlier release had there. For an
established project that is how a stolen account or a poisoned build pipeline shows (ctx 2022,
ultralytics 2024), so it is amplified: the finding weighs more than the code's own findings
would alone, and a release that adds an install-time dropper to an old project is judged
``malicious`` even when the dropper is small. Everything else (new runtime capabilities, new
dependencies, new binaries, changed people or URLs) weighs little: healthy projects change too.
"""

from __future__ import annotations

from collections.abc import Sequence

from snakewarden.core.models import Finding, Phase, Severity
from snakewarden.history.snapshot import EARLY_PHASES, Capability, ReleaseSnapshot
from snakewarden.metadata.heuristics import cap_weights
from snakewarden.names import NameChecker

RULE = "history"

#: Weight of a capability that is new at install/startup time, by capability.
INSTALL_WEIGHT = {
    "dropper": 0.85,
    "backdoor": 0.85,
    "network": 0.8,
    "secrets": 0.7,
    "obfuscation": 0.75,
    "payload": 0.7,
    "persistence": 0.8,
    "evasion": 0.7,
    "startup": 0.6,
    "process": 0.25,  # setup.py scripts run git, pkg-config, compilers: weak alone
}
DEFAULT_INSTALL_WEIGHT = 0.5
#: New capabilities in code that runs on import / only when called.
IMPORT_WEIGHT = {"network": 0.2, "process": 0.15, "obfuscation": 0.25, "dropper": 0.3}
RUNTIME_WEIGHT = {"obfuscation": 0.1, "dropper": 0.1, "backdoor": 0.15}
#: The capped total of the identity signs (people, mail, URLs).
IDENTITY_BUDGET = 0.2
#: A new install-time capability counts only when its own findings weigh at least this.
MIN_EVIDENCE = 0.05


def _finding(
    category: str, severity: Severity, message: str, weight: float, **kw: object
) -> Finding:
    # One rule id per kind of sign ("history-install-code", "history-dependency"...), so that
    # the scorer combines different signs rather than keeping the heaviest of one rule.
    return Finding(
        rule=f"{RULE}-{category.split('.')[0]}",
        category=f"history.{category}",
        severity=severity,
        message=message,
        weight=weight,
        **kw,  # type: ignore[arg-type]
    )


def _where(f: Finding | None) -> str:
    if f is None or not f.file:
        return ""
    return f"{f.file}:{f.line}" if f.line else f.file


def compare(
    previous: Sequence[ReleaseSnapshot],
    current: ReleaseSnapshot,
    *,
    names: NameChecker | None = None,
) -> list[Finding]:
    """Findings for what ``current`` adds to the project's ``previous`` releases.

    ``previous`` may be in any order; with none, there is nothing to compare (``[]``).
    ``names`` (the popular-names checker) makes new confusable dependencies a strong sign.
    """
    earlier = [s for s in previous if s.version != current.version]
    if not earlier:
        return []
    findings: list[Finding] = []
    findings += _capabilities(earlier, current)
    findings += _files(earlier, current)
    findings += _dependencies(earlier, current, names)
    findings += cap_weights(_identity(earlier, current), IDENTITY_BUDGET)
    return findings


def _capabilities(earlier: Sequence[ReleaseSnapshot], current: ReleaseSnapshot) -> list[Finding]:
    had: set[Capability] = set().union(*(s.capabilities for s in earlier))
    had_early = {c.kind for c in had if c.phase in EARLY_PHASES}
    had_any = {c.kind for c in had}
    findings: list[Finding] = []
    new_early = [
        c
        for c in sorted(current.capabilities)
        if c.phase in EARLY_PHASES and c.kind not in had_early
    ]
    for cap in new_early:
        evidence = current.strongest(cap)
        if evidence is None or evidence.weight < MIN_EVIDENCE:
            continue
        weight = INSTALL_WEIGHT.get(cap.kind, DEFAULT_INSTALL_WEIGHT)
        if had_early:  # the project already ran code of other kinds at install time
            weight *= 0.6
        when = "at install time" if cap.phase is Phase.INSTALL else "at interpreter start"
        findings.append(
            _finding(
                "install-code.new",
                Severity.CRITICAL if weight >= 0.7 else Severity.HIGH,
                f"new {cap.kind} code runs {when} in {_where(evidence)}: none of the "
                f"{len(earlier)} earlier release(s) had such code"
                + ("" if had_early else ", nor any other capability at install time"),
                round(weight, 3),
                file=evidence.file,
                line=evidence.line,
                evidence=evidence.evidence,
                phase=cap.phase,
            )
        )
    for cap in sorted(current.capabilities):
        if cap.phase in EARLY_PHASES or cap.kind in had_any:
            continue
        table = IMPORT_WEIGHT if cap.phase is Phase.IMPORT else RUNTIME_WEIGHT
        weight = table.get(cap.kind, 0.0)
        evidence = current.strongest(cap)
        if evidence is None or evidence.weight < MIN_EVIDENCE:
            continue
        findings.append(
            _finding(
                "capability.new",
                Severity.MEDIUM if weight >= 0.15 else Severity.LOW,
                f"new {cap.kind} capability ({cap.phase.value}) in {_where(evidence)}",
                weight,
                file=evidence.file,
                line=evidence.line,
                evidence=evidence.evidence,
                phase=cap.phase,
            )
        )
    had_hooks = set().union(*(s.install_hooks for s in earlier))
    findings.extend(
        _finding(
            "install-hook.new",
            Severity.LOW,
            f"new install-time hook in {hook}",
            0.05 if had_hooks else 0.1,
            file=hook,
            phase=Phase.INSTALL,
        )
        for hook in sorted(current.install_hooks - had_hooks)
    )
    return findings


def _files(earlier: Sequence[ReleaseSnapshot], current: ReleaseSnapshot) -> list[Finding]:
    had_pth = set().union(*(s.pth_files for s in earlier))
    findings = [
        _finding(
            "pth.new",
            Severity.MEDIUM,
            f"new .pth file {pth}: it is read at every interpreter start",
            0.2,
            file=pth,
            phase=Phase.STARTUP,
        )
        for pth in sorted(current.pth_files - had_pth)[:5]
    ]
    same_kind = [s for s in earlier if s.kind == current.kind] or list(earlier)
    had_binaries = set().union(*(s.binaries for s in same_kind))
    new = sorted(current.binaries - had_binaries)
    if new:
        findings.append(
            _finding(
                "binary.new",
                Severity.MEDIUM if not had_binaries else Severity.LOW,
                f"new bundled binary {new[0]}"
                + (f" (and {len(new) - 1} more)" if len(new) > 1 else "")
                + ("" if had_binaries else ": no earlier release shipped one"),
                0.05 if had_binaries else 0.3,
                file=new[0],
            )
        )
    return findings


def _dependencies(
    earlier: Sequence[ReleaseSnapshot], current: ReleaseSnapshot, names: NameChecker | None
) -> list[Finding]:
    had: set[str] = set().union(*(s.requires for s in earlier))
    findings: list[Finding] = []
    plain: list[str] = []
    for dep in sorted(current.requires - had):
        verdict = names.check(dep) if names is not None else None
        if verdict is not None and verdict.confusable:
            findings.append(
                _finding(
                    "dependency.confusable",
                    Severity.HIGH,
                    f"new dependency {dep!r} imitates the popular project "
                    f"{verdict.similar_to[0]!r}",
                    0.6,
                    evidence=dep,
                )
            )
        elif names is None or not names.is_popular(dep):
            plain.append(dep)
    if plain:
        findings.append(
            _finding(
                "dependency.new",
                Severity.LOW,
                f"new dependencies outside the popular list: {', '.join(plain[:10])}",
                min(0.15, 0.05 * len(plain)),
                evidence=", ".join(plain[:10]),
            )
        )
    return findings


def _identity(earlier: Sequence[ReleaseSnapshot], current: ReleaseSnapshot) -> list[Finding]:
    last = max(earlier, key=lambda s: (s.uploaded is not None, s.uploaded, s.version))
    findings: list[Finding] = []
    if current.people and last.people and not (current.people & last.people):
        findings.append(
            _finding(
                "identity.people",
                Severity.LOW,
                f"the authors/maintainers changed: {', '.join(sorted(last.people))} -> "
                f"{', '.join(sorted(current.people))}",
                0.1,
            )
        )
    old_domains = {e.rsplit("@", 1)[-1] for e in last.emails}
    new_domains = {e.rsplit("@", 1)[-1] for e in current.emails}
    if current.emails and last.emails and not (old_domains & new_domains):
        findings.append(
            _finding(
                "identity.email",
                Severity.LOW,
                f"the author mail moved to another domain: {', '.join(sorted(old_domains))} -> "
                f"{', '.join(sorted(new_domains))}",
                0.1,
            )
        )
    if current.urls and last.urls and not (current.urls & last.urls):
        findings.append(
            _finding(
                "identity.urls",
                Severity.LOW,
                "every project URL changed: " + ", ".join(sorted(current.urls)[:3]),
                0.1,
            )
        )
    return findings
