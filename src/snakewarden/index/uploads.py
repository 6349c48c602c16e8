"""Accepting an upload: authorization, name rules, tombstones, storage, and the scan job.

The file is stored and recorded as ``pending`` in one transaction with its scan job and its
event; nothing is served before the scan's verdict says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from snakewarden.adapters.storage import FileStore
from snakewarden.core.events import EventTag
from snakewarden.index.accounts import AccountService, Principal
from snakewarden.index.db import Database, DatabaseConflict
from snakewarden.index.errors import BadRequest, Forbidden
from snakewarden.index.events import RequestMeta, record
from snakewarden.index.interfaces import Clock, NameChecker, UploadGate
from snakewarden.index.models import (
    DistFile,
    FileState,
    Project,
    ProjectRole,
    Release,
    Role,
)
from snakewarden.index.pipeline import JobQueue
from snakewarden.index.policy import Action, UploadContext, strictest
from snakewarden.index.validation import UploadForm


@dataclass(frozen=True, slots=True)
class UploadReceipt:
    file_id: int
    filename: str
    project: str
    version: str
    sha256: str
    new_project: bool
    duplicate: bool = False  # an identical re-upload of a file already here


class UploadService:
    def __init__(
        self,
        db: Database,
        store: FileStore,
        clock: Clock,
        accounts: AccountService,
        *,
        name_checker: NameChecker | None = None,
        gates: Sequence[UploadGate] = (),
    ) -> None:
        self.db = db
        self.store = store
        self.clock = clock
        self.accounts = accounts
        self.name_checker = name_checker
        self.gates = tuple(gates)

    def accept(
        self, principal: Principal, form: UploadForm, content: bytes, meta: RequestMeta
    ) -> UploadReceipt:
        try:
            return self._accept(principal, form, content, meta)
        except DatabaseConflict as exc:  # a concurrent upload of the same filename or project
            raise BadRequest(
                f"File already exists ({form.filename!r}): a filename can only be used once"
            ) from exc

    def _check(
        self, s: Session, principal: Principal, form: UploadForm
    ) -> tuple[DistFile | None, Project | None]:
        """Refusals that depend on the database: (the identical file already here, the
        project if it exists)."""
        user = principal.account
        name = form.normalized_name
        key = form.sha256
        used = s.scalar(select(DistFile).where(DistFile.filename == form.filename))
        identical = (
            used is not None and used.sha256 == key and used.state != FileState.DELETED.value
        )
        if used is not None and not identical:
            gone = (
                " (it was deleted; a filename can never be reused)"
                if used.state == FileState.DELETED.value
                else ""
            )
            raise BadRequest(
                f"File already exists ({form.filename!r}){gone}. Use a new version number "
                "or a build tag"
            )
        same = s.scalar(select(DistFile.filename).where(DistFile.sha256 == key))
        if same is not None and not identical:
            raise BadRequest(f"The content of this file was already uploaded as {same!r}")
        project = s.scalar(select(Project).where(Project.normalized_name == name))
        if project is None:
            if self.name_checker is not None:
                # names of the uploader's own projects are no squatting target
                owned = select(ProjectRole.project_id).where(ProjectRole.user_id == user.id)
                existing = s.scalars(
                    select(Project.normalized_name).where(Project.id.not_in(owned))
                ).all()
                why = self.name_checker.check(name, existing)
                if why:
                    raise BadRequest(f"The name {form.name!r} is not allowed: {why}")
        elif self.accounts.role_of(s, project.id, user.id) is None:
            raise Forbidden(
                f"The user {user.username!r} isn't allowed to upload to project {name!r}: "
                "ask one of its owners for the maintainer role"
            )
        return used, project

    def _accept(
        self, principal: Principal, form: UploadForm, content: bytes, meta: RequestMeta
    ) -> UploadReceipt:
        user = principal.account
        name = form.normalized_name
        if not principal.may_touch(name):
            raise Forbidden(
                f"This API token is scoped to the project(s) {', '.join(principal.token_projects)} "
                f"and cannot upload to {name!r}"
            )
        key = form.sha256
        # Refuse what can be refused before anything is written (no orphan blobs from refused
        # uploads); the same checks run again in the write transaction, race-safe.
        with self.db.read() as s:
            self._check(s, principal, form)
        # Store (idempotent, content-addressed) before the commit: a crash in between only
        # leaves an unreferenced blob, never a row without its file.
        if self.store.put(content) != key:
            raise BadRequest("The file changed between validation and storage")
        metadata_key = self.store.put(form.wheel_metadata) if form.wheel_metadata else None
        now = self.clock.now()
        with self.db.write() as s:
            used, project = self._check(s, principal, form)
            new_project = project is None
            if project is None:
                project = Project(name=form.name, normalized_name=name, created_at=now)
                s.add(project)
                s.flush()
                s.add(ProjectRole(project_id=project.id, user_id=user.id, role=Role.OWNER.value))
                record(
                    s,
                    EventTag.PROJECT_CREATED,
                    time=now,
                    meta=meta,
                    actor=user.username,
                    project=name,
                )
                record(
                    s,
                    EventTag.ROLE_ADDED,
                    time=now,
                    meta=meta,
                    actor=user.username,
                    project=name,
                    user=user.username,
                    role=Role.OWNER.value,
                )
            if used is not None:  # the very same file again (a retry): nothing to do, like PyPI
                return UploadReceipt(
                    used.id, used.filename, name, form.version, key, False, duplicate=True
                )
            ctx = UploadContext(
                project=name,
                version=form.version,
                filename=form.filename,
                sha256=key,
                uploader=user.username,
                new_project=new_project,
                ip=meta.ip,
                user_agent=meta.user_agent,
            )
            gate = strictest(g.before_upload(ctx) for g in self.gates)
            if gate is not None and gate.action is Action.REJECT:
                raise Forbidden(f"Upload refused: {gate.reason}")
            release = s.scalar(
                select(Release).where(
                    Release.project_id == project.id,
                    Release.canonical_version == form.canonical_version,
                )
            )
            if release is None:
                release = Release(
                    project_id=project.id,
                    version=form.version,
                    canonical_version=form.canonical_version,
                    created_at=now,
                    info={**dict(form.info), "description": form.description},
                )
                s.add(release)
                s.flush()
            f = DistFile(
                release_id=release.id,
                filename=form.filename,
                packagetype=form.packagetype,
                python_version=form.python_version,
                requires_python=form.requires_python,
                size=form.size,
                sha256=key,
                md5=form.md5,
                blake2_256=form.blake2_256,
                metadata_sha256=metadata_key,
                uploaded_at=now,
                uploader_id=user.id,
                token_id=principal.token_id,
                state=FileState.PENDING.value,
                findings=[],
                state_reason="waiting for the scan",
                gate_action=gate.action.value
                if gate and gate.action is not Action.PUBLISH
                else None,
                gate_reason=gate.reason[:2000] if gate else None,
                upload_ip=meta.ip,
            )
            s.add(f)
            s.flush()
            JobQueue.enqueue(s, f.id, now)
            record(
                s,
                EventTag.FILE_UPLOADED,
                time=now,
                meta=meta,
                actor=user.username,
                project=name,
                version=form.version,
                filename=form.filename,
                sha256=key,
                size=str(form.size),
                token=str(principal.token_id or ""),
                new_project=str(new_project).lower(),
            )
            return UploadReceipt(f.id, f.filename, name, form.version, key, new_project)
