"""What happens to an upload: pure decisions from verdicts and from pluggable gates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from snakewarden.core.models import ScanResult, Verdict


class Action(StrEnum):
    PUBLISH = "publish"
    HOLD = "hold"  # kept, not served, waits for a reviewer
    QUARANTINE = "quarantine"  # kept as evidence, never served; the uploading token is revoked
    REJECT = "reject"  # refused at upload time (only before the file is accepted)

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Action.PUBLISH: 0, Action.HOLD: 1, Action.QUARANTINE: 2, Action.REJECT: 3}


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    reason: str
    source: str = "policy"


@dataclass(frozen=True, slots=True)
class UploadContext:
    """What a gate knows about an upload."""

    project: str  # normalized name
    version: str
    filename: str
    sha256: str
    uploader: str | None
    new_project: bool
    ip: str | None = None
    user_agent: str | None = None


def decide_verdict(result: ScanResult) -> Decision:
    """The default policy: clean is published, suspicious and errors held, malicious quarantined."""
    if result.verdict is Verdict.MALICIOUS:
        return Decision(Action.QUARANTINE, f"scanner verdict malicious (score {result.score:.2f})")
    if result.verdict is Verdict.SUSPICIOUS:
        return Decision(Action.HOLD, f"scanner verdict suspicious (score {result.score:.2f})")
    if result.verdict is Verdict.ERROR:
        return Decision(Action.HOLD, f"the file could not be scanned: {result.error or 'error'}")
    return Decision(Action.PUBLISH, "scanner verdict clean")


def strictest(decisions: Iterable[Decision | None]) -> Decision | None:
    """The most severe of the decisions (the first of equals), or None if all abstain."""
    best: Decision | None = None
    for d in decisions:
        if d is not None and (best is None or d.action.rank > best.action.rank):
            best = d
    return best
