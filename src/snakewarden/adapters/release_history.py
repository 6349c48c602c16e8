"""``scan --history``: fetch a project's earlier releases and compare the scanned one with them.

The pure comparison is ``snakewarden.history.compare``; this module does the I/O around it:
listing the project's files on the index, fetching the ``depth`` releases just below the scanned
version (final releases, the same file choice as ``scan``: sdist first), reading and analysing
them, and adding the findings to the scanned release's result. It also adds the checks that
need the release list or local configuration: dependency confusion (private names from
``config.toml`` / the environment, probe versions, version jumps), and ``package_signals``: the
popular-names check of the scanned name and the metadata heuristics (capped below
``suspicious``; any scan path may add them the same way).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import httpx
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from snakewarden.adapters.home import home_dir
from snakewarden.adapters.pypi import Download, PyPIClient, RemoteFile
from snakewarden.analysis import analyze, judge
from snakewarden.artifacts import Artifact, Limits, read_artifact
from snakewarden.core.models import Finding, ScanResult, Severity, Verdict
from snakewarden.errors import ScanError, SnakewardenError
from snakewarden.history import ReleaseSnapshot, compare, snapshot
from snakewarden.metadata import (
    MetadataContext,
    dependency_confusion_findings,
    load_private_names,
    metadata_findings,
)
from snakewarden.names import NameChecker, load_default_checker
from snakewarden.provenance.model import IndexFile

DEFAULT_DEPTH = 3
MAX_DEPTH = 20

#: ``(project, earlier versions, current version) -> findings`` about attestations (PEP 740).
ProvenanceHistory = Callable[[str, Sequence[str], str], list[Finding]]


@runtime_checkable
class ReleaseIndex(Protocol):
    """What history needs of an index: the file list of a project, and one file's bytes."""

    def list_files(self, name: str, version: str | None = None) -> list[RemoteFile]: ...

    def fetch(self, name: str, version: str | None) -> Download: ...


@cache
def _checker(home: Path) -> NameChecker:
    # Reference data, read once per process (worker processes each load their own).
    return load_default_checker(home)


def earlier_versions(files: Sequence[RemoteFile], current: Version | None, depth: int) -> list[str]:
    """The ``depth`` highest final, unyanked versions below ``current`` (all when None)."""
    versions = {
        f.version
        for f in files
        if f.version is not None
        and f.kind in ("sdist", "wheel")
        and not f.yanked
        and not f.version.is_prerelease
        and (current is None or f.version < current)
    }
    return [str(v) for v in sorted(versions, reverse=True)[:depth]]


def _note(message: str) -> Finding:
    return Finding(
        rule="release-history",
        category="history.unavailable",
        severity=Severity.INFO,
        message=message,
        weight=0.0,
    )


def history_findings(
    artifact: Artifact,
    result: ScanResult,
    index: ReleaseIndex,
    *,
    depth: int = DEFAULT_DEPTH,
    limits: Limits | None = None,
    names: NameChecker | None = None,
    environ: dict[str, str] | None = None,
    home: Path | None = None,
    provenance: ProvenanceHistory | None = None,
) -> list[Finding]:
    """Findings of ``artifact`` (judged ``result``) against its project's earlier releases.

    ``provenance`` adds the attestation history (missing where predecessors had it, another
    publisher or workflow) when given."""
    meta = artifact.metadata
    name = (meta.name if meta else None) or result.name
    if not name:
        return [_note("history: the distribution names no project; nothing to compare with")]
    home = home or home_dir()
    names = names or _checker(home)
    version_text = (meta.version if meta else None) or result.version
    try:
        current = Version(version_text) if version_text else None
    except InvalidVersion:
        current = None
    try:
        files = index.list_files(name)
    except ScanError as exc:
        return [_note(f"history: the index has no release list for {name}: {exc.message}")]
    all_versions = sorted({str(f.version) for f in files if f.version is not None})
    private = load_private_names(os.environ if environ is None else environ, home)
    findings = dependency_confusion_findings(
        name, version_text, private=private, history=all_versions
    )
    previous: list[ReleaseSnapshot] = []
    failed: list[str] = []
    for version in earlier_versions(files, current, depth):
        try:
            download = index.fetch(name, version)
            old = read_artifact(download.data, download.filename, limits)
        except ScanError:
            failed.append(version)
            continue
        previous.append(snapshot(old, analyze(old, target=f"{name}=={version}")))
    if not previous:
        why = f" (unreadable: {', '.join(failed)})" if failed else ""
        findings.append(_note(f"history: no earlier release of {name} to compare with{why}"))
        return findings + package_signals(artifact, names)
    findings += compare(previous, snapshot(artifact, result), names=names)
    if provenance is not None and version_text:
        findings += provenance(name, [p.version for p in previous], version_text)
    return findings + package_signals(artifact, names)


def package_signals(artifact: Artifact, names: NameChecker) -> list[Finding]:
    """The name check and the metadata heuristics of ``artifact`` (capped below suspicious)."""
    meta = artifact.metadata
    if meta is None or not meta.name:
        return []
    findings: list[Finding] = []
    name_finding = names.check(canonicalize_name(meta.name)).finding()
    if name_finding is not None:
        findings.append(name_finding)
    members = tuple(artifact.relative(m.path) for m in artifact.members)
    findings += metadata_findings(MetadataContext(meta, members=members, names=names))
    return findings


def with_findings(result: ScanResult, extra: Sequence[Finding]) -> ScanResult:
    """``result`` judged again with ``extra`` findings added."""
    if not extra or result.verdict is Verdict.ERROR:
        return result
    findings = [*result.findings, *extra]
    score, verdict = judge(findings)
    ordered = tuple(sorted(findings, key=lambda f: (-f.weight, f.file, f.line)))
    return replace(result, findings=ordered, score=score, verdict=verdict)


def add_history(
    result: ScanResult,
    artifact: Artifact,
    *,
    depth: int,
    index: object | None = None,
    index_url: str,
    limits: Limits | None = None,
    http_timeout: float = 30.0,
    max_download: int = 256 * 1024 * 1024,
) -> ScanResult:
    """``result`` with its history findings. ``index`` is used when it can list releases;
    otherwise a ``PyPIClient`` for ``index_url`` is built (and closed) here."""
    depth = max(1, min(depth, MAX_DEPTH))

    def provenance(name: str, earlier: Sequence[str], current: str) -> list[Finding]:
        return provenance_history(index_url, name, earlier, current, timeout=http_timeout)

    if isinstance(index, ReleaseIndex):
        extra = history_findings(
            artifact, result, index, depth=depth, limits=limits, provenance=provenance
        )
    else:
        with PyPIClient(index_url, timeout=http_timeout, max_download=max_download) as client:
            extra = history_findings(
                artifact, result, client, depth=depth, limits=limits, provenance=provenance
            )
    return with_findings(result, extra)


def provenance_history(
    index_url: str,
    name: str,
    earlier: Sequence[str],
    current: str,
    *,
    timeout: float = 30.0,
    transport: httpx.BaseTransport | None = None,
) -> list[Finding]:
    """Compare the PEP 740 attestations of ``current`` with those of ``earlier`` releases, as the
    index serves them (PEP 691 ``provenance`` URLs or the Integrity API), verified offline.
    An index that serves no provenance yields no finding (nothing was attested)."""
    from snakewarden.provenance.fetch import (
        HttpProvenanceClient,
        fetch_release_snapshot,
        name_version_of,
    )
    from snakewarden.provenance.history import compare_provenance
    from snakewarden.provenance.verify import SigstoreAttestationVerifier

    if not index_url.startswith(("http://", "https://")) or index_url.rstrip("/").endswith("/pypi"):
        return [_note("history: provenance needs a simple-API index URL; not compared")]
    by_version: dict[str, list[IndexFile]] = {}
    try:
        with HttpProvenanceClient(index_url, transport=transport, timeout=timeout) as client:
            for f in client.project_files(name):
                try:
                    version = _normal(name_version_of(f.filename)[1])
                except SnakewardenError:
                    continue
                by_version.setdefault(version, []).append(f)
            verifier = SigstoreAttestationVerifier()
            snapshots = [
                fetch_release_snapshot(client, verifier, name, v, by_version.get(_normal(v), []))
                for v in earlier
            ]
            now = fetch_release_snapshot(
                client, verifier, name, current, by_version.get(_normal(current), [])
            )
    except SnakewardenError as exc:
        return [_note(f"history: provenance not compared: {exc.message}")]
    return compare_provenance(snapshots, now)


def _normal(version: str) -> str:
    try:
        return str(Version(version))
    except InvalidVersion:
        return version
