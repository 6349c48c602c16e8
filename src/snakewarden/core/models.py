"""The values that flow through the pipeline: findings, verdicts, scan results."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Verdict(StrEnum):
    CLEAN = "clean"
    SUSPICIOUS = "suspicious"
    MALICIOUS = "malicious"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _VERDICT_RANK[self]


_VERDICT_RANK = {Verdict.CLEAN: 0, Verdict.ERROR: 0, Verdict.SUSPICIOUS: 1, Verdict.MALICIOUS: 2}


class Phase(StrEnum):
    """When the code that a finding points at runs."""

    INSTALL = "install"  # setup.py, build hooks, cmdclass: runs on pip install
    STARTUP = "startup"  # .pth files: runs at every interpreter start
    IMPORT = "import"  # module top level, above all __init__.py: runs on import
    RUNTIME = "runtime"  # inside functions: runs only if called
    NONE = "none"  # not code (metadata, archive structure, data files)


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of evidence. ``weight`` in 0..1 is its contribution to the score."""

    rule: str
    category: str
    severity: Severity
    message: str
    file: str = ""
    line: int = 0
    evidence: str = ""
    weight: float = 0.0
    phase: Phase = Phase.NONE


@dataclass(frozen=True, slots=True)
class PackageRef:
    name: NormalizedName
    version: Version | None = None

    @classmethod
    def parse(cls, name: str, version: str | None = None) -> PackageRef:
        return cls(canonicalize_name(name), Version(version) if version else None)

    def __str__(self) -> str:
        return f"{self.name}=={self.version}" if self.version else str(self.name)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The judgement of one scan target."""

    target: str
    verdict: Verdict
    score: float
    name: str | None = None
    version: str | None = None
    sha256: str | None = None
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    error: str | None = None
