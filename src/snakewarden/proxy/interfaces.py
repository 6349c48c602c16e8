"""The ports of the proxy. Each has a real implementation and an in-memory or null one.

- ``UpstreamClient``: the upstream simple API (``HttpxUpstreamClient``; tests serve a real
  index on loopback, or use ``httpx.MockTransport``).
- ``FileStore`` (from ``snakewarden.adapters.storage``): cached files by sha256.
- ``VerdictStore``: cached verdicts (``JsonVerdictStore``, ``InMemoryVerdictStore``).
- ``DecisionLog``: every decision, append-only (``JsonlDecisionLog``, ``InMemoryDecisionLog``).
- ``Scanner``: the static analysis (``AnalysisScanner`` over the scanner core).
- ``NameChecker``, ``VulnerabilityLookup``, ``AttestationVerifier``: optional checks that other
  parts of snakewarden provide (``Null…`` implementations when they are absent).
- ``LocalProjects``: the names an index hosts itself, never served from upstream.
- ``Clock``: the time, injected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from snakewarden.core.models import ScanResult, Severity
from snakewarden.proxy.model import FileVerdict, ProjectPage


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class UpstreamClient(Protocol):
    @property
    def base_url(self) -> str:
        """The upstream simple index URL, ending in '/'."""
        ...

    async def get_page(self, name: str) -> ProjectPage:
        """The project's page. Raises ``UpstreamNotFound`` or ``UpstreamError``."""
        ...

    async def download(self, url: str, max_size: int) -> bytes:
        """The bytes at ``url`` (at most ``max_size``). Raises ``UpstreamError``."""
        ...

    async def aclose(self) -> None: ...


class VerdictStore(Protocol):
    def get(self, sha256: str) -> FileVerdict | None: ...

    def put(self, verdict: FileVerdict) -> None: ...


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """One line of the decision log."""

    time: datetime
    stage: str  # "project", "release", "file"
    action: str  # "allow", "warn", "block", "error"
    project: str
    version: str | None = None
    filename: str | None = None
    sha256: str | None = None
    rule: str = ""
    reason: str = ""
    waived: tuple[str, ...] = ()
    verdict: str | None = None
    score: float | None = None
    cached: bool = False
    client: str | None = None
    user_agent: str | None = None


class DecisionLog(Protocol):
    def record(self, entry: DecisionRecord) -> None: ...


class Scanner(Protocol):
    @property
    def version(self) -> str:
        """Identifies the scanner and its rules; a cached verdict from another is re-scanned."""
        ...

    def scan(self, data: bytes, filename: str) -> ScanResult:
        """Judge one distribution file. Never raises for hostile input (verdict ``error``)."""
        ...


class NameChecker(Protocol):
    def confusable_with(self, name: str) -> str | None:
        """The popular project ``name`` imitates, or None."""
        ...


class VulnerabilityLookup(Protocol):
    def vulnerabilities(self, name: str, version: str) -> tuple[tuple[str, Severity | None], ...]:
        """Known advisories affecting the release: (advisory id, severity or None)."""
        ...


class AttestationVerifier(Protocol):
    def verify(
        self, provenance: bytes, filename: str, sha256: str, repository: str | None = None
    ) -> str | None:
        """None when the provenance verifies for that file (and, given ``repository``, was
        published from that repository), else the reason it does not."""
        ...


class LocalProjects(Protocol):
    def is_local(self, name: str) -> bool:
        """True when the index hosts ``name`` itself (it is then never fetched from upstream)."""
        ...
