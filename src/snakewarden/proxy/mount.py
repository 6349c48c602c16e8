"""The proxy inside the package index: ``snakewarden serve --upstream URL``.

The index serves its own projects; a name it does not host comes from upstream through the
proxy (same policy, cache and decision log as ``snakewarden proxy serve``). A name the index
hosts, even one with no file published yet, is never fetched from upstream: that is the
dependency-confusion defence, with PEP 708 exceptions declared in the policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from packaging.utils import canonicalize_name

from snakewarden.core.events import EventTag
from snakewarden.errors import SnakewardenError
from snakewarden.proxy.app import ProxyViews, build_service
from snakewarden.proxy.errors import ProxyError
from snakewarden.proxy.interfaces import (
    AttestationVerifier,
    DecisionLog,
    DecisionRecord,
    NameChecker,
    Scanner,
    UpstreamClient,
    VulnerabilityLookup,
)
from snakewarden.proxy.policy import DEFAULT_POLICY, Policy
from snakewarden.proxy.service import ProxyConfig
from snakewarden.proxy.stores import JsonlDecisionLog
from snakewarden.proxy.upstream import normalize_base_url

if TYPE_CHECKING:
    from snakewarden.index.db import Database

#: Where the index keeps the proxy's cache, verdicts and decision log (below its data folder).
PROXY_FOLDER = "proxy"


class _ProjectLookup(Protocol):
    def project(self, name: str) -> object | None: ...


@dataclass(frozen=True, slots=True)
class IndexLocalProjects:
    """``LocalProjects`` over the index's project source: a known name is local."""

    source: _ProjectLookup

    def is_local(self, name: str) -> bool:
        return self.source.project(canonicalize_name(name)) is not None


class IndexEventLog:
    """Every decision to ``inner`` (the JSON lines file); refusals, warnings and upstream
    failures also to the index's security event log (``proxy:file:refused``), where admins
    and the anomaly detectors see them. Allowed files are not events: they are too many."""

    def __init__(self, db: Database, inner: DecisionLog) -> None:
        self.db = db
        self.inner = inner

    def record(self, entry: DecisionRecord) -> None:
        self.inner.record(entry)
        if entry.action == "allow":
            return
        from snakewarden.index.events import RequestMeta, record

        details = {
            "action": entry.action,
            "stage": entry.stage,
            "rule": entry.rule,
            "reason": entry.reason,
            "sha256": entry.sha256 or "",
            "verdict": entry.verdict or "",
        }
        try:
            with self.db.write() as session:
                record(
                    session,
                    EventTag.PROXY_REFUSED,
                    time=entry.time,
                    meta=RequestMeta(ip=entry.client, user_agent=entry.user_agent),
                    project=entry.project,
                    version=entry.version,
                    filename=entry.filename,
                    **{k: v for k, v in details.items() if v},
                )
        except SnakewardenError as exc:
            raise ProxyError(f"cannot append to the index's event log: {exc.message}") from exc


def proxy_for_index(
    source: _ProjectLookup,
    data_dir: Path,
    *,
    upstream_url: str,
    policy: Policy = DEFAULT_POLICY,
    page_ttl: timedelta = timedelta(minutes=10),
    upstream: UpstreamClient | None = None,
    scanner: Scanner | None = None,
    names: NameChecker | None = None,
    vulnerabilities: VulnerabilityLookup | None = None,
    attestations: AttestationVerifier | None = None,
    decisions: DecisionLog | None = None,
) -> ProxyViews:
    """The proxy views for an index whose projects ``source`` knows (``LocalProjectSource``)."""
    config = ProxyConfig(
        upstream_url=normalize_base_url(upstream_url),
        data_dir=data_dir / PROXY_FOLDER,
        policy=policy,
        page_ttl=page_ttl,
    )
    service = build_service(
        config,
        upstream=upstream,
        scanner=scanner,
        names=names,
        vulnerabilities=vulnerabilities,
        attestations=attestations,
        local=IndexLocalProjects(source),
        decisions=decisions,
    )
    return ProxyViews(service)


class _IndexServices(Protocol):
    """What ``attach_upstream`` needs of ``snakewarden.index.web.IndexServices``."""

    @property
    def local(self) -> _ProjectLookup: ...

    @property
    def db(self) -> Database: ...

    proxy: ProxyViews | None


def attach_upstream(
    services: _IndexServices,
    data_dir: Path,
    upstream_url: str,
    *,
    policy: Policy = DEFAULT_POLICY,
    names: NameChecker | None = None,
    vulnerabilities: VulnerabilityLookup | None = None,
    attestations: AttestationVerifier | None = None,
    upstream: UpstreamClient | None = None,
    scanner: Scanner | None = None,
) -> ProxyViews:
    """Make the index serve the projects it does not host from ``upstream_url``, scanned.

    The views go to ``services.proxy``: ``create_app`` mounts their routes and the simple API
    hands them the names the index does not know. Refusals also go to the index's event log.
    """
    log = IndexEventLog(services.db, JsonlDecisionLog(data_dir / PROXY_FOLDER / "decisions.jsonl"))
    views = proxy_for_index(
        services.local,
        data_dir,
        decisions=log,
        upstream_url=upstream_url,
        policy=policy,
        upstream=upstream,
        scanner=scanner,
        names=names,
        vulnerabilities=vulnerabilities,
        attestations=attestations,
    )
    services.proxy = views
    return views
