"""Source folders: walked without following links or opening special files, within bounds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from snakewarden.adapters.local import read_file_target, read_folder_target, read_path_target
from snakewarden.artifacts import ArtifactKind, Limits
from snakewarden.errors import ArtifactError


def _tree(root: Path) -> Path:
    pkg = root / "demo-1.0"
    (pkg / "demo").mkdir(parents=True)
    (pkg / "setup.py").write_text("from setuptools import setup\nsetup(name='demo')\n")
    (pkg / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")
    (pkg / "demo" / "__init__.py").write_text("VALUE = 1\n")
    (pkg / ".git").mkdir()
    (pkg / ".git" / "config").write_text("[core]\n")
    return pkg


def test_folder_is_read(tmp_path: Path) -> None:
    art = read_path_target(_tree(tmp_path))
    assert art.kind is ArtifactKind.FOLDER
    assert {m.path for m in art.members} == {"setup.py", "PKG-INFO", "demo/__init__.py"}
    assert art.metadata is not None
    assert art.metadata.name == "demo"


def test_symlinks_are_reported_not_followed(tmp_path: Path) -> None:
    pkg = _tree(tmp_path / "a")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    (pkg / "leak.txt").symlink_to(secret)
    (pkg / "outside").symlink_to(tmp_path, target_is_directory=True)
    art = read_folder_target(pkg)
    assert all(b"TOP SECRET" not in m.data for m in art.members)
    assert [f.rule for f in art.issues].count("archive-link") == 2


def test_fifo_is_not_opened(tmp_path: Path) -> None:
    pkg = _tree(tmp_path)
    os.mkfifo(pkg / "pipe")
    art = read_folder_target(pkg)  # opening the fifo would block forever
    assert "archive-special-file" in {f.rule for f in art.issues}


def test_deep_folders_stop_at_the_bound(tmp_path: Path) -> None:
    deep = tmp_path / "p"
    for _ in range(12):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "x.py").write_text("x = 1\n")
    art = read_folder_target(tmp_path / "p", Limits(max_path_depth=5))
    assert "archive-deep-path" in {f.rule for f in art.issues}
    assert not art.members


def test_too_many_files(tmp_path: Path) -> None:
    for i in range(20):
        (tmp_path / f"f{i}.py").write_text("x = 1\n")
    art = read_folder_target(tmp_path, Limits(max_members=5))
    assert "archive-too-many-members" in {f.rule for f in art.issues}
    assert len(art.members) <= 5


def test_non_utf8_file_name(tmp_path: Path) -> None:
    name = os.fsdecode(b"bad\xff.py")
    (tmp_path / name).write_text("x = 1\n")
    art = read_folder_target(tmp_path)
    assert "archive-odd-name" in {f.rule for f in art.issues}
    for m in art.members:
        m.path.encode("utf-8")


def test_unreadable_file_is_a_finding(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    (tmp_path / "x.py").write_text("x = 1\n")
    (tmp_path / "x.py").chmod(0)
    art = read_folder_target(tmp_path)
    assert "archive-corrupt" in {f.rule for f in art.issues}


def test_file_target_refuses_special_files_and_oversize(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(ArtifactError, match="regular"):
        read_file_target(tmp_path / "pipe")
    big = tmp_path / "big.tar.gz"
    big.write_bytes(b"\x1f\x8b" + bytes(200))
    with pytest.raises(ArtifactError, match="bound"):
        read_file_target(big, Limits(max_archive_size=100))
    with pytest.raises(ArtifactError, match="cannot read"):
        read_file_target(tmp_path / "missing.tar.gz")


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty" / ".git").mkdir(parents=True)
    with pytest.raises(ArtifactError, match="no files"):
        read_folder_target(tmp_path / "empty")
