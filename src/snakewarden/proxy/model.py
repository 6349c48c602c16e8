"""Pure values of the proxy: upstream project pages, cached verdicts, policy decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from packaging.utils import NormalizedName

from snakewarden.core.models import Verdict


@dataclass(frozen=True, slots=True)
class UpstreamFile:
    """One file of a project page as upstream published it (PEP 503/691/592/658/700/740).

    ``url`` is absolute (resolved against the page URL). ``hashes`` maps algorithm to hex digest.
    ``yanked`` is None when not yanked, else the reason ("" when none was given).
    ``core_metadata`` is None when upstream offers no metadata file, else its hashes (possibly
    empty). ``provenance`` is the absolute URL of the PEP 740 provenance file, if any.
    """

    filename: str
    url: str
    hashes: tuple[tuple[str, str], ...] = ()
    requires_python: str | None = None
    yanked: str | None = None
    core_metadata: tuple[tuple[str, str], ...] | None = None
    size: int | None = None
    upload_time: datetime | None = None
    provenance: str | None = None

    @property
    def sha256(self) -> str | None:
        for algo, digest in self.hashes:
            if algo == "sha256":
                return digest
        return None

    @property
    def metadata_sha256(self) -> str | None:
        for algo, digest in self.core_metadata or ():
            if algo == "sha256":
                return digest
        return None


@dataclass(frozen=True, slots=True)
class ProjectPage:
    """A project's simple page. ``versions`` is PEP 700's list (empty when upstream gave none)."""

    name: NormalizedName
    files: tuple[UpstreamFile, ...]
    versions: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()
    alternate_locations: tuple[str, ...] = ()

    def file(self, filename: str) -> UpstreamFile | None:
        for f in self.files:
            if f.filename == filename:
                return f
        return None


@dataclass(frozen=True, slots=True)
class FileVerdict:
    """The cached judgement of one file, keyed by its sha256."""

    sha256: str
    filename: str
    project: str
    verdict: Verdict
    score: float
    reasons: tuple[str, ...]
    scanned_at: datetime
    scanner: str
    size: int
    version: str | None = None
    upload_time: datetime | None = None  # from upstream's listing (PEP 700), for the cool-down
    provenance: str | None = None  # upstream's provenance URL (PEP 740), if it listed one
    attestation: str | None = None  # None: not checked; "verified"; else why it failed


class Action(StrEnum):
    ALLOW = "allow"
    WARN = "warn"  # served, with a warning logged and sent in a header
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class Decision:
    """What the policy says about one project, release or file, and why."""

    action: Action
    reason: str = ""
    rule: str = ""  # which policy rule decided: "verdict", "deny", "cooldown", ...
    waived: tuple[str, ...] = field(default_factory=tuple)  # checks skipped by an allow entry

    @property
    def blocked(self) -> bool:
        return self.action is Action.BLOCK


ALLOW = Decision(Action.ALLOW)
