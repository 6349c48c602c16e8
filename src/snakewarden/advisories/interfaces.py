"""Ports of the advisory area: where advisories are kept and where they come from."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from packaging.utils import NormalizedName

from snakewarden.advisories.model import PYPI, Advisory


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """What one source contributed, and when."""

    name: str
    location: str
    imported_at: str  # ISO 8601, UTC
    records: int


@dataclass(frozen=True, slots=True)
class StoreStatus:
    records: int
    withdrawn: int
    malicious: int
    packages: int
    newest_modified: str
    last_import: str  # ISO 8601, UTC; "" when never imported
    sources: tuple[SourceStatus, ...] = ()
    path: str = ""


@dataclass(frozen=True, slots=True)
class ImportStats:
    """The outcome of one import: records seen, written, left alone (not newer), removed."""

    source: str
    seen: int
    written: int
    unchanged: int
    removed: int = 0
    rejected: int = 0
    problems: tuple[str, ...] = ()


class AdvisoryStore(Protocol):
    """Keeps OSV records, indexed by (ecosystem, canonical package name)."""

    def advisories_for(
        self, names: Sequence[NormalizedName], ecosystem: str = PYPI
    ) -> Mapping[NormalizedName, Sequence[Advisory]]:
        """Every stored record (withdrawn ones included) naming each package."""
        ...

    def get(self, advisory_id: str) -> Advisory | None: ...

    def import_advisories(
        self,
        advisories: Iterable[Advisory],
        *,
        source: str,
        location: str,
        replace_source: bool | Callable[[], bool] = False,
    ) -> ImportStats:
        """Write records in one transaction: all of them or, on failure, none.

        A record replaces a stored one with the same id when it is at least as recent
        (``modified``). With ``replace_source`` the import is a full snapshot of ``source``: its
        records that the snapshot no longer holds are removed; a callable is asked after the
        records are consumed (so a reader can veto removal when it rejected records).
        """
        ...

    def status(self) -> StoreStatus: ...
