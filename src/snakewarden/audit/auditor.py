"""Check pinned dependencies: vulnerabilities, known-malicious releases, confusable names and,
when a scanner is given, the scanner's verdict on the downloaded release.

:func:`audit` works on ports only (advisory store, online look-up, name check, scanner), so
every part of it runs in memory in tests. Whatever could not be checked becomes an error
:class:`Problem`, never a silent pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from packaging.utils import NormalizedName

from snakewarden.advisories.interfaces import AdvisoryStore
from snakewarden.advisories.matching import (
    affects,
    fixed_versions,
    merge_aliases,
    parse_version,
    smallest_fix,
    undecidable_ranges,
)
from snakewarden.advisories.model import Advisory
from snakewarden.advisories.severity import advisory_severity
from snakewarden.audit.model import (
    AuditFinding,
    AuditReport,
    Dependency,
    DependencyKind,
    FindingKind,
    InputSet,
    PackageResult,
    Problem,
)
from snakewarden.errors import SnakewardenError


class OnlineLookup(Protocol):
    """Advisories for one release from a remote service; raises a SnakewardenError on failure."""

    def vulnerabilities(self, name: NormalizedName, version: str) -> Sequence[Advisory]: ...


class ReleaseScanner(Protocol):
    """Downloads a release and judges it; returns findings (empty when clean).

    Raises a SnakewardenError when the release could not be fetched, verified or read.
    """

    def scan(self, dependency: Dependency) -> Sequence[AuditFinding]: ...


#: Returns a finding when the name imitates a popular project, else None.
NameCheck = Callable[[Dependency], AuditFinding | None]


@dataclass(frozen=True, slots=True)
class AuditOptions:
    ignore: frozenset[str] = frozenset()
    #: When False the local store is not consulted (online-only audits).
    use_store: bool = True
    #: When True a pinned requirement without ``--hash`` is an error, not a note.
    require_hashes: bool = False


def merge_inputs(inputs: Iterable[InputSet]) -> InputSet:
    """One input set: dependencies de-duplicated by (name, version), first origin kept."""
    seen: dict[tuple[str, str | None], Dependency] = {}
    problems: list[Problem] = []
    sources: list[str] = []
    for inp in inputs:
        for dep in inp.dependencies:
            seen.setdefault((dep.name, dep.version), dep)
        problems.extend(inp.problems)
        sources.extend(inp.sources)
    return InputSet(tuple(seen.values()), tuple(problems), tuple(sources))


def unhashed_problems(deps: Iterable[Dependency], *, require: bool) -> list[Problem]:
    """Pins read from a file that carry no ``--hash``: a tampered or swapped file would install.

    With ``require`` each such pin is an error (as ``pip install --require-hashes`` would refuse
    it); otherwise one note per file names them.
    """
    by_file: dict[str, list[Dependency]] = {}
    for dep in deps:
        if dep.kind is DependencyKind.PINNED and dep.path and not dep.hashes:
            by_file.setdefault(dep.path, []).append(dep)
    hint = "run `snakewarden lock-hashes -r FILE` to write a hash-pinned requirements file"
    problems: list[Problem] = []
    for path, missing in by_file.items():
        if require:
            problems.extend(
                Problem(d.origin, d.label, "pinned without --hash", hint=hint) for d in missing
            )
            continue
        names = ", ".join(d.label for d in missing[:5]) + (" …" if len(missing) > 5 else "")
        problems.append(
            Problem(path, f"{len(missing)} pin(s) without --hash", names, error=False, hint=hint)
        )
    return problems


def _url(adv: Advisory) -> str:
    for ref in adv.references:
        if ref.type == "ADVISORY" and ref.url:
            return ref.url
    return f"https://osv.dev/vulnerability/{adv.id}"


def _finding(group: Sequence[Advisory], dep: Dependency, kind: FindingKind) -> AuditFinding:
    primary = group[0]
    ids: list[str] = []
    for adv in group:
        for i in (adv.id, *adv.aliases):
            if i not in ids and i != primary.id:
                ids.append(i)
    current = parse_version(dep.version or "")
    fixes = sorted(
        {
            v
            for adv in group
            for v in fixed_versions(adv, dep.name)
            if current is None or v > current
        }
    )
    rating, _score, vector = "", None, ""
    for adv in group:
        rating, _score, vector = advisory_severity(adv)
        if rating:
            break
    if kind is FindingKind.MALICIOUS:
        rating = "critical"
    cwes = sorted(
        {int(c[4:]) for adv in group for c in adv.cwe_ids if c[:4] == "CWE-" and c[4:].isdigit()}
    )
    return AuditFinding(
        kind=kind,
        id=primary.id,
        aliases=tuple(ids),
        title=next((a.title for a in group if a.title), ""),
        details=primary.details,
        fix_versions=tuple(str(v) for v in fixes),
        severity=rating,
        cvss=vector,
        url=_url(primary),
        published=primary.published,
        modified=primary.modified,
        cwes=tuple(cwes),
    )


def check_dependency(
    dep: Dependency, advisories: Sequence[Advisory], ignore: frozenset[str]
) -> tuple[PackageResult, list[Problem]]:
    """Match one pinned dependency against the advisories that name its package."""
    version = dep.version or ""
    problems: list[Problem] = []
    hits: list[Advisory] = []
    for adv in advisories:
        if affects(adv, dep.name, version):
            hits.append(adv)
        elif not adv.is_withdrawn and undecidable_ranges(adv, dep.name, version):
            problems.append(
                Problem(
                    dep.origin,
                    dep.label,
                    f"{adv.id}: its version ranges cannot be compared with {version!r}",
                    hint="check this advisory by hand",
                )
            )
    findings: list[AuditFinding] = []
    ignored: list[str] = []
    vulnerable: list[Advisory] = []
    for group in merge_aliases(hits):
        ids = {i for adv in group for i in adv.ids}
        if ids & ignore:
            ignored.append(group[0].id)
            continue
        malicious = any(adv.is_malicious for adv in group)
        findings.append(
            _finding(group, dep, FindingKind.MALICIOUS if malicious else FindingKind.VULNERABILITY)
        )
        if not malicious:
            vulnerable.extend(group)
    fix = smallest_fix(vulnerable, dep.name, version) if vulnerable else None
    if any(f.kind is FindingKind.MALICIOUS for f in findings):
        fix = None  # a malicious release is removed, not upgraded
    result = PackageResult(
        dependency=dep,
        findings=tuple(findings),
        fix_version=str(fix) if fix is not None else None,
        ignored=tuple(ignored),
    )
    return result, problems


def audit(
    inputs: InputSet,
    store: AdvisoryStore | None,
    *,
    options: AuditOptions | None = None,
    online: OnlineLookup | None = None,
    name_check: NameCheck | None = None,
    scanner: ReleaseScanner | None = None,
    database: dict[str, str] | None = None,
) -> AuditReport:
    """Audit every pinned dependency of ``inputs``."""
    opts = options or AuditOptions()
    deps = list(inputs.dependencies)
    problems = list(inputs.problems)
    problems.extend(unhashed_problems(deps, require=opts.require_hashes))
    local: dict[NormalizedName, Sequence[Advisory]] = {}
    if store is not None and opts.use_store:
        local = dict(store.advisories_for(sorted({d.name for d in deps})))
    results: list[PackageResult] = []
    for dep in deps:
        advisories: list[Advisory] = list(local.get(dep.name, ()))
        if online is not None:
            try:
                remote = online.vulnerabilities(dep.name, dep.version or "")
            except SnakewardenError as exc:
                problems.append(
                    Problem(dep.origin, dep.label, f"online look-up failed: {exc.message}",
                            hint=exc.hint)
                )  # fmt: skip
            else:
                known = {a.id for a in advisories}
                advisories.extend(a for a in remote if a.id not in known)
        result, more = check_dependency(dep, advisories, opts.ignore)
        problems.extend(more)
        extra: list[AuditFinding] = []
        if name_check is not None:
            named = name_check(dep)
            if named is not None and named.id not in opts.ignore:
                extra.append(named)
        if scanner is not None:
            try:
                extra.extend(scanner.scan(dep))
            except SnakewardenError as exc:
                problems.append(
                    Problem(dep.origin, dep.label, f"scan failed: {exc.message}", hint=exc.hint)
                )
        if extra:
            result = PackageResult(
                dependency=result.dependency,
                findings=(*result.findings, *extra),
                fix_version=result.fix_version,
                ignored=result.ignored,
            )
        results.append(result)
    return AuditReport(
        results=tuple(results),
        problems=tuple(problems),
        sources=inputs.sources,
        database=dict(database or {}),
    )
