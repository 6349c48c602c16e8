"""What every scan reporter shares: the reporter protocol and rule descriptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from snakewarden.core.models import ScanResult, Severity


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a report says about a rule (from the analysis registry or the archive reader)."""

    id: str
    description: str
    severity: Severity = Severity.MEDIUM
    category: str = ""


class ScanReporter(Protocol):
    def add(self, result: ScanResult) -> None:
        """Take the next result (in input order); streaming formats write it at once."""

    def close(self) -> None:
        """Finish the document (a non-streaming format writes everything here)."""
