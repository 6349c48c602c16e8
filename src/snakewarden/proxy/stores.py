"""Adapters of the proxy's stores: verdicts, the decision log, the clock."""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from snakewarden.adapters.files import write_atomic
from snakewarden.core.models import Verdict
from snakewarden.proxy.errors import ProxyError
from snakewarden.proxy.interfaces import DecisionRecord
from snakewarden.proxy.model import FileVerdict

_SHA256 = re.compile(r"\A[0-9a-f]{64}\Z")
_MAX_VERDICT_FILE = 1024 * 1024


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to (tests, replays)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def verdict_to_json(v: FileVerdict) -> dict[str, Any]:
    return {
        "sha256": v.sha256,
        "filename": v.filename,
        "project": v.project,
        "verdict": v.verdict.value,
        "score": v.score,
        "reasons": list(v.reasons),
        "scanned_at": v.scanned_at.isoformat(),
        "scanner": v.scanner,
        "size": v.size,
        "version": v.version,
        "upload_time": v.upload_time.isoformat() if v.upload_time else None,
        "provenance": v.provenance,
        "attestation": v.attestation,
    }


def _opt(value: object) -> str | None:
    return value if isinstance(value, str) else None


def verdict_from_json(doc: object) -> FileVerdict:
    """Parse a stored verdict. Raises ``ProxyError`` when it is not one."""
    try:
        if not isinstance(doc, dict):
            raise TypeError("not an object")
        reasons = doc["reasons"]
        if not isinstance(reasons, list):
            raise TypeError("reasons is not a list")
        return FileVerdict(
            sha256=str(doc["sha256"]),
            filename=str(doc["filename"]),
            project=str(doc["project"]),
            verdict=Verdict(doc["verdict"]),
            score=float(doc["score"]),
            reasons=tuple(str(r) for r in reasons),
            scanned_at=datetime.fromisoformat(str(doc["scanned_at"])),
            scanner=str(doc["scanner"]),
            size=int(doc["size"]),
            version=_opt(doc.get("version")),
            upload_time=datetime.fromisoformat(t) if (t := _opt(doc.get("upload_time"))) else None,
            provenance=_opt(doc.get("provenance")),
            attestation=_opt(doc.get("attestation")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProxyError(f"a stored verdict is unreadable: {exc}") from exc


class InMemoryVerdictStore:
    def __init__(self) -> None:
        self._items: dict[str, FileVerdict] = {}
        self._lock = threading.Lock()

    def get(self, sha256: str) -> FileVerdict | None:
        with self._lock:
            return self._items.get(sha256)

    def put(self, verdict: FileVerdict) -> None:
        with self._lock:
            self._items[verdict.sha256] = verdict


class JsonVerdictStore:
    """One JSON file per verdict under ``root/ab/<sha256>.json``, written atomically.

    An unreadable or tampered entry reads as absent, so the file is scanned again.
    """

    def __init__(self, root: Path, *, memory: int = 10_000) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._memory: dict[str, FileVerdict] = {}  # recent verdicts, so warm hits skip the disk
        self._memory_size = memory
        self._lock = threading.Lock()

    def _remember(self, verdict: FileVerdict) -> None:
        with self._lock:
            if len(self._memory) >= self._memory_size:
                self._memory.pop(next(iter(self._memory)))
            self._memory[verdict.sha256] = verdict

    def _path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ProxyError(f"invalid sha256 {sha256[:80]!r}")
        return self.root / sha256[:2] / f"{sha256}.json"

    def get(self, sha256: str) -> FileVerdict | None:
        path = self._path(sha256)
        with self._lock:
            known = self._memory.get(sha256)
        if known is not None:
            return known
        try:
            with path.open("rb") as fh:
                data = fh.read(_MAX_VERDICT_FILE)
            verdict = verdict_from_json(json.loads(data))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, ProxyError):
            return None
        if verdict.sha256 != sha256:
            return None
        self._remember(verdict)
        return verdict

    def put(self, verdict: FileVerdict) -> None:
        data = json.dumps(verdict_to_json(verdict), sort_keys=True).encode()
        try:
            write_atomic(self._path(verdict.sha256), data)
        except OSError as exc:
            raise ProxyError(f"cannot store the verdict of {verdict.filename}: {exc}") from exc
        self._remember(verdict)


def record_to_json(entry: DecisionRecord) -> dict[str, Any]:
    doc = asdict(entry)
    doc["time"] = entry.time.isoformat()
    doc["waived"] = list(entry.waived)
    return {k: v for k, v in doc.items() if v not in (None, "", [], False) or k == "action"}


class InMemoryDecisionLog:
    def __init__(self) -> None:
        self.entries: list[DecisionRecord] = []
        self._lock = threading.Lock()

    def record(self, entry: DecisionRecord) -> None:
        with self._lock:
            self.entries.append(entry)


class JsonlDecisionLog:
    """Append-only JSON lines; each line is written with one ``write`` on an O_APPEND file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def record(self, entry: DecisionRecord) -> None:
        line = (json.dumps(record_to_json(entry), sort_keys=True) + "\n").encode()
        with self._lock:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
                try:
                    os.write(fd, line)
                finally:
                    os.close(fd)
            except OSError as exc:
                raise ProxyError(f"cannot append to the decision log {self.path}: {exc}") from exc
