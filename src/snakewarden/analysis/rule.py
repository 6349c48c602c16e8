"""The rule contract: a pure check over a scan context that yields findings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from snakewarden.core.models import Finding, Severity

if TYPE_CHECKING:
    from snakewarden.analysis.context import ScanContext


@dataclass(frozen=True, slots=True)
class RuleMeta:
    id: str  # kebab-case, equal to the rule module's stem
    description: str  # one line
    severity: Severity
    category: str  # dotted, e.g. "threat.network.exfil"


class Rule(Protocol):
    meta: RuleMeta

    def check(self, ctx: ScanContext) -> Iterable[Finding]: ...
