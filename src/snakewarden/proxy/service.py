"""The proxy's use cases: project pages from upstream, files fetched → verified → scanned → cached.

``ProxyService`` is framework-free (the Starlette app in ``app.py`` is a thin adapter over it).
Concurrent requests for the same page or file share one upstream fetch and one scan
(single-flight); a cached verdict is reused and its file served without contacting upstream.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import anyio
import anyio.to_thread
from packaging.utils import NormalizedName, canonicalize_name

from snakewarden.adapters.storage import FileStore, StorageError, read_all
from snakewarden.core.models import Severity
from snakewarden.proxy.errors import IntegrityError, ProxyError, UpstreamError, UpstreamNotFound
from snakewarden.proxy.interfaces import (
    AttestationVerifier,
    Clock,
    DecisionLog,
    DecisionRecord,
    LocalProjects,
    NameChecker,
    Scanner,
    UpstreamClient,
    VerdictStore,
    VulnerabilityLookup,
)
from snakewarden.proxy.model import ALLOW, Action, Decision, FileVerdict, ProjectPage, UpstreamFile
from snakewarden.proxy.policy import (
    DEFAULT_POLICY,
    Policy,
    ReleaseFacts,
    project_decision,
    release_decision,
    verdict_decision,
)
from snakewarden.proxy.scanner import reasons_of
from snakewarden.proxy.simple import ServedFile, ServedPage, version_of, versions_of
from snakewarden.proxy.upstream import PYPI_SIMPLE, public_url

log = logging.getLogger("snakewarden.proxy")

MiB = 1024 * 1024
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ProxyConfig:
    """How the proxy runs. ``data_dir`` holds the file cache, verdicts and the decision log."""

    upstream_url: str = PYPI_SIMPLE
    data_dir: Path | None = None  # None: $SNAKEWARDEN_HOME/proxy
    policy: Policy = DEFAULT_POLICY
    page_ttl: timedelta = timedelta(minutes=10)
    stale_page_ttl: timedelta = timedelta(days=1)  # served when upstream fails
    max_sidecar_size: int = 16 * MiB  # metadata and provenance files
    max_cached_pages: int = 2048
    max_concurrent_fetches: int = 4  # first fetches (download + scan) running at once: memory


@dataclass(frozen=True, slots=True)
class Client:
    """Who asked (for the decision log)."""

    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """The answer to a file request: serve ``sha256`` from the store, or refuse with the reason."""

    decision: Decision
    sha256: str
    filename: str
    size: int = 0
    verdict: FileVerdict | None = None
    cached: bool = False


class Blocked(ProxyError):
    """A project or file the policy refuses (HTTP 403)."""

    def __init__(self, decision: Decision, subject: str) -> None:
        super().__init__(f"{subject}: blocked by snakewarden policy: {decision.reason}")
        self.decision = decision
        self.subject = subject


class NotServed(ProxyError):
    """A name or file this proxy does not serve (HTTP 404) with the reason."""


@dataclass
class _CachedPage:
    page: ProjectPage
    fetched: datetime


@dataclass
class _SingleFlight:
    """At most one running task per key; later callers await the same result."""

    running: dict[str, asyncio.Future[object]] = field(default_factory=dict)

    async def run(self, key: str, factory: Callable[[], Awaitable[T]]) -> T:
        existing = self.running.get(key)
        if existing is None:
            task: asyncio.Future[T] = asyncio.ensure_future(factory())
            self.running[key] = cast("asyncio.Future[object]", task)
            task.add_done_callback(lambda f, k=key: self._done(k, f))  # type: ignore[misc]
        else:
            task = cast("asyncio.Future[T]", existing)
        # shield: a client hanging up must not cancel the download others are waiting for
        return await asyncio.shield(task)

    def _done(self, key: str, fut: asyncio.Future[Any]) -> None:
        if self.running.get(key) is fut:
            del self.running[key]
        if not fut.cancelled():
            fut.exception()  # mark as retrieved: waiters may all have gone


class ProxyService:
    def __init__(
        self,
        config: ProxyConfig,
        *,
        upstream: UpstreamClient,
        files: FileStore,
        verdicts: VerdictStore,
        decisions: DecisionLog,
        scanner: Scanner,
        clock: Clock,
        names: NameChecker | None = None,
        vulnerabilities: VulnerabilityLookup | None = None,
        attestations: AttestationVerifier | None = None,
        local: LocalProjects | None = None,
    ) -> None:
        self.config = config
        self.policy = config.policy
        self.upstream = upstream
        self.files = files
        self.verdicts = verdicts
        self.decisions = decisions
        self.scanner = scanner
        self.clock = clock
        self.names = names
        self.vulnerabilities = vulnerabilities
        self.attestations = attestations
        self.local = local
        self._pages: dict[NormalizedName, _CachedPage] = {}
        self._page_flight = _SingleFlight()
        self._file_flight = _SingleFlight()
        self._fetch_limiter: anyio.CapacityLimiter | None = None  # made in the event loop

    # -- logging ------------------------------------------------------------------------------

    def _record(
        self,
        stage: str,
        decision: Decision,
        project: str,
        client: Client,
        *,
        action: str | None = None,
        version: str | None = None,
        filename: str | None = None,
        sha256: str | None = None,
        verdict: FileVerdict | None = None,
        cached: bool = False,
    ) -> None:
        entry = DecisionRecord(
            time=self.clock.now(),
            stage=stage,
            action=action or decision.action.value,
            project=project,
            version=version,
            filename=filename,
            sha256=sha256,
            rule=decision.rule,
            reason=decision.reason,
            waived=decision.waived,
            verdict=verdict.verdict.value if verdict else None,
            score=verdict.score if verdict else None,
            cached=cached,
            client=client.ip,
            user_agent=(client.user_agent or "")[:300] or None,
        )
        try:
            self.decisions.record(entry)
        except ProxyError as exc:  # the log failing must not turn a refusal into a crash
            log.error("%s", exc.diagnostics())
        if decision.action is not Action.ALLOW or action == "error":
            log.warning("%s %s %s: %s", entry.action, project, filename or "", decision.reason)

    # -- project checks -----------------------------------------------------------------------

    def is_local(self, name: str) -> bool:
        return self.local is not None and self.local.is_local(name)

    def _upstream_exception(self, canon: NormalizedName) -> bool:
        """PEP 708: an internal name may still come from upstream when the policy says so."""
        routes = self.policy.routes(canon)
        upstream_page = f"{public_url(self.upstream.base_url)}{canon}/"
        return any(
            u.rstrip("/") + "/" == upstream_page
            for u in (*routes.tracks, *routes.alternate_locations)
        )

    def check_project(self, name: str, client: Client) -> NormalizedName:
        """Raise ``NotServed``/``Blocked`` for names this proxy must not fetch from upstream."""
        canon = canonicalize_name(name)
        if len(canon) > 200 or not canon:
            raise NotServed(f"{name[:80]!r} is not a valid project name")
        if self.is_local(canon) and not self._upstream_exception(canon):
            raise NotServed(
                f"{canon} is hosted on this index: it is never fetched from upstream "
                "(dependency-confusion defence)"
            )
        confusable = None
        if self.names is not None and self.policy.confusable_names is not None:
            confusable = self.names.confusable_with(canon)
        decision = project_decision(self.policy, canon, confusable_with=confusable)
        if decision.rule == "internal" and self._upstream_exception(canon):
            decision = ALLOW
        if decision.blocked:
            self._record("project", decision, canon, client)
            raise Blocked(decision, canon)
        if decision.action is Action.WARN:
            self._record("project", decision, canon, client)
        return canon

    # -- pages --------------------------------------------------------------------------------

    async def page(self, name: str) -> ProjectPage:
        """The upstream page (cached for ``page_ttl``; a stale copy is used if upstream fails)."""
        canon = canonicalize_name(name)
        now = self.clock.now()
        cached = self._pages.get(canon)
        if cached is not None and now - cached.fetched < self.config.page_ttl:
            return cached.page

        async def fetch() -> ProjectPage:
            try:
                page = await self.upstream.get_page(canon)
            except UpstreamNotFound:
                self._pages.pop(canon, None)
                raise
            except UpstreamError as exc:
                stale = self._pages.get(canon)
                if stale is not None and now - stale.fetched < self.config.stale_page_ttl:
                    log.warning("upstream failed, serving a stale page of %s: %s", canon, exc)
                    return stale.page
                raise
            if len(self._pages) >= self.config.max_cached_pages:
                oldest = min(self._pages, key=lambda k: self._pages[k].fetched)
                del self._pages[oldest]
            self._pages[canon] = _CachedPage(page, self.clock.now())
            return page

        return await self._page_flight.run(canon, fetch)

    def cached_projects(self) -> list[str]:
        return sorted(self._pages)

    def _facts(
        self, canon: str, f: UpstreamFile, memo: dict[str, ReleaseFacts] | None = None
    ) -> ReleaseFacts:
        version = version_of(f.filename)
        vulns: tuple[tuple[str, Severity | None], ...] = ()
        wants_vulns = self.policy.block_vulnerable is not None or self.policy.block_vulnerable_any
        if wants_vulns and version is not None and self.vulnerabilities is not None:
            key = f"{canon}=={version}"
            if memo is not None and key in memo:
                vulns = memo[key].vulnerabilities
            else:
                vulns = self.vulnerabilities.vulnerabilities(canon, version)
        facts = ReleaseFacts(
            name=canon,
            version=version,
            file=f,
            vulnerabilities=vulns,
            attestation_ok=f.provenance is not None,
        )
        if memo is not None and version is not None:
            memo[f"{canon}=={version}"] = facts
        return facts

    def served_page(
        self,
        page: ProjectPage,
        file_url: Callable[[UpstreamFile], str],
        *,
        project_block: Decision | None = None,
    ) -> ServedPage:
        """The page as the proxy lists it.

        Files without a sha256 are left out (they cannot be verified). Files the policy refuses
        before download (deny list, cool-down, vulnerabilities, attestations) are marked yanked
        with the reason (PEP 592), so resolvers pick another release and a pinned install shows
        the reason; their metadata link is dropped so that the refusal reaches the installer.
        With ``project_block`` (a confusable or denied name) every file is listed without
        metadata, and each download is refused with the project's reason.
        """
        now = self.clock.now()
        memo: dict[str, ReleaseFacts] = {}
        served = []
        for f in page.files:
            if f.sha256 is None:
                continue
            url = file_url(f)
            if project_block is not None:  # every download is refused with the project's reason
                served.append(ServedFile(f, url, f.yanked, None, None))
                continue
            decision = release_decision(self.policy, self._facts(page.name, f, memo), now)
            if decision.blocked:
                reason = f"blocked by snakewarden policy: {decision.reason}"
                served.append(ServedFile(f, url, reason, None, None))
            else:
                served.append(
                    ServedFile(
                        f,
                        url,
                        f.yanked,
                        f.core_metadata if f.core_metadata is not None else None,
                        url + ".provenance" if f.provenance else None,
                    )
                )
        routes = self.policy.routes(page.name)
        tracks = (f"{public_url(self.upstream.base_url)}{page.name}/", *routes.tracks)
        return ServedPage(
            name=page.name,
            files=tuple(served),
            versions=versions_of(page),
            tracks=tuple(dict.fromkeys(tracks)),
            alternate_locations=routes.alternate_locations,
        )

    async def _listed(self, canon: NormalizedName, sha256: str, filename: str) -> UpstreamFile:
        page = await self.page(canon)
        f = page.file(filename)
        if f is None:
            raise NotServed(f"upstream does not list {filename} in the project {canon}")
        if f.sha256 != sha256:
            raise NotServed(
                f"upstream now lists {filename} with another sha256: reload the project page"
            )
        return f

    # -- files --------------------------------------------------------------------------------

    async def fetch_file(
        self, name: str, sha256: str, filename: str, client: Client
    ) -> FileOutcome:
        """Decide on one file, downloading, verifying and scanning it on first request.

        Raises ``Blocked`` (project-level), ``NotServed`` and ``UpstreamError``; a file-level
        refusal is an outcome with a blocking decision.
        """
        canon = self.check_project(name, client)
        version = version_of(filename)
        cached = self._cached_verdict(canon, sha256, filename)
        if cached is not None and self._can_decide_from_cache(cached):
            outcome = self._decide(canon, cached, cached=True)
        else:
            try:
                outcome = await self._file_flight.run(
                    sha256, lambda: self._first_fetch(canon, sha256, filename)
                )
            except UpstreamError as exc:  # logged too: a hash mismatch may be an attack
                failure = Decision(Action.BLOCK, exc.message, type(exc).__name__)
                self._record(
                    "file",
                    failure,
                    canon,
                    client,
                    action="error",
                    version=version,
                    filename=filename,
                    sha256=sha256,
                )
                raise
        verdict = outcome.verdict
        self._record(
            "file" if verdict is not None else "release",
            outcome.decision,
            canon,
            client,
            version=version,
            filename=filename,
            sha256=sha256,
            verdict=verdict,
            cached=outcome.cached,
        )
        return outcome

    def _cached_verdict(self, canon: str, sha256: str, filename: str) -> FileVerdict | None:
        verdict = self.verdicts.get(sha256)
        if verdict is None or verdict.scanner != self.scanner.version:
            return None
        # the same project and filename: a URL naming another project is checked afresh
        if verdict.filename != filename or canonicalize_name(verdict.project) != canon:
            return None
        return verdict if self.files.exists(sha256) else None

    def _can_decide_from_cache(self, verdict: FileVerdict) -> bool:
        """Whether the record holds every fact the current policy needs (else ask upstream)."""
        canon = canonicalize_name(verdict.project)
        return not (canon in self.policy.require_attestations and verdict.attestation is None)

    def _decide(self, canon: NormalizedName, verdict: FileVerdict, *, cached: bool) -> FileOutcome:
        listed = UpstreamFile(
            filename=verdict.filename,
            url="",
            hashes=(("sha256", verdict.sha256),),
            upload_time=verdict.upload_time,
            provenance=verdict.provenance,
        )
        facts = replace(
            self._facts(canon, listed),
            attestation_ok=(verdict.attestation == "verified")
            if verdict.attestation is not None
            else verdict.provenance is not None,
        )
        decision = release_decision(self.policy, facts, self.clock.now())
        if not decision.blocked:
            file_decision = verdict_decision(self.policy, canon, verdict.version, verdict)
            if file_decision is not ALLOW:
                decision = file_decision
        return FileOutcome(
            decision, verdict.sha256, verdict.filename, verdict.size, verdict, cached
        )

    async def _first_fetch(self, canon: NormalizedName, sha256: str, filename: str) -> FileOutcome:
        if self._fetch_limiter is None:
            self._fetch_limiter = anyio.CapacityLimiter(self.config.max_concurrent_fetches)
        async with self._fetch_limiter:  # bounds the files held in memory at once
            return await self._fetch_and_scan(canon, sha256, filename)

    async def _fetch_and_scan(
        self, canon: NormalizedName, sha256: str, filename: str
    ) -> FileOutcome:
        listed = await self._listed(canon, sha256, filename)
        # release checks first: a refused release is never downloaded
        decision = release_decision(self.policy, self._facts(canon, listed), self.clock.now())
        if decision.blocked:
            return FileOutcome(decision, sha256, filename)
        limit = self.policy.max_file_size
        if listed.size is not None and listed.size > limit:
            too_big = Decision(
                Action.BLOCK,
                f"{filename} is {listed.size / MiB:.1f} MiB, over the {limit / MiB:.0f} MiB scan "
                "limit (raise scan.max-file-size-mb to allow it)",
                "size",
            )
            return FileOutcome(too_big, sha256, filename)
        attestation = await self._attestation(canon, listed, sha256)
        if self.files.exists(sha256):
            data = await anyio.to_thread.run_sync(read_all, self.files, sha256)
            if hashlib.sha256(data).hexdigest() != sha256:  # a damaged cache entry
                await anyio.to_thread.run_sync(self.files.delete, sha256)
                data = await self._download(listed, sha256)
        else:
            data = await self._download(listed, sha256)
        started = time.perf_counter()
        result = await anyio.to_thread.run_sync(self.scanner.scan, data, filename)
        log.info(
            "scanned %s (%.1f KiB) in %.2f s: %s %.2f",
            filename,
            len(data) / 1024,
            time.perf_counter() - started,
            result.verdict,
            result.score,
        )
        verdict = FileVerdict(
            sha256=sha256,
            filename=filename,
            project=canon,
            verdict=result.verdict,
            score=result.score,
            reasons=reasons_of(result),
            scanned_at=self.clock.now(),
            scanner=self.scanner.version,
            size=len(data),
            version=version_of(filename),
            upload_time=listed.upload_time,
            provenance=listed.provenance,
            attestation=attestation,
        )
        try:
            await anyio.to_thread.run_sync(self.files.put, data)
            await anyio.to_thread.run_sync(self.verdicts.put, verdict)
        except (StorageError, ProxyError) as exc:
            raise UpstreamError(f"cannot cache {filename}: {exc.message}", status=503) from exc
        return self._decide(canon, verdict, cached=False)

    async def _download(self, listed: UpstreamFile, sha256: str) -> bytes:
        data = await self.upstream.download(listed.url, self.policy.max_file_size)
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise IntegrityError(
                f"{listed.filename}: upstream sent bytes with sha256 {actual}, but its project "
                f"page lists {sha256}; the file was not served"
            )
        return data

    async def _attestation(
        self, canon: NormalizedName, listed: UpstreamFile, sha256: str
    ) -> str | None:
        """None when not required; "verified"; else why it failed (recorded with the verdict)."""
        if canon not in self.policy.require_attestations:
            return None
        if listed.provenance is None:
            return "upstream lists no provenance for this file"
        if self.attestations is None:
            return "verified"  # presence only: no verifier is installed
        try:
            provenance = await self.upstream.download(
                listed.provenance, self.config.max_sidecar_size
            )
        except UpstreamError as exc:
            return f"provenance unavailable: {exc.message}"
        failure = await anyio.to_thread.run_sync(
            self.attestations.verify,
            provenance,
            listed.filename,
            sha256,
            self.policy.attestation_publishers.get(canon),
        )
        return "verified" if failure is None else failure

    # -- metadata and provenance ---------------------------------------------------------------

    async def fetch_metadata(self, name: str, sha256: str, filename: str, client: Client) -> bytes:
        """The PEP 658 metadata file of a listed distribution, verified and cached."""
        canon = self.check_project(name, client)
        listed = await self._listed(canon, sha256, filename)
        if listed.core_metadata is None:
            raise NotServed(f"upstream offers no metadata file for {filename}")
        expected = listed.metadata_sha256
        if expected and self.files.exists(expected):
            return await anyio.to_thread.run_sync(read_all, self.files, expected)

        async def fetch() -> bytes:
            data = await self.upstream.download(
                listed.url + ".metadata", self.config.max_sidecar_size
            )
            actual = hashlib.sha256(data).hexdigest()
            if expected and actual != expected:
                raise IntegrityError(
                    f"{filename}.metadata: upstream sent sha256 {actual}, its page lists {expected}"
                )
            if expected:
                await anyio.to_thread.run_sync(self.files.put, data)
            return data

        return await self._file_flight.run(f"{sha256}.metadata", fetch)

    async def fetch_provenance(
        self, name: str, sha256: str, filename: str, client: Client
    ) -> bytes:
        """The PEP 740 provenance of a listed distribution (passed through, bounded)."""
        canon = self.check_project(name, client)
        listed = await self._listed(canon, sha256, filename)
        if listed.provenance is None:
            raise NotServed(f"upstream lists no provenance for {filename}")
        return await self.upstream.download(listed.provenance, self.config.max_sidecar_size)

    def open_file(self, sha256: str) -> bytes:
        return read_all(self.files, sha256)

    async def aclose(self) -> None:
        await self.upstream.aclose()
