"""Review and administration: the queue of held files, approve, quarantine, delete, yank."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import InvalidVersion
from sqlalchemy import func, select

from snakewarden.adapters.storage import FileStore
from snakewarden.core.events import EventTag
from snakewarden.index.accounts import Principal
from snakewarden.index.db import Database
from snakewarden.index.errors import BadRequest, Conflict, Forbidden, NotFound
from snakewarden.index.events import RequestMeta, record
from snakewarden.index.interfaces import Clock
from snakewarden.index.models import (
    DistFile,
    FileState,
    Project,
    ProjectRole,
    Release,
    ScanJob,
    User,
)
from snakewarden.index.repository import bump_serial


class ReviewAction(StrEnum):
    APPROVE = "approve"
    QUARANTINE = "quarantine"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class QueueItem:
    filename: str
    project: str
    version: str
    state: str
    verdict: str | None
    score: float | None
    reason: str
    uploaded_at: datetime
    uploader: str | None
    sha256: str
    findings: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "project": self.project,
            "version": self.version,
            "state": self.state,
            "verdict": self.verdict,
            "score": self.score,
            "reason": self.reason,
            "uploaded_at": self.uploaded_at.isoformat(),
            "uploader": self.uploader,
            "sha256": self.sha256,
            "findings": list(self.findings),
        }


_ALLOWED = {
    ReviewAction.APPROVE: {FileState.HELD, FileState.QUARANTINED, FileState.PENDING},
    ReviewAction.QUARANTINE: {FileState.HELD, FileState.PUBLISHED, FileState.PENDING},
    ReviewAction.DELETE: {
        FileState.HELD,
        FileState.PUBLISHED,
        FileState.PENDING,
        FileState.QUARANTINED,
    },
}
_TARGET = {
    ReviewAction.APPROVE: FileState.PUBLISHED,
    ReviewAction.QUARANTINE: FileState.QUARANTINED,
    ReviewAction.DELETE: FileState.DELETED,
}


class ReviewService:
    def __init__(self, db: Database, store: FileStore, clock: Clock) -> None:
        self.db = db
        self.store = store
        self.clock = clock

    def queue(
        self, states: tuple[FileState, ...] = (FileState.HELD,), limit: int = 500
    ) -> list[QueueItem]:
        with self.db.read() as s:
            rows = s.execute(
                select(DistFile, User.username)
                .outerjoin(User, DistFile.uploader_id == User.id)
                .where(DistFile.state.in_([x.value for x in states]))
                .order_by(DistFile.id)
                .limit(max(1, min(limit, 10_000)))
            ).all()
            return [
                QueueItem(
                    filename=f.filename,
                    project=f.release.project.normalized_name,
                    version=f.release.version,
                    state=f.state,
                    verdict=f.verdict,
                    score=f.score,
                    reason=f.state_reason,
                    uploaded_at=f.uploaded_at,
                    uploader=uploader,
                    sha256=f.sha256,
                    findings=tuple(f.findings or ()),
                )
                for f, uploader in rows
            ]

    def file_state(self, filename: str) -> str:
        with self.db.read() as s:
            state = s.scalar(select(DistFile.state).where(DistFile.filename == filename))
            if state is None:
                raise NotFound(f"no file named {filename[:200]!r}")
            return state

    def act(
        self,
        filename: str,
        action: ReviewAction,
        *,
        actor: str,
        reason: str = "",
        meta: RequestMeta | None = None,
    ) -> str:
        """Apply a reviewer's decision; returns the new state."""
        now = self.clock.now()
        drop_blob: list[str] = []
        with self.db.write() as s:
            f = s.scalar(select(DistFile).where(DistFile.filename == filename))
            if f is None:
                raise NotFound(f"no file named {filename[:200]!r}")
            if FileState(f.state) not in _ALLOWED[action]:
                raise Conflict(f"cannot {action.value} {filename!r}: it is {f.state}")
            before = f.state
            f.state = _TARGET[action].value
            bump_serial(s, f.release.project_id)
            f.state_reason = f"{action.value} by {actor}" + (f": {reason}" if reason else "")
            job = s.scalar(select(ScanJob).where(ScanJob.file_id == f.id))
            if (
                job is not None
                and job.state in ("pending", "running")
                and action is not ReviewAction.APPROVE
            ):
                job.state = "done"
                job.finished_at = now
            project = f.release.project.normalized_name
            record(
                s,
                EventTag.ADMIN_ACTION,
                time=now,
                meta=meta,
                actor=actor,
                project=project,
                version=f.release.version,
                filename=f.filename,
                action=action.value,
                before=before,
                after=f.state,
                reason=reason[:500],
            )
            if action is ReviewAction.DELETE:
                record(
                    s,
                    EventTag.FILE_DELETED,
                    time=now,
                    meta=meta,
                    actor=actor,
                    project=project,
                    version=f.release.version,
                    filename=f.filename,
                )
                shared = s.scalar(
                    select(func.count(DistFile.id)).where(
                        DistFile.sha256 == f.sha256,
                        DistFile.id != f.id,
                        DistFile.state != FileState.DELETED.value,
                    )
                )
                if not shared:
                    drop_blob.append(f.sha256)
                    if f.metadata_sha256:
                        drop_blob.append(f.metadata_sha256)
            new_state = f.state
        for key in drop_blob:  # after the commit: the row no longer points at it
            self.store.delete(key)
        return new_state

    def yank(
        self,
        principal: Principal,
        project: str,
        version: str,
        *,
        reason: str = "",
        undo: bool = False,
        meta: RequestMeta | None = None,
    ) -> None:
        """PEP 592 yank (or un-yank) of a release, by an owner/maintainer or an admin."""
        name = canonicalize_name(project)
        try:
            canonical = canonicalize_version(version)
        except InvalidVersion as exc:
            raise BadRequest(f"invalid version {version[:60]!r}") from exc
        now = self.clock.now()
        with self.db.write() as s:
            proj = s.scalar(select(Project).where(Project.normalized_name == name))
            if proj is None:
                raise NotFound(f"no project {name!r}")
            if not principal.account.is_admin:
                role = s.scalar(
                    select(ProjectRole.role).where(
                        ProjectRole.project_id == proj.id,
                        ProjectRole.user_id == principal.account.id,
                    )
                )
                if role is None or not principal.may_touch(name):
                    raise Forbidden(
                        f"{principal.account.username!r} may not yank releases of {name!r}"
                    )
            rel = s.scalar(
                select(Release).where(
                    Release.project_id == proj.id, Release.canonical_version == canonical
                )
            )
            if rel is None:
                raise NotFound(f"no release {version!r} of {name!r}")
            rel.yanked = not undo
            bump_serial(s, proj.id)
            rel.yanked_reason = "" if undo else reason[:500]
            record(
                s,
                EventTag.RELEASE_YANKED,
                time=now,
                meta=meta,
                actor=principal.account.username,
                project=name,
                version=rel.version,
                undo=str(undo).lower(),
                reason=reason[:500],
            )
