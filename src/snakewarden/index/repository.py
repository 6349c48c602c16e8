"""The local project source: pages of the projects hosted on this index (published files only)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from snakewarden.index.db import Database
from snakewarden.index.models import DistFile, FileState, Project, Release
from snakewarden.index.views import FileView, ProjectPage, ReleaseView

FILES_PATH = "/packages/"


@dataclass(frozen=True, slots=True)
class ServedFile:
    filename: str
    sha256: str
    metadata_sha256: str | None
    size: int
    project: str
    version: str


def file_url(filename: str) -> str:
    return FILES_PATH + filename


def bump_serial(session: Session, project_id: int) -> None:
    """Mark the project's pages as changed (in the caller's transaction)."""
    session.execute(
        update(Project).where(Project.id == project_id).values(serial=Project.serial + 1)
    )


class LocalProjectSource:
    """Projects stored in the index database; only ``published`` files exist for clients.

    Pages are cached by the project's serial: a request costs one small query unless the
    project changed (any process bumps the serial in the transaction that changes it)."""

    def __init__(self, db: Database, *, cache_size: int = 2048) -> None:
        self.db = db
        self._cache: OrderedDict[str, ProjectPage] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def project(self, name: str) -> ProjectPage | None:
        with self.db.read() as s:
            head = s.execute(
                select(Project.id, Project.name, Project.serial).where(
                    Project.normalized_name == name
                )
            ).first()
            if head is None:
                return None
            project_id, display, serial = head
            with self._lock:
                cached = self._cache.get(name)
                if cached is not None and cached.serial == serial:
                    self._cache.move_to_end(name)
                    return cached
            page = self._load(s, project_id, display, name, serial)
        with self._lock:
            self._cache[name] = page
            self._cache.move_to_end(name)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return page

    def _load(
        self, s: Session, project_id: int, display: str, name: str, serial: int
    ) -> ProjectPage:
        rows = s.execute(
            select(
                DistFile.filename, DistFile.packagetype, DistFile.python_version, DistFile.size,
                DistFile.sha256, DistFile.md5, DistFile.blake2_256, DistFile.uploaded_at,
                DistFile.requires_python, DistFile.metadata_sha256, Release.id, Release.version,
                Release.created_at, Release.yanked, Release.yanked_reason,
            )
            .join(Release, DistFile.release_id == Release.id)
            .where(Release.project_id == project_id, DistFile.state == FileState.PUBLISHED.value)
            .order_by(DistFile.id)
        ).all()  # fmt: skip
        files: list[FileView] = []
        release_ids: dict[int, tuple[str, datetime, bool, str]] = {}
        for (
            filename, packagetype, python_version, size, sha256, md5, blake2, uploaded_at,
            requires_python, metadata_sha256, release_id, version, created_at, yanked,
            yanked_reason,
        ) in rows:  # fmt: skip
            files.append(
                FileView(
                    filename=filename,
                    url=file_url(filename),
                    version=version,
                    packagetype=packagetype,
                    python_version=python_version,
                    size=size,
                    sha256=sha256,
                    md5=md5,
                    blake2_256=blake2,
                    upload_time=uploaded_at,
                    requires_python=requires_python,
                    yanked=yanked,
                    yanked_reason=yanked_reason,
                    metadata_sha256=metadata_sha256,
                )
            )
            release_ids.setdefault(release_id, (version, created_at, yanked, yanked_reason))
        infos: dict[int, dict[str, object]] = {}
        if release_ids:
            infos = {
                rid: dict(info or {})
                for rid, info in s.execute(
                    select(Release.id, Release.info).where(Release.id.in_(list(release_ids)))
                )
            }
        releases = tuple(
            ReleaseView(
                version=version,
                created_at=created_at,
                yanked=yanked,
                yanked_reason=yanked_reason,
                info=tuple(sorted(infos.get(rid, {}).items())),
            )
            for rid, (version, created_at, yanked, yanked_reason) in release_ids.items()
        )
        return ProjectPage(
            name=display, normalized_name=name, files=tuple(files), releases=releases,
            serial=serial,
        )  # fmt: skip

    def touch(self, name: str) -> None:
        """Bump the serial of ``name``: its pages are rendered afresh."""
        with self.db.write() as s:
            s.execute(
                update(Project)
                .where(Project.normalized_name == name)
                .values(serial=Project.serial + 1)
            )

    def project_names(self) -> Sequence[str]:
        with self.db.read() as s:
            return s.scalars(
                select(Project.normalized_name)
                .where(
                    select(DistFile.id)
                    .join(Release, DistFile.release_id == Release.id)
                    .where(
                        Release.project_id == Project.id,
                        DistFile.state == FileState.PUBLISHED.value,
                    )
                    .exists()
                )
                .order_by(Project.normalized_name)
            ).all()

    def published_file(self, filename: str) -> ServedFile | None:
        """A served file by its name, or None (pending, held, quarantined, deleted, unknown)."""
        with self.db.read() as s:
            row = s.execute(
                select(
                    DistFile.sha256, DistFile.metadata_sha256, DistFile.size,
                    Project.normalized_name, Release.version,
                )
                .join(Release, DistFile.release_id == Release.id)
                .join(Project, Release.project_id == Project.id)
                .where(DistFile.filename == filename, DistFile.state == FileState.PUBLISHED.value)
            ).first()  # fmt: skip
            if row is None:
                return None
            return ServedFile(filename, row[0], row[1], row[2], row[3], row[4])
