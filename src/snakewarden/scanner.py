"""The scan service: from a TARGET string to a ``ScanResult``, for one target or thousands.

A TARGET is a path (an archive, a loose file, a source folder) when it exists on disk, and
otherwise a requirement ``NAME`` or ``NAME==VERSION`` fetched from the package index. A target
that cannot be read or fetched yields a result with verdict ``error`` and an ``error`` message;
it never stops the others.

``scan_many`` runs the scans in a pool of worker processes and yields the results in input
order as they finish. At most ``16 * jobs`` targets are in flight at once (enough that one slow
target does not stall the other workers), so memory stays flat however long the list is. A
worker that crashes, or a target that runs past ``timeout`` seconds, turns into an ``error``
result for that target; the pool is rebuilt and the scan goes on.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from snakewarden.adapters.local import read_path_target
from snakewarden.adapters.pypi import DEFAULT_INDEX_URL, IndexClient, PyPIClient
from snakewarden.analysis import analyze
from snakewarden.artifacts import Artifact, Limits, read_artifact
from snakewarden.core.models import Finding, ScanResult, Verdict
from snakewarden.errors import ScanError, UsageError

__all__ = [
    "INTERNAL_ERROR",
    "ScanOptions",
    "Target",
    "iter_target_lines",
    "parse_target",
    "scan_many",
    "scan_target",
]

_REQ = re.compile(
    r"^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)"
    r"(?:\s*==\s*(?P<version>[A-Za-z0-9][A-Za-z0-9.+!_-]*))?$"
)
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip", ".whl", ".egg")


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """How targets are read and fetched (picklable: it crosses into the worker processes)."""

    index_url: str = DEFAULT_INDEX_URL
    limits: Limits = field(default_factory=Limits)
    http_timeout: float = 30.0
    max_download: int = 256 * 1024 * 1024
    #: ``scan --history``: compare with this many earlier releases of the project (0: off).
    history: int = 0


@dataclass(frozen=True, slots=True)
class Target:
    raw: str
    path: Path | None = None
    name: str | None = None
    version: str | None = None


def parse_target(raw: str) -> Target:
    """A path when it exists; else ``NAME`` / ``NAME==VERSION``; else a clear ``ScanError``."""
    path = Path(raw).expanduser()
    try:
        exists = path.exists() or path.is_symlink()
    except (OSError, ValueError):
        exists = False
    if exists:
        return Target(raw, path=path)
    looks_like_path = os.sep in raw or "/" in raw or raw.lower().endswith(_ARCHIVE_SUFFIXES)
    m = _REQ.match(raw.strip())
    if m and not looks_like_path:
        return Target(raw, name=m["name"], version=m["version"])
    if looks_like_path:
        raise ScanError(f"{raw}: no such file or folder", hint="check the path")
    raise ScanError(
        f"{raw!r} is neither an existing path nor a package NAME or NAME==VERSION",
        hint="pass a path to an archive or folder, or a requirement like requests==2.32.3",
    )


def iter_target_lines(lines: Iterable[str]) -> Iterator[str]:
    """Targets of a ``--from`` file: one per line; blank lines and ``#`` comments are skipped."""
    for raw in lines:
        line = raw.strip()
        if line and not line.startswith("#"):
            yield line


#: Targets in flight per worker: results wait in input order, so one slow target must not
#: starve the pool; each waiting result is small, so memory stays flat.
WINDOW_PER_JOB = 16

#: How the ``error`` of a result caused by a bug in snakewarden starts (the CLI exits 3).
INTERNAL_ERROR = "internal error while scanning:"


def _error(target: str, message: str) -> ScanResult:
    return ScanResult(target=target, verdict=Verdict.ERROR, score=0.0, error=message)


def scan_target(raw: str, options: ScanOptions, index: IndexClient | None = None) -> ScanResult:
    """Scan one TARGET. Never raises for bad input: a failure becomes an ``error`` result.

    ``index`` fetches package names; None builds a ``PyPIClient`` for ``options.index_url``.
    """
    try:
        target = parse_target(raw)
        if target.path is not None:
            artifact = read_path_target(target.path, options.limits)
            result = analyze(artifact, target=raw, extra=_sidecar_provenance(artifact, target.path))
            return _with_history(result, artifact, options, index)
        assert target.name is not None
        if index is None:
            with PyPIClient(
                options.index_url, timeout=options.http_timeout, max_download=options.max_download
            ) as owned:
                download = owned.fetch(target.name, target.version)
        else:
            download = index.fetch(target.name, target.version)
        artifact = read_artifact(download.data, download.filename, options.limits)
        result = analyze(artifact, target=raw)
        result = replace(
            result,
            name=result.name or download.name,
            version=result.version or download.version,
            sha256=download.sha256,
        )
        return _with_history(result, artifact, options, index)
    except ScanError as exc:
        return _error(raw, exc.diagnostics().replace("\n", "; "))
    except RecursionError as exc:
        return _error(raw, f"too deeply nested to analyse: {exc}")
    except MemoryError:
        return _error(raw, "ran out of memory while scanning")


def _sidecar_provenance(artifact: Artifact, path: Path) -> list[Finding]:
    """Findings of the PEP 740 provenance saved beside a distribution file (``FILE.provenance``
    or ``FILE.publish.attestation``), verified offline; none when there is no such file."""
    if not path.is_file():
        return []
    from snakewarden.provenance.scanning import artifact_provenance_findings, read_sidecar

    sidecar = read_sidecar(path)
    return artifact_provenance_findings(artifact, sidecar) if sidecar is not None else []


def _with_history(
    result: ScanResult, artifact: Artifact, options: ScanOptions, index: IndexClient | None
) -> ScanResult:
    """``result`` plus the release-history findings when ``options.history`` asks for them."""
    if not options.history or result.verdict is Verdict.ERROR:
        return result
    from snakewarden.adapters.release_history import add_history

    return add_history(
        result,
        artifact,
        depth=options.history,
        index=index,
        index_url=options.index_url,
        limits=options.limits,
        http_timeout=options.http_timeout,
        max_download=options.max_download,
    )


# ------------------------------------------------------------------------------ worker processes

#: Per worker process: the options, set once by the pool initializer.
_worker_options: ScanOptions | None = None


def _init_worker(options: ScanOptions) -> None:
    global _worker_options
    _worker_options = options
    # Ctrl-C is handled by the parent, which tears the pool down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _worker_scan(raw: str) -> ScanResult:
    assert _worker_options is not None
    return _guarded_scan(raw, _worker_options, None)


def _guarded_scan(raw: str, options: ScanOptions, index: IndexClient | None) -> ScanResult:
    try:
        return scan_target(raw, options, index)
    except Exception as exc:  # a bug in a rule must not take the other targets down
        return _error(raw, f"{INTERNAL_ERROR} {type(exc).__name__}: {exc} (a bug: report it)")


@dataclass(slots=True)
class _Slot:
    target: str
    future: Future[ScanResult]
    attempts: int = 1


class _Pool:
    """A process pool that can be torn down (killing its workers) and rebuilt."""

    def __init__(self, jobs: int, options: ScanOptions) -> None:
        self.jobs = jobs
        self.options = options
        self.ctx = multiprocessing.get_context("forkserver")
        with contextlib.suppress(ValueError, RuntimeError):
            self.ctx.set_forkserver_preload(["snakewarden.scanner", "snakewarden.analysis"])
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.jobs, mp_context=self.ctx, initializer=_init_worker, initargs=(self.options,)
        )

    def submit(self, target: str) -> Future[ScanResult]:
        return self.executor.submit(_worker_scan, target)

    def kill(self) -> None:
        processes = getattr(self.executor, "_processes", None) or {}
        for proc in list(processes.values()):
            with contextlib.suppress(Exception):
                proc.kill()
        self.executor.shutdown(wait=True, cancel_futures=True)

    def rebuild(self) -> None:
        self.kill()
        self.executor = self._new()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def scan_many(
    targets: Iterable[str],
    options: ScanOptions,
    *,
    jobs: int,
    timeout: float = 300.0,
    index: IndexClient | None = None,
) -> Iterator[ScanResult]:
    """Scan ``targets`` and yield one result per target, in input order, as they finish.

    ``jobs`` <= 1 scans in this process (and uses ``index`` when given: tests inject a fake);
    otherwise a pool of ``jobs`` worker processes does, each fetching from ``options.index_url``.
    """
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {jobs}")
    if jobs == 1:
        for raw in targets:
            yield _guarded_scan(raw, options, index)
        return
    pool = _Pool(jobs, options)
    window: deque[_Slot] = deque()
    it = iter(targets)
    try:
        exhausted = False
        while True:
            while not exhausted and len(window) < WINDOW_PER_JOB * jobs:
                nxt = next(it, None)
                if nxt is None:
                    exhausted = True
                    break
                window.append(_Slot(nxt, pool.submit(nxt)))
            if not window:
                return
            head = window[0]
            try:
                result = head.future.result(timeout=timeout)
            except FutureTimeout:
                window.popleft()
                _restart(pool, window)
                yield _error(head.target, f"scan took longer than {timeout:.0f}s and was stopped")
                continue
            except BrokenProcessPool:
                # Which target killed the worker is unknown: retry the head once, then give up.
                if head.attempts >= 2:
                    window.popleft()
                    _restart(pool, window)
                    yield _error(
                        head.target,
                        "the worker scanning this target died (out of memory or a crash)",
                    )
                    continue
                head.attempts += 1
                _restart(pool, window)
                continue
            window.popleft()
            yield result
    finally:
        if window:
            pool.kill()
        else:
            pool.close()


def _restart(pool: _Pool, window: deque[_Slot]) -> None:
    """Rebuild the pool and resubmit every target still in the window (in order)."""
    pool.rebuild()
    for slot in window:
        future = slot.future
        if future.done() and not future.cancelled() and future.exception() is None:
            continue  # finished before the pool went down: keep the result
        slot.future = pool.submit(slot.target)
