from __future__ import annotations

import json
from pathlib import Path

import pytest

from snakewarden.audit.lockfiles import lock_kind, read_lock, read_pyproject
from snakewarden.errors import AuditError

ENV = {"python_version": "3.11", "sys_platform": "linux",
       "platform_system": "Linux",
       "python_full_version": "3.11.7", "os_name": "posix", "platform_machine": "x86_64",
       "implementation_name": "cpython", "platform_python_implementation": "CPython",
       "implementation_version": "3.11.7", "platform_release": "",
       "platform_version": ""}  # fmt: skip

PYLOCK = """
lock-version = "1.0"
created-by = "test"

[[packages]]
name = "requests"
version = "2.19.0"
[[packages.wheels]]
name = "requests-2.19.0-py2.py3-none-any.whl"
hashes = {sha256 = "aaaa"}

[[packages]]
name = "pywin32"
version = "306"
marker = "sys_platform == 'win32'"

[[packages]]
name = "local"
[packages.directory]
path = "."
"""

UVLOCK = """
version = 1
requires-python = ">=3.11"

[[package]]
name = "myproject"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "urllib3"
version = "1.24.1"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://example.invalid/u.tar.gz", hash = "sha256:bbbb" }

[[package]]
name = "gitdep"
version = "1.0"
source = { git = "https://example.invalid/repo.git" }
"""

POETRY = """
[[package]]
name = "jinja2"
version = "2.10"
files = [{file = "Jinja2-2.10.tar.gz", hash = "sha256:cccc"}]

[[package]]
name = "localthing"
version = "0.1"
[package.source]
type = "directory"
url = "../localthing"

[metadata]
lock-version = "2.0"
content-hash = "x"
"""

PIPFILE = {
    "_meta": {},
    "default": {
        "pyyaml": {"version": "==5.3", "hashes": ["sha256:dddd"]},
        "winonly": {"version": "==1.0", "markers": "sys_platform == 'win32'"},
        "vcs": {"git": "https://example.invalid/x.git"},
    },
    "develop": {"pytest": {"version": "*"}},
}


def _check(path: Path, expected: dict[str, str]) -> list[str]:
    inputs = read_lock(path, environment=ENV)
    assert {d.name: d.version for d in inputs.dependencies} == expected
    return [p.reason for p in inputs.problems if p.error]


def test_pylock(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    path.write_text(PYLOCK)
    errors = _check(path, {"requests": "2.19.0"})
    assert errors == ["directory source: no index version to check"]
    dep = read_lock(path, environment=ENV).dependencies[0]
    assert dep.hashes == ("sha256:aaaa",)


def test_uv_lock(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_text(UVLOCK)
    assert _check(path, {"urllib3": "1.24.1"}) == ["git source: no index version to check"]


def test_poetry_lock(tmp_path: Path) -> None:
    path = tmp_path / "poetry.lock"
    path.write_text(POETRY)
    assert _check(path, {"jinja2": "2.10"}) == ["directory source: no index version to check"]


def test_pipfile_lock(tmp_path: Path) -> None:
    path = tmp_path / "Pipfile.lock"
    path.write_text(json.dumps(PIPFILE))
    errors = _check(path, {"pyyaml": "5.3"})
    assert any("git source" in e for e in errors)
    assert any("not pinned" in e for e in errors)


def test_kind_sniffing_by_content() -> None:
    assert lock_kind("x.lock", PYLOCK) == "pylock"
    assert lock_kind("x.lock", UVLOCK) == "uv"
    assert lock_kind("x.lock", POETRY) == "poetry"
    assert lock_kind("x", "{}") == "pipfile"
    with pytest.raises(AuditError, match="not a lock file"):
        lock_kind("x.txt", "hello")


def test_broken_toml_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_text("[[package]\nname=")
    with pytest.raises(AuditError, match="not valid TOML"):
        read_lock(path, environment=ENV)


def test_pyproject(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "x"\ndependencies = ["requests==2.19.0", "flask>=2", '
        "\"pywin32==306; sys_platform == 'win32'\"]\n"
        '[project.optional-dependencies]\ndev = ["pytest==7.0.0"]\n'
        '[dependency-groups]\nlint = ["ruff", {include-group = "dev"}]\n'
    )
    inputs = read_pyproject(path, environment=ENV)
    assert {d.name: d.version for d in inputs.dependencies} == {
        "requests": "2.19.0",
        "pytest": "7.0.0",
    }
    unpinned = [p.subject for p in inputs.problems if p.error]
    assert unpinned == ["flask>=2", "ruff"]
