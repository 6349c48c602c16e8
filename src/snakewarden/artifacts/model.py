"""Values describing a distribution as read from its bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from snakewarden.core.models import Finding

MiB = 1024 * 1024


class ArtifactKind(StrEnum):
    SDIST = "sdist"  # .tar.gz / .tgz / .tar.bz2 / .tar.xz / .zip source distribution
    WHEEL = "wheel"
    EGG = "egg"
    FOLDER = "folder"  # an unpacked source tree
    FILE = "file"  # a single loose file (a setup.py, a script)


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds applied to every archive. Exceeding one yields a finding, never a crash."""

    max_archive_size: int = 256 * MiB
    max_members: int = 50_000
    max_member_size: int = 64 * MiB  # declared uncompressed size of one member
    max_total_size: int = 1024 * MiB  # uncompressed bytes read and skipped, all members
    max_ratio: float = 200.0  # uncompressed / compressed, for members (zip) or streams (tar)
    #: a member is a decompression bomb when it inflates past this size at over ``max_ratio``
    #: (smaller ones are harmless: a wheel's 2 MB shared library of zero-filled pages is 220:1)
    min_bomb_size: int = 16 * MiB
    max_path_depth: int = 32
    max_path_length: int = 1024
    max_code_size: int = 16 * MiB  # a code/text member is read up to this size, then truncated
    max_nested_size: int = 64 * MiB  # a nested archive is opened only up to this size
    head_size: int = 4096  # bytes read from members that are not code
    max_kept_size: int = 256 * MiB  # member bytes held in memory, all members; then heads only
    max_declared_members: int = 200_000  # a zip declaring more is refused before it is parsed


@dataclass(frozen=True, slots=True)
class Member:
    """One file inside an artifact.

    ``data`` holds the whole content for code and text (up to ``Limits.max_code_size``), and the
    first ``Limits.head_size`` bytes for everything else; ``complete`` says which.
    ``path`` is relative to the artifact root; members of a nested archive read as
    ``outer.zip!inner/path``.
    """

    path: str
    data: bytes
    size: int
    complete: bool = True
    # Derived from ``path`` once (rules ask for them for every member, many times over).
    _name: str = field(init=False, repr=False, compare=False)
    _suffix: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        dot = name.rfind(".")
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_suffix", name[dot:].lower() if dot > 0 else "")

    @property
    def name(self) -> str:
        return self._name

    @property
    def suffix(self) -> str:
        return self._suffix


@dataclass(frozen=True, slots=True)
class CoreMetadata:
    """The fields of PKG-INFO / METADATA that analysis uses (parsed with ``packaging``)."""

    name: str | None = None
    version: str | None = None
    summary: str | None = None
    description: str | None = None
    author: str | None = None
    author_email: str | None = None
    maintainer: str | None = None
    maintainer_email: str | None = None
    home_page: str | None = None
    download_url: str | None = None
    project_urls: tuple[tuple[str, str], ...] = ()
    requires_dist: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    license: str | None = None
    classifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Artifact:
    filename: str
    kind: ArtifactKind
    size: int
    sha256: str | None
    members: tuple[Member, ...]
    metadata: CoreMetadata | None = None
    metadata_path: str | None = None
    issues: tuple[Finding, ...] = field(default_factory=tuple)
    root: str = ""  # the common top folder of an sdist ("pkg-1.0/"), stripped from nothing

    def member(self, path: str) -> Member | None:
        for m in self.members:
            if m.path == path:
                return m
        return None

    def relative(self, path: str) -> str:
        """The path below the sdist's top folder (``pkg-1.0/setup.py`` -> ``setup.py``)."""
        if self.root and path.startswith(self.root):
            return path[len(self.root) :]
        return path
