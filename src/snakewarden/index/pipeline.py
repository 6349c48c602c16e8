"""The scan pipeline: durable scan jobs in the database, claimed with a lease that a heartbeat
renews, and worker threads that scan and apply the policy.

A job is claimed by a conditional UPDATE (pending, or running with an expired lease), so a worker
that dies mid-scan only delays its job until the lease runs out; any worker (after a restart,
another process) then takes it. Completing a job is idempotent: the first verdict wins, a second
run of the same job changes nothing.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from snakewarden.adapters.storage import FileStore, read_all
from snakewarden.core.events import EventTag
from snakewarden.core.models import ScanResult, Verdict
from snakewarden.errors import SnakewardenError
from snakewarden.index.accounts import AccountService
from snakewarden.index.db import Database
from snakewarden.index.events import record
from snakewarden.index.interfaces import Clock, Scanner, UploadGate
from snakewarden.index.models import DistFile, FileState, JobState, ScanJob
from snakewarden.index.policy import Action, Decision, UploadContext, decide_verdict, strictest
from snakewarden.index.repository import bump_serial

log = logging.getLogger("snakewarden.index.pipeline")

MAX_FINDINGS_STORED = 50


class CoreScanner:
    """The scanner core: ``read_artifact`` then ``analyze``."""

    def scan(self, data: bytes, filename: str) -> ScanResult:
        from snakewarden.analysis import analyze
        from snakewarden.artifacts import read_artifact

        try:
            artifact = read_artifact(data, filename)
            return analyze(artifact, target=filename)
        except SnakewardenError as exc:
            return ScanResult(
                target=filename, verdict=Verdict.ERROR, score=0.0, error=exc.message[:500]
            )


def _scan_in_child(data: bytes, filename: str) -> ScanResult:
    return CoreScanner().scan(data, filename)


class ProcessScanner:
    """The scanner core in a pool of child processes: a hostile file that crashes or hangs the
    parser takes down a child, not the index, and scans don't compete with requests for the GIL.

    A scan over ``timeout`` seconds, or a dead child, raises (the job is retried, then held) and
    the pool is rebuilt."""

    def __init__(
        self,
        processes: int = 1,
        *,
        timeout: float = 300.0,
        target: Callable[[bytes, str], ScanResult] = _scan_in_child,
    ) -> None:
        self.processes = processes
        self.timeout = timeout
        self.target = target
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.processes, mp_context=multiprocessing.get_context("spawn")
                )
            return self._pool

    def _reset(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.kill()  # a stuck child never returns on its own
        pool.shutdown(wait=False, cancel_futures=True)

    def scan(self, data: bytes, filename: str) -> ScanResult:
        pool = self._get_pool()
        try:
            return pool.submit(self.target, data, filename).result(timeout=self.timeout)
        except FuturesTimeout as exc:
            self._reset(pool)
            raise ScanAborted(f"the scan of {filename} took over {self.timeout:.0f} s") from exc
        except BrokenProcessPool as exc:
            self._reset(pool)
            raise ScanAborted(f"the scanner process died while scanning {filename}") from exc

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


class ScanAborted(SnakewardenError):
    """A scan did not finish (timeout, crashed scanner process)."""


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: int
    file_id: int
    filename: str
    sha256: str
    owner: str
    attempt: int


class JobQueue:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        accounts: AccountService,
        *,
        gates: Sequence[UploadGate] = (),
        lease: timedelta = timedelta(seconds=120),
        max_attempts: int = 3,
    ) -> None:
        self.db = db
        self.clock = clock
        self.accounts = accounts
        self.gates = tuple(gates)
        self.lease = lease
        self.max_attempts = max_attempts

    @staticmethod
    def enqueue(session: Session, file_id: int, now: datetime) -> None:
        session.add(ScanJob(file_id=file_id, state=JobState.PENDING.value, created_at=now))

    def _claimable(self, now: datetime) -> object:
        return or_(
            ScanJob.state == JobState.PENDING.value,
            (ScanJob.state == JobState.RUNNING.value) & (ScanJob.lease_expires_at < now),
        )

    def claim(self, owner: str) -> ClaimedJob | None:
        """Take the oldest available job (pending, or abandoned by a dead worker)."""
        now = self.clock.now()
        with self.db.read() as s:
            ids = s.scalars(
                select(ScanJob.id).where(self._claimable(now)).order_by(ScanJob.id).limit(8)  # type: ignore[arg-type]
            ).all()
        for job_id in ids:
            with self.db.write() as s:
                res = s.execute(
                    update(ScanJob)
                    .where(ScanJob.id == job_id, self._claimable(now))  # type: ignore[arg-type]
                    .values(
                        state=JobState.RUNNING.value,
                        lease_owner=owner,
                        lease_expires_at=now + self.lease,
                        attempts=ScanJob.attempts + 1,
                    )
                    .execution_options(synchronize_session=False)
                )
                if res.rowcount != 1:  # type: ignore[attr-defined]
                    continue
                job = s.get(ScanJob, job_id)
                assert job is not None
                f = s.get(DistFile, job.file_id)
                if f is None:
                    job.state = JobState.DONE.value
                    continue
                if job.attempts > self.max_attempts:
                    self._give_up(s, job, f, now, "too many failed or abandoned scan attempts")
                    continue
                return ClaimedJob(job.id, f.id, f.filename, f.sha256, owner, job.attempts)
        return None

    def heartbeat(self, job: ClaimedJob) -> bool:
        """Extend the lease; False if the job is no longer ours."""
        now = self.clock.now()
        with self.db.write() as s:
            res = s.execute(
                update(ScanJob)
                .where(
                    ScanJob.id == job.id,
                    ScanJob.lease_owner == job.owner,
                    ScanJob.state == JobState.RUNNING.value,
                )
                .values(lease_expires_at=now + self.lease)
                .execution_options(synchronize_session=False)
            )
            return bool(res.rowcount == 1)  # type: ignore[attr-defined]

    def fail(self, job: ClaimedJob, error: str) -> None:
        """A scan attempt crashed: retry later, or hold the file after ``max_attempts``."""
        now = self.clock.now()
        with self.db.write() as s:
            row = s.get(ScanJob, job.id)
            if row is None or row.state in (JobState.DONE.value, JobState.FAILED.value):
                return
            row.last_error = error[:2000]
            if row.attempts >= self.max_attempts:
                f = s.get(DistFile, row.file_id)
                if f is not None:
                    self._give_up(s, row, f, now, f"scan failed: {error[:300]}")
                return
            row.state = JobState.PENDING.value
            row.lease_owner = None
            row.lease_expires_at = None

    def _give_up(self, s: Session, job: ScanJob, f: DistFile, now: datetime, why: str) -> None:
        job.state = JobState.FAILED.value
        job.finished_at = now
        job.last_error = why[:2000]
        if f.state == FileState.PENDING.value:
            f.state = FileState.HELD.value
            f.state_reason = why[:2000]
            f.verdict = Verdict.ERROR.value
            record(
                s,
                EventTag.SCAN_VERDICT,
                time=now,
                project=f.release.project.normalized_name,
                version=f.release.version,
                filename=f.filename,
                verdict="error",
                action=Action.HOLD.value,
                reason=why[:300],
            )

    def complete(self, job_id: int, result: ScanResult) -> Decision | None:
        """Record the verdict and apply the policy, once: None if the job was already done."""
        now = self.clock.now()
        with self.db.write() as s:
            job = s.get(ScanJob, job_id, with_for_update=True)
            if job is None or job.state in (JobState.DONE.value, JobState.FAILED.value):
                return None
            f = s.get(DistFile, job.file_id)
            job.state = JobState.DONE.value
            job.finished_at = now
            job.lease_owner = None
            if f is None:
                return None
            project = f.release.project.normalized_name
            ctx = UploadContext(
                project=project,
                version=f.release.version,
                filename=f.filename,
                sha256=f.sha256,
                uploader=None,
                new_project=False,
            )
            decisions: list[Decision | None] = [decide_verdict(result)]
            if f.gate_action:  # a gate decided at upload time
                decisions.append(Decision(Action(f.gate_action), f.gate_reason or "", "gate"))
            decisions.extend(g.after_scan(ctx, result) for g in self.gates)
            decision = strictest(decisions)
            assert decision is not None
            if decision.action is Action.REJECT:
                decision = replace(decision, action=Action.QUARANTINE)
            f.verdict = result.verdict.value
            f.score = result.score
            f.findings = [
                {
                    "rule": x.rule,
                    "category": x.category,
                    "severity": x.severity.value,
                    "message": x.message[:500],
                    "file": x.file[:300],
                    "line": x.line,
                    "evidence": x.evidence[:300],
                    "weight": x.weight,
                }
                for x in result.findings[:MAX_FINDINGS_STORED]
            ]
            if f.state == FileState.PENDING.value:  # a reviewer may have acted meanwhile
                f.state = {
                    Action.PUBLISH: FileState.PUBLISHED,
                    Action.HOLD: FileState.HELD,
                    Action.QUARANTINE: FileState.QUARANTINED,
                }[decision.action].value
                f.state_reason = decision.reason[:2000]
                bump_serial(s, f.release.project_id)
            record(
                s,
                EventTag.SCAN_VERDICT,
                time=now,
                project=project,
                version=f.release.version,
                filename=f.filename,
                verdict=result.verdict.value,
                score=f"{result.score:.4f}",
                action=decision.action.value,
                reason=decision.reason[:300],
                findings=str(len(result.findings)),
            )
            if decision.action is Action.QUARANTINE and f.token_id is not None:
                self.accounts._revoke(
                    s,
                    f.token_id,
                    now=now,
                    actor="snakewarden",
                    reason=f"uploaded the malicious file {f.filename}",
                )
            return decision

    def counts(self) -> dict[str, int]:
        from sqlalchemy import func

        with self.db.read() as s:
            rows = s.execute(select(ScanJob.state, func.count(ScanJob.id)).group_by(ScanJob.state))
            return {str(state): int(n) for state, n in rows}


class ScanWorkers:
    """N threads that claim jobs, scan, and complete them; woken by uploads, polling otherwise."""

    def __init__(
        self,
        queue: JobQueue,
        store: FileStore,
        scanner: Scanner,
        *,
        workers: int = 1,
        poll_seconds: float = 2.0,
        max_scan_seconds: float = 600.0,
        on_done: Callable[[int, Decision | None], None] | None = None,
    ) -> None:
        self.queue = queue
        self.store = store
        self.scanner = scanner
        self.n = workers
        self.poll_seconds = poll_seconds
        self.max_scan_seconds = max_scan_seconds
        self.on_done = on_done
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.instance = uuid.uuid4().hex[:8]

    def start(self) -> None:
        for i in range(self.n):
            t = threading.Thread(
                target=self._run,
                args=(f"{self.instance}-{i}",),
                name=f"scan-worker-{i}",
                daemon=True,
            )
            t.start()
            self._threads.append(t)

    def notify(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()

    def _run(self, owner: str) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_once(owner)
            except SnakewardenError as exc:  # the DB is unreachable: wait, then retry
                log.warning("scan worker %s: %s", owner, exc.message)
                worked = False
            except Exception:  # a bug must not silently stop the worker; its job is retried
                log.exception("scan worker %s failed", owner)
                worked = False
            if not worked:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    def run_once(self, owner: str) -> bool:
        """Claim and process one job; False if there was none."""
        job = self.queue.claim(owner)
        if job is None:
            return False
        stop_beat = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job, stop_beat), daemon=True)
        beat.start()
        try:
            data = read_all(self.store, job.sha256)
            result = self.scanner.scan(data, job.filename)
        except Exception as exc:  # a scanner bug must not kill the worker: retry, then hold
            log.exception("scan of %s failed", job.filename)
            stop_beat.set()
            self.queue.fail(job, f"{type(exc).__name__}: {exc}")
            return True
        finally:
            stop_beat.set()
            beat.join()
        decision = self.queue.complete(job.id, result)
        if self.on_done is not None:
            self.on_done(job.file_id, decision)
        return True

    def _heartbeat(self, job: ClaimedJob, stop: threading.Event) -> None:
        """Renew the lease while the scan runs, up to ``max_scan_seconds``: a scan stuck longer
        loses its lease, so the job is retried elsewhere (then held after ``max_attempts``)."""
        interval = max(0.05, self.queue.lease.total_seconds() / 3)
        deadline = time.monotonic() + self.max_scan_seconds
        while not stop.wait(min(interval, max(0.01, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                log.warning(
                    "scan of %s exceeds %s s: letting its lease expire",
                    job.filename,
                    self.max_scan_seconds,
                )
                return
            try:
                if not self.queue.heartbeat(job):
                    return
            except SnakewardenError:
                continue
