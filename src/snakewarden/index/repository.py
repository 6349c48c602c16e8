"""The local project source: pages of the projects hosted on this index (published files only)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from snakewarden.index.db import Database
from snakewarden.index.models import DistFile, FileState, Project, Release
from snakewarden.index.views import FileView, ProjectPage, ReleaseView

FILES_PATH = "/packages/"


def file_url(filename: str) -> str:
    return FILES_PATH + filename


class LocalProjectSource:
    """Projects stored in the index database; only ``published`` files exist for clients."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def project(self, name: str) -> ProjectPage | None:
        with self.db.read() as s:
            project = s.scalar(select(Project).where(Project.normalized_name == name))
            if project is None:
                return None
            rows = s.execute(
                select(DistFile, Release)
                .join(Release, DistFile.release_id == Release.id)
                .where(
                    Release.project_id == project.id, DistFile.state == FileState.PUBLISHED.value
                )
                .order_by(DistFile.id)
            ).all()
            files: list[FileView] = []
            releases: dict[int, ReleaseView] = {}
            for f, r in rows:
                files.append(
                    FileView(
                        filename=f.filename,
                        url=file_url(f.filename),
                        version=r.version,
                        packagetype=f.packagetype,
                        python_version=f.python_version,
                        size=f.size,
                        sha256=f.sha256,
                        md5=f.md5,
                        blake2_256=f.blake2_256,
                        upload_time=f.uploaded_at,
                        requires_python=f.requires_python,
                        yanked=r.yanked,
                        yanked_reason=r.yanked_reason,
                        metadata_sha256=f.metadata_sha256,
                    )
                )
                if r.id not in releases:
                    info = dict(r.info or {})
                    releases[r.id] = ReleaseView(
                        version=r.version,
                        created_at=r.created_at,
                        yanked=r.yanked,
                        yanked_reason=r.yanked_reason,
                        info=tuple(sorted(info.items())),
                    )
            return ProjectPage(
                name=project.name,
                normalized_name=project.normalized_name,
                files=tuple(files),
                releases=tuple(releases.values()),
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

    def published_file(self, filename: str) -> tuple[str, str | None] | None:
        """(sha256, metadata sha256) of a served file, or None."""
        with self.db.read() as s:
            row = s.execute(
                select(DistFile.sha256, DistFile.metadata_sha256).where(
                    DistFile.filename == filename, DistFile.state == FileState.PUBLISHED.value
                )
            ).first()
            return (row[0], row[1]) if row else None
