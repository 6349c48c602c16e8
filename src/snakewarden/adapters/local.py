"""Read scan targets from the local filesystem: archive files, loose files and source folders.

Nothing is followed out of a folder: symbolic links are reported, never opened; devices, fifos
and sockets are reported, never opened (opening a fifo would block). Every read is bounded by the
``Limits`` of the artifact reader.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from snakewarden.artifacts import Artifact, Limits, artifact_from_files, read_artifact
from snakewarden.artifacts.reader import ReadFn, archive_issue
from snakewarden.core.models import Finding
from snakewarden.errors import ArtifactError

__all__ = ["read_file_target", "read_folder_target", "read_path_target"]

#: Version-control folders: never installed, often huge; skipped when walking a source tree.
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".bzr"})
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _read_regular(path: str, limit: int) -> bytes:
    """Read at most ``limit`` bytes of a regular file without following a final symlink."""
    fd = os.open(path, _OPEN_FLAGS | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ArtifactError(f"{path}: not a regular file")
        chunks: list[bytes] = []
        left = limit
        while left > 0:
            chunk = os.read(fd, min(left, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_file_target(path: Path, limits: Limits | None = None) -> Artifact:
    """An archive (sdist, wheel, egg, zip) or a loose file, read whole within the size bound."""
    limits = limits or Limits()
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise ArtifactError(
                f"{path}: not a regular file or folder", hint="pass an archive, a file or a folder"
            )
        if st.st_size > limits.max_archive_size:
            raise ArtifactError(
                f"{path}: {st.st_size} bytes exceeds the {limits.max_archive_size}-byte bound",
                hint="scan the unpacked folder instead, or raise the bound for inputs you trust",
            )
        with path.open("rb") as fh:
            data = fh.read(limits.max_archive_size + 1)
    except OSError as exc:
        raise ArtifactError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > limits.max_archive_size:
        raise ArtifactError(f"{path}: grew past the {limits.max_archive_size}-byte bound")
    return read_artifact(data, path.name, limits)


def read_folder_target(root: Path, limits: Limits | None = None) -> Artifact:
    """An unpacked source tree, walked without following links, within the reader's bounds."""
    limits = limits or Limits()
    issues: list[Finding] = []
    failures: list[Finding] = []
    if not root.is_dir():
        raise ArtifactError(f"{root}: not a folder")
    entries = _walk(root, limits, issues, failures)
    # ``issues`` fills while the walk runs, so they are attached once it is done.
    artifact = artifact_from_files(root.name or str(root), entries, limits)
    if not artifact.members and not artifact.issues and not issues and not failures:
        raise ArtifactError(f"{root}: the folder holds no files", hint="check the path")
    return dataclasses.replace(artifact, issues=(*artifact.issues, *issues, *failures))


def read_path_target(path: Path, limits: Limits | None = None) -> Artifact:
    """A folder or a file, whichever ``path`` is."""
    if path.is_dir():
        return read_folder_target(path, limits)
    return read_file_target(path, limits)


def _walk(
    root: Path, limits: Limits, issues: list[Finding], failures: list[Finding]
) -> Iterator[tuple[str, int, ReadFn]]:
    budget = limits.max_members + 1  # one over, so the reader reports the excess
    stack: list[tuple[str, str, int]] = [(str(root), "", 0)]
    while stack and budget > 0:
        folder, rel, depth = stack.pop()
        try:
            with os.scandir(folder) as it:
                listing = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            failures.append(
                archive_issue("archive-corrupt", f"folder unreadable: {exc.strerror}", rel or ".")
            )
            continue
        subdirs: list[tuple[str, str, int]] = []
        for entry in listing:
            child = f"{rel}{entry.name}"
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                try:
                    target = os.readlink(entry.path)
                except OSError:
                    target = "?"
                issues.append(
                    archive_issue(
                        "archive-link",
                        f"symbolic link to {target[:200]!r}, not followed",
                        child,
                        0.1,
                    )
                )
                continue
            if stat.S_ISDIR(st.st_mode):
                if entry.name in _SKIP_DIRS:
                    continue
                if depth + 1 >= limits.max_path_depth:
                    issues.append(
                        archive_issue(
                            "archive-deep-path",
                            f"folder deeper than {limits.max_path_depth}; not read",
                            child,
                            0.2,
                        )
                    )
                    continue
                subdirs.append((entry.path, child + "/", depth + 1))
                continue
            if not stat.S_ISREG(st.st_mode):
                issues.append(
                    archive_issue(
                        "archive-special-file", "device, fifo or socket; not opened", child, 0.1
                    )
                )
                continue
            budget -= 1
            yield child, st.st_size, _reader(entry.path, child, failures)
            if budget <= 0:
                return
        stack.extend(reversed(subdirs))


def _reader(path: str, rel: str, failures: list[Finding]) -> ReadFn:
    def read(n: int) -> bytes:
        try:
            return _read_regular(path, n)
        except (OSError, ArtifactError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else exc.message
            failures.append(archive_issue("archive-corrupt", f"file unreadable: {reason}", rel))
            return b""

    return read
