"""A release reduced to what history compares: capabilities by phase, files, deps, identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name

from snakewarden.artifacts.model import Artifact, ArtifactKind
from snakewarden.core.models import Finding, Phase, ScanResult

#: Phases whose code runs without anyone importing the package.
EARLY_PHASES = frozenset({Phase.INSTALL, Phase.STARTUP})

_BINARY_SUFFIXES = frozenset({".exe", ".dll", ".so", ".dylib", ".pyd", ".bin", ".elf", ".scr"})
_BINARY_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe")


@dataclass(frozen=True, slots=True, order=True)
class Capability:
    """What some code can do (``network``, ``process``, ``obfuscation``...) and when it runs."""

    kind: str
    phase: Phase


@dataclass(frozen=True, slots=True)
class ReleaseSnapshot:
    """One release of a project, as ``history.compare`` sees it.

    ``evidence`` maps each capability to the strongest finding behind it (file, line, weight).
    """

    name: NormalizedName
    version: str
    kind: str = ArtifactKind.SDIST.value
    members: frozenset[str] = frozenset()
    capabilities: frozenset[Capability] = frozenset()
    evidence: tuple[tuple[Capability, Finding], ...] = ()
    install_hooks: frozenset[str] = frozenset()  # files with cmdclass / build-backend code
    pth_files: frozenset[str] = frozenset()
    binaries: frozenset[str] = frozenset()
    requires: frozenset[NormalizedName] = frozenset()
    people: frozenset[str] = frozenset()  # author and maintainer names, lower case
    emails: frozenset[str] = frozenset()
    urls: frozenset[str] = frozenset()
    score: float = 0.0
    uploaded: datetime | None = None

    def strongest(self, capability: Capability) -> Finding | None:
        for cap, finding in self.evidence:
            if cap == capability:
                return finding
        return None


def capability_of(finding: Finding) -> Capability | None:
    """``threat.network.exfil`` -> Capability("network", phase); non-threat findings -> None."""
    parts = finding.category.split(".")
    if len(parts) < 2 or parts[0] != "threat":
        return None
    return Capability(parts[1], finding.phase)


def _split(value: str | None) -> set[str]:
    if not value:
        return set()
    return {part.strip().lower() for part in value.replace(";", ",").split(",") if part.strip()}


def _requirement_names(requires: tuple[str, ...]) -> frozenset[NormalizedName]:
    names: set[NormalizedName] = set()
    for line in requires[:5000]:
        try:
            names.add(canonicalize_name(Requirement(line).name))
        except InvalidRequirement:
            continue
    return frozenset(names)


def _is_binary(path: str, head: bytes) -> bool:
    dot = path.rfind(".")
    suffix = path[dot:].lower() if dot > path.rfind("/") else ""
    return suffix in _BINARY_SUFFIXES or head.startswith(_BINARY_MAGIC)


def snapshot(
    artifact: Artifact, result: ScanResult, *, uploaded: datetime | None = None
) -> ReleaseSnapshot:
    """The snapshot of ``artifact`` judged as ``result`` (``analyze(artifact)``)."""
    meta = artifact.metadata
    members = frozenset(artifact.relative(m.path) for m in artifact.members)
    best: dict[Capability, Finding] = {}
    hooks: set[str] = set()
    for f in result.findings:
        cap = capability_of(f)
        if cap is not None:
            if cap not in best or f.weight > best[cap].weight:
                best[cap] = f
        elif f.category.startswith("context.install") and f.phase in EARLY_PHASES:
            hooks.add(artifact.relative(f.file))
    pth = frozenset(p for p in members if p.endswith(".pth"))
    binaries = frozenset(
        artifact.relative(m.path) for m in artifact.members if _is_binary(m.path, m.data[:4])
    )
    people = _split(meta.author if meta else None) | _split(meta.maintainer if meta else None)
    emails = _split(meta.author_email if meta else None) | _split(
        meta.maintainer_email if meta else None
    )
    urls: set[str] = set()
    if meta:
        urls |= {u.strip().rstrip("/").lower() for u in (meta.home_page, meta.download_url) if u}
        urls |= {u.strip().rstrip("/").lower() for _, u in meta.project_urls if u.strip()}
    name = canonicalize_name((meta.name if meta else None) or result.name or "")
    return ReleaseSnapshot(
        name=name,
        version=(meta.version if meta else None) or result.version or "",
        kind=artifact.kind.value,
        members=members,
        capabilities=frozenset(best),
        evidence=tuple(sorted(best.items())),
        install_hooks=frozenset(hooks),
        pth_files=pth,
        binaries=binaries,
        requires=_requirement_names(meta.requires_dist if meta else ()),
        people=frozenset(people),
        emails=frozenset(emails),
        urls=frozenset(urls),
        score=result.score,
        uploaded=uploaded,
    )
