"""Values of an audit: dependencies read from inputs, findings, and what could not be checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from packaging.utils import NormalizedName


def marker_environment() -> dict[str, str]:
    """This interpreter's PEP 508 marker environment as plain strings."""
    from packaging.markers import default_environment

    return {str(k): str(v) for k, v in default_environment().items()}


class DependencyKind(StrEnum):
    PINNED = "pinned"  # one exact version: can be checked
    UNPINNED = "unpinned"  # a range or nothing: cannot be checked without resolving
    URL = "url"  # a direct URL, VCS or local path: no index version to look up
    EDITABLE = "editable"  # -e / editable install of a local project


class FindingKind(StrEnum):
    MALICIOUS = "malicious"  # the release is a known-malicious package (OSV MAL- record)
    VULNERABILITY = "vulnerability"  # a known vulnerability affects the release
    CONFUSABLE = "confusable"  # the name imitates a popular project
    SCAN = "scan"  # the scanner judged the downloaded release suspicious or malicious


@dataclass(frozen=True, slots=True)
class Dependency:
    """One requirement as read from an input, located where it was read."""

    name: NormalizedName
    version: str | None
    kind: DependencyKind
    origin: str  # "path:line", "path" or "environment"
    display_name: str = ""
    requirement: str = ""  # the text as written, for messages and --fix
    hashes: tuple[str, ...] = ()  # "sha256:…"
    extras: tuple[str, ...] = ()
    marker: str = ""
    line: int = 0
    path: str = ""

    @property
    def label(self) -> str:
        name = self.display_name or self.name
        return f"{name}=={self.version}" if self.version else name


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that was not checked. ``error`` problems make the audit fail (exit 2)."""

    origin: str
    subject: str
    reason: str
    error: bool = True
    hint: str = ""


@dataclass(frozen=True, slots=True)
class AuditFinding:
    kind: FindingKind
    id: str  # the primary id (PYSEC- before GHSA- before others; MAL- for malicious)
    aliases: tuple[str, ...] = ()  # every other id of the same issue, merged records included
    title: str = ""
    details: str = ""
    fix_versions: tuple[str, ...] = ()  # versions that fix this one issue, ascending
    severity: str = ""  # "low" … "critical", or "" when the record gives none
    cvss: str = ""  # a CVSS vector when the record gives one
    url: str = ""
    published: str = ""
    modified: str = ""
    cwes: tuple[int, ...] = ()  # CWE numbers from the records' database_specific.cwe_ids

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)


@dataclass(frozen=True, slots=True)
class PackageResult:
    dependency: Dependency
    findings: tuple[AuditFinding, ...] = ()
    #: The smallest version that fixes all of this package's vulnerabilities (None: none known).
    fix_version: str | None = None
    ignored: tuple[str, ...] = ()  # ids of findings left out by --ignore-vuln


@dataclass(frozen=True, slots=True)
class InputSet:
    """Everything read from the inputs: dependencies to check and lines that cannot be."""

    dependencies: tuple[Dependency, ...] = ()
    problems: tuple[Problem, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditReport:
    results: tuple[PackageResult, ...]
    problems: tuple[Problem, ...] = ()
    sources: tuple[str, ...] = ()
    database: dict[str, str] = field(default_factory=dict)

    @property
    def findings(self) -> tuple[tuple[Dependency, AuditFinding], ...]:
        return tuple((r.dependency, f) for r in self.results for f in r.findings)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.error)

    @property
    def exit_code(self) -> int:
        """1 when anything was found, else 2 when anything could not be checked, else 0.

        Findings take precedence because they call for action; errors are still printed, and
        both codes fail a CI job.
        """
        if self.findings:
            return 1
        if self.errors:
            return 2
        return 0
