"""Security events: the append-only log the index writes and the anomaly detectors read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NewType

EventId = NewType("EventId", str)


class EventTag(StrEnum):
    """What happened, as ``source:subject:action``."""

    # Tag names like TOKEN_USED are event names, not credentials (ruff S105 false positives).

    USER_CREATED = "account:user:created"
    LOGIN = "account:session:login"
    LOGIN_FAILED = "account:session:login-failed"
    TWO_FACTOR_ENABLED = "account:2fa:enabled"
    TWO_FACTOR_DISABLED = "account:2fa:disabled"
    RECOVERY_CODE_USED = "account:recovery-code:used"
    EMAIL_CHANGED = "account:email:changed"
    PASSWORD_RESET = "account:password:reset"  # noqa: S105
    TOKEN_CREATED = "account:token:created"  # noqa: S105
    TOKEN_USED = "account:token:used"  # noqa: S105
    TOKEN_REVOKED = "account:token:revoked"  # noqa: S105
    PROJECT_CREATED = "project:project:created"
    ROLE_ADDED = "project:role:added"
    ROLE_REMOVED = "project:role:removed"
    FILE_UPLOADED = "project:file:uploaded"
    FILE_DOWNLOADED = "project:file:downloaded"
    FILE_DELETED = "project:file:deleted"
    RELEASE_YANKED = "project:release:yanked"
    SCAN_VERDICT = "project:file:verdict"
    ADMIN_ACTION = "admin:review:action"
    PROXY_REFUSED = "proxy:file:refused"  # the proxy refused or failed to serve an upstream file


@dataclass(frozen=True, slots=True)
class Event:
    """One security event. ``time`` is timezone-aware UTC."""

    id: EventId
    time: datetime
    tag: EventTag
    actor: str | None = None
    project: str | None = None
    version: str | None = None
    filename: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    country: str | None = None
    details: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def detail(self, key: str) -> str | None:
        for k, v in self.details:
            if k == key:
                return v
        return None
