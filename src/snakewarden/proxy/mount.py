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
from typing import Protocol

from packaging.utils import canonicalize_name

from snakewarden.proxy.app import ProxyViews, build_service
from snakewarden.proxy.interfaces import (
    AttestationVerifier,
    NameChecker,
    Scanner,
    UpstreamClient,
    VulnerabilityLookup,
)
from snakewarden.proxy.policy import DEFAULT_POLICY, Policy
from snakewarden.proxy.service import ProxyConfig
from snakewarden.proxy.upstream import normalize_base_url

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
    )
    return ProxyViews(service)


class _IndexServices(Protocol):
    """What ``attach_upstream`` needs of ``snakewarden.index.web.IndexServices``."""

    @property
    def local(self) -> _ProjectLookup: ...

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
    hands them the names the index does not know.
    """
    views = proxy_for_index(
        services.local,
        data_dir,
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
