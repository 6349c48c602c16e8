"""Metadata heuristics: weak signs read from a distribution's metadata and file list.

Each sign is a ``Finding`` with a small weight. Together they can tip an already doubtful
package over the line, never make one alone: ``cap_weights`` scales the metadata findings of one
package so that their noisy-OR stays below ``METADATA_BUDGET`` (under the ``suspicious``
threshold of ``snakewarden.analysis.scoring``). Above all a popular project never becomes
``suspicious`` through its metadata.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from packaging.utils import canonicalize_name
from rapidfuzz import fuzz

from snakewarden.analysis.scoring import SUSPICIOUS_AT
from snakewarden.artifacts.model import CoreMetadata
from snakewarden.core.models import Finding, Severity
from snakewarden.metadata.interfaces import DomainChecker, NullDomainChecker
from snakewarden.names import NameChecker

#: The noisy-OR of all metadata findings of one package stays below this.
METADATA_BUDGET = 0.4
assert METADATA_BUDGET < SUSPICIOUS_AT

#: A release this long after the one before it is a "dormant project suddenly released".
DORMANT_DAYS = 2 * 365

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_PIP_INSTALL = re.compile(r"pip3?\s+install\s+(?:-U\s+|--upgrade\s+)?([A-Za-z0-9][A-Za-z0-9._-]*)")
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org")
_PLACEHOLDER = {"unknown", "none", "todo", "tbd", "n/a", "-", "", "unknown-none"}


@cache
def disposable_domains() -> frozenset[str]:
    """The built-in list of disposable-mail domains (package data)."""
    text = (
        resources.files("snakewarden.metadata")
        .joinpath("data/disposable-domains.tsv")
        .read_text(encoding="utf-8")
    )
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


@dataclass(frozen=True, slots=True)
class MetadataContext:
    """What the metadata checks look at. Only ``metadata`` is required.

    ``members``: the distribution's file paths (below its top folder). ``names``: the popular
    names checker. ``known_summaries``: summaries of popular projects, by canonical name, when the
    caller knows them (an index does). ``previous_release`` / ``released``: upload times of the
    release before this one and of this one.
    """

    metadata: CoreMetadata
    members: Sequence[str] = ()
    names: NameChecker | None = None
    known_summaries: Mapping[str, str] = field(default_factory=dict)
    previous_release: datetime | None = None
    released: datetime | None = None
    domains: DomainChecker = field(default_factory=NullDomainChecker)


def _finding(rule: str, category: str, message: str, weight: float, evidence: str = "") -> Finding:
    return Finding(
        rule=rule,
        category=f"metadata.{category}",
        severity=Severity.LOW if weight < 0.15 else Severity.MEDIUM,
        message=message,
        evidence=evidence[:200],
        weight=weight,
    )


def _domain(email: str) -> str | None:
    match = _EMAIL.search(email)
    return match.group(1).lower().rstrip(".") if match else None


def _repository(url: str) -> tuple[str, str] | None:
    """(owner, repo) of a code-host URL, else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host not in _CODE_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2:
        return None
    return segments[0].lower(), segments[1].lower().removesuffix(".git")


def _urls(meta: CoreMetadata) -> list[str]:
    urls = [u for u in (meta.home_page, meta.download_url) if u]
    urls += [u for _, u in meta.project_urls]
    return urls


def _is_relative(name: str, other: str) -> bool:
    """Names of one family or one repository (``langchain-openai`` and ``langchain``)."""
    a, b = name.replace("-", ""), other.replace("-", "")
    return (
        a.startswith(b)
        or b.startswith(a)
        or a in b
        or b in a
        or (name.split("-")[0] == other.split("-")[0])
    )


def metadata_findings(ctx: MetadataContext) -> list[Finding]:
    """Every metadata sign of ``ctx``, weights capped (see ``cap_weights``)."""
    meta = ctx.metadata
    name = canonicalize_name(meta.name or "")
    popular = ctx.names is not None and bool(name) and ctx.names.is_popular(name)
    findings: list[Finding] = []

    description = (meta.description or "").strip()
    summary = (meta.summary or "").strip()
    if description.lower() in _PLACEHOLDER and summary.lower() in _PLACEHOLDER:
        findings.append(
            _finding(
                "metadata-empty-description",
                "description.empty",
                "the project has neither a description nor a summary",
                0.1,
            )
        )

    confusable_with: tuple[str, ...] = ()
    if ctx.names is not None and name and not popular:
        verdict = ctx.names.check(name)
        if verdict.confusable:
            confusable_with = verdict.similar_to

    for match in _PIP_INSTALL.finditer(description[:100_000]):
        other = canonicalize_name(match.group(1))
        if other != name and other in confusable_with:
            findings.append(
                _finding(
                    "metadata-copied-description",
                    "description.copied",
                    f"the description tells how to install {other!r}, the project this name "
                    "imitates: a copied README",
                    0.25,
                    match.group(0),
                )
            )
            break

    for label, address in (("author", meta.author_email), ("maintainer", meta.maintainer_email)):
        if not address:
            continue
        domain = _domain(address)
        if domain is None:
            continue
        if domain in disposable_domains():
            findings.append(
                _finding(
                    "metadata-disposable-email",
                    "author.disposable-email",
                    f"the {label}'s mail address is at a disposable-mail domain ({domain})",
                    0.2,
                    domain,
                )
            )
        elif ctx.domains.is_lapsed(domain):
            findings.append(
                _finding(
                    "metadata-lapsed-domain",
                    "author.lapsed-domain",
                    f"the {label}'s mail domain {domain} has lapsed: whoever re-registers it "
                    "can take the account over",
                    0.25,
                    domain,
                )
            )

    if ctx.names is not None and name:
        for url in _urls(meta):
            repo = _repository(url)
            if repo is None:
                continue
            owner, project = repo
            other = canonicalize_name(project)
            if other == name or _is_relative(name, other) or not ctx.names.is_popular(other):
                continue
            findings.append(
                _finding(
                    "metadata-starjacking",
                    "urls.starjacking",
                    f"a project URL points at the repository of another, popular project "
                    f"({owner}/{project}): its stars and history are borrowed",
                    0.3 if other in confusable_with else 0.15,
                    url,
                )
            )
            break

    if summary and name and not popular:
        mimicked = _mimicked_summary(name, summary, confusable_with, ctx.known_summaries)
        if mimicked:
            findings.append(
                _finding(
                    "metadata-summary-mimic",
                    "summary.mimic",
                    f"the summary imitates that of the popular project {mimicked!r}",
                    0.2,
                    summary,
                )
            )

    modules = _modules(ctx.members)
    if ctx.members and len(modules) == 1:
        findings.append(
            _finding(
                "metadata-single-module",
                "layout.single-module",
                f"the distribution holds a single Python module ({modules[0]})",
                0.05,
                modules[0],
            )
        )

    if ctx.previous_release and ctx.released:
        gap = (ctx.released - ctx.previous_release).days
        if gap >= DORMANT_DAYS:
            findings.append(
                _finding(
                    "metadata-dormant-release",
                    "history.dormant",
                    f"a release after {gap // 365} years without one",
                    0.15,
                    f"{ctx.previous_release.date()} -> {ctx.released.date()}",
                )
            )
    if popular:
        findings = [replace(f, weight=min(f.weight, 0.05)) for f in findings]
    return cap_weights(findings)


def _mimicked_summary(
    name: str, summary: str, confusable_with: Sequence[str], known: Mapping[str, str]
) -> str | None:
    lowered = summary.lower()
    for other, their in known.items():
        if other != name and their and fuzz.ratio(lowered, their.lower()) >= 90:
            return other
    for other in confusable_with:
        if re.search(rf"\b{re.escape(other)}\b", lowered.replace("_", "-")):
            return other
    return None


_SETUP_FILES = {"setup.py", "conftest.py", "noxfile.py", "fabfile.py", "tasks.py", "manage.py"}


def _modules(members: Sequence[str]) -> list[str]:
    found: list[str] = []
    for path in members:
        if not path.endswith(".py") or path.startswith(("tests/", "test/", "docs/", "examples/")):
            continue
        base = path.rsplit("/", 1)[-1]
        if base in _SETUP_FILES or "/tests/" in path or base.startswith("test_"):
            continue
        found.append(path)
    return found


def cap_weights(findings: Sequence[Finding], budget: float = METADATA_BUDGET) -> list[Finding]:
    """Scale the weights of ``findings`` so that their noisy-OR stays at most ``budget``."""
    clean = 1.0
    for f in findings:
        clean *= 1.0 - min(max(f.weight, 0.0), 1.0)
    total = 1.0 - clean
    if total <= budget:
        return list(findings)
    # Find the largest factor k with noisy-OR(k * w) <= budget (monotone in k): bisection.
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = (lo + hi) / 2
        rest = 1.0
        for f in findings:
            rest *= 1.0 - min(max(f.weight, 0.0), 1.0) * mid
        if 1.0 - rest <= budget:
            lo = mid
        else:
            hi = mid
    return [replace(f, weight=math.floor(f.weight * lo * 10_000) / 10_000) for f in findings]
