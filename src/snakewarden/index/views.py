"""Pure values describing what the repository API serves (built from the DB, or from upstream)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from packaging.version import InvalidVersion, Version


@dataclass(frozen=True, slots=True)
class FileView:
    filename: str
    url: str  # absolute path on this server ("/packages/..."), or a full URL
    version: str
    packagetype: str  # "sdist" | "bdist_wheel"
    python_version: str
    size: int
    sha256: str
    md5: str
    blake2_256: str
    upload_time: datetime
    requires_python: str | None = None
    yanked: bool = False
    yanked_reason: str = ""
    metadata_sha256: str | None = None  # PEP 658: a ".metadata" file is served next to it


@dataclass(frozen=True, slots=True)
class ReleaseView:
    version: str
    created_at: datetime
    yanked: bool = False
    yanked_reason: str = ""
    info: tuple[tuple[str, object], ...] = ()

    def get(self, key: str) -> object:
        for k, v in self.info:
            if k == key:
                return v
        return None


@dataclass(frozen=True, slots=True)
class ProjectPage:
    name: str  # display name
    normalized_name: str
    files: tuple[FileView, ...] = ()
    releases: tuple[ReleaseView, ...] = field(default_factory=tuple)  # those with served files
    serial: int = 0  # changes whenever what the page serves changes

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(r.version for r in sorted(self.releases, key=lambda r: version_key(r.version)))

    def latest(self) -> ReleaseView | None:
        """The newest non-yanked final release, else the newest non-yanked, else the newest."""
        ordered = sorted(self.releases, key=lambda r: version_key(r.version), reverse=True)
        finals = [r for r in ordered if not version_key(r.version)[1].is_prerelease]
        for candidates in (
            [r for r in finals if not r.yanked],
            [r for r in ordered if not r.yanked],
            ordered,
        ):
            if candidates:
                return candidates[0]
        return None


def version_key(version: str) -> tuple[int, Version]:
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, Version("0"))
