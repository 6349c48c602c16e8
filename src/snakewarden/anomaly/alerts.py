"""The alert model and the upload-hold policy (pure)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NewType

from snakewarden.core.events import EventId
from snakewarden.core.models import Severity

AlertId = NewType("AlertId", str)


class AlertState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class SubjectKind(StrEnum):
    ACCOUNT = "account"
    PROJECT = "project"
    NETWORK = "network"


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert: what fired, about whom, why (evidence), and which events prove it.

    ``projects`` lists every project the alert concerns (the subject when it is a project, the
    projects uploaded to in the sequence otherwise): a high-severity alert holds their uploads.
    ``time`` is the time of the event that completed the pattern (never the wall clock).
    """

    id: AlertId
    detector: str
    severity: Severity
    subject_kind: SubjectKind
    subject: str
    title: str
    evidence: tuple[tuple[str, str], ...]
    event_ids: tuple[EventId, ...]
    time: datetime
    projects: tuple[str, ...] = field(default_factory=tuple)
    state: AlertState = AlertState.OPEN

    @property
    def explanation(self) -> str:
        """One readable paragraph: the title, then each piece of evidence."""
        parts = [self.title]
        parts.extend(f"{key}: {value}" for key, value in self.evidence)
        return "; ".join(parts)

    def with_state(self, state: AlertState) -> Alert:
        return replace(self, state=state)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "detector": self.detector,
            "severity": self.severity.value,
            "subject": {"kind": self.subject_kind.value, "name": self.subject},
            "title": self.title,
            "explanation": self.explanation,
            "evidence": dict(self.evidence),
            "event_ids": list(self.event_ids),
            "projects": list(self.projects),
            "time": self.time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "state": self.state.value,
        }

    def to_json_line(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))


def alert_id(detector: str, subject_kind: SubjectKind, subject: str, trigger: str) -> AlertId:
    """Deterministic id: replaying the same history yields the same ids (idempotent storage)."""
    raw = "\x1f".join((detector, subject_kind.value, subject, trigger)).encode()
    return AlertId("al-" + hashlib.sha256(raw).hexdigest()[:20])


#: States in which an alert still holds uploads (acknowledged = being reviewed).
HOLDING_STATES = frozenset({AlertState.OPEN, AlertState.ACKNOWLEDGED})


def uploads_held(project: str, open_alerts: Iterable[Alert]) -> bool:
    """Whether new uploads of ``project`` must wait for review.

    True when an alert of severity high or above, not yet closed, concerns the project (as its
    subject or among its ``projects``). ``project`` must be a canonical (PEP 503) name.
    """
    for alert in open_alerts:
        if alert.state not in HOLDING_STATES or alert.severity.rank < Severity.HIGH.rank:
            continue
        if alert.subject_kind is SubjectKind.PROJECT and alert.subject == project:
            return True
        if project in alert.projects:
            return True
    return False
