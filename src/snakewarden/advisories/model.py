"""The OSV data model, as far as matching PyPI versions needs it (pure).

An :class:`Advisory` keeps the original OSV JSON text (``raw``) so that the OSV query service can
return records exactly as they were imported, while matching works on parsed, typed fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NewType

from packaging.utils import NormalizedName

AdvisoryId = NewType("AdvisoryId", str)

#: The ecosystem name OSV uses for the Python Package Index.
PYPI = "PyPI"


class EventKind(StrEnum):
    INTRODUCED = "introduced"
    FIXED = "fixed"
    LAST_AFFECTED = "last_affected"
    LIMIT = "limit"


class RangeType(StrEnum):
    ECOSYSTEM = "ECOSYSTEM"
    SEMVER = "SEMVER"
    GIT = "GIT"


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    value: str


@dataclass(frozen=True, slots=True)
class Range:
    type: RangeType
    events: tuple[Event, ...]
    repo: str = ""


@dataclass(frozen=True, slots=True)
class Affected:
    """One ``affected[]`` entry: a package with its ranges and explicit versions."""

    ecosystem: str
    name: str  # as written in the record
    canonical_name: NormalizedName
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()
    severity: tuple[Severity, ...] = ()


@dataclass(frozen=True, slots=True)
class Severity:
    """An OSV ``severity[]`` entry (``type`` e.g. CVSS_V3, ``score`` a vector or a rating)."""

    type: str
    score: str


@dataclass(frozen=True, slots=True)
class Reference:
    type: str
    url: str


@dataclass(frozen=True, slots=True)
class Advisory:
    id: AdvisoryId
    modified: str
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    summary: str = ""
    details: str = ""
    published: str = ""
    withdrawn: str = ""
    affected: tuple[Affected, ...] = ()
    severity: tuple[Severity, ...] = ()
    references: tuple[Reference, ...] = ()
    #: ``database_specific.severity`` (GitHub: LOW/MODERATE/HIGH/CRITICAL), when present.
    db_severity: str = ""
    #: ``database_specific.cwe_ids`` when present.
    cwe_ids: tuple[str, ...] = ()
    #: The record as imported (JSON text); served back unchanged by the OSV service.
    raw: str = field(default="", compare=False, repr=False)

    @property
    def ids(self) -> frozenset[str]:
        """The record's own id and its aliases."""
        return frozenset((self.id, *self.aliases))

    @property
    def is_withdrawn(self) -> bool:
        return bool(self.withdrawn)

    @property
    def is_malicious(self) -> bool:
        """An OSV malicious-package record (``MAL-`` ids: the OpenSSF malicious-packages feed)."""
        return self.id.startswith("MAL-") or any(a.startswith("MAL-") for a in self.aliases)

    def affected_for(self, name: NormalizedName, ecosystem: str = PYPI) -> tuple[Affected, ...]:
        """The ``affected[]`` entries for one package of one ecosystem."""
        return tuple(
            a for a in self.affected if a.canonical_name == name and a.ecosystem == ecosystem
        )

    @property
    def title(self) -> str:
        """A one-line description: the summary, else the first line of the details."""
        text = self.summary or self.details.strip().split("\n", 1)[0]
        return " ".join(text.split())
