"""The index's ports. Each has a real implementation and a test one; wiring is in ``app.py``.

- ``Clock``: the time (``SystemClock``, ``ManualClock``).
- ``Scanner``: judges the bytes of an uploaded file (``CoreScanner`` in ``pipeline.py``).
- ``NameChecker``: refuses new project names confusable with popular or existing ones.
- ``UploadGate``: a pre-publication decision hook (anomaly holds, attestation requirements).
- ``ProjectSource``: where a project's page comes from (local DB; later an upstream proxy).
- ``FileStore``: blob storage, in ``snakewarden.adapters.storage``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from snakewarden.core.models import ScanResult
from snakewarden.index.policy import Decision, UploadContext
from snakewarden.index.views import ProjectPage


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta


class Scanner(Protocol):
    def scan(self, data: bytes, filename: str) -> ScanResult:
        """Judge one distribution file. Never raises for hostile input: it returns a result."""
        ...


class NameChecker(Protocol):
    def check(self, name: str, existing: Sequence[str]) -> str | None:
        """Why the NEW project ``name`` is refused (confusable with ...), or None if it is fine.

        ``existing`` are the normalized names of the projects already on this index."""
        ...


class UploadGate(Protocol):
    """A decision hook consulted for every upload before it is accepted and again when its
    verdict is in. Return None to abstain; the strictest decision of all gates wins."""

    def before_upload(self, ctx: UploadContext) -> Decision | None: ...

    def after_scan(self, ctx: UploadContext, result: ScanResult) -> Decision | None: ...


class ProjectSource(Protocol):
    """Where project pages come from. The index serves ``LocalProjectSource``; a proxy of an
    upstream index chains another source behind it (a local name always wins)."""

    def project(self, name: str) -> ProjectPage | None:
        """The page of the normalized ``name``, or None if this source does not know it."""
        ...

    def project_names(self) -> Sequence[str]:
        """The names this source lists on ``/simple/`` (may be empty for a proxy)."""
        ...
