from __future__ import annotations

import sys
from pathlib import Path

import pytest

from snakewarden.audit.environment import current_environment, python_environment
from snakewarden.errors import AuditError


def test_current_environment_lists_installed_distributions() -> None:
    inputs = current_environment()
    names = {d.name for d in inputs.dependencies}
    assert {"packaging", "pytest"} <= names
    assert all(d.version for d in inputs.dependencies)


def test_another_interpreter() -> None:
    inputs, markers = python_environment(Path(sys.executable))
    assert "packaging" in {d.name for d in inputs.dependencies}
    assert markers["python_version"] == f"{sys.version_info[0]}.{sys.version_info[1]}"


def test_missing_or_broken_interpreter(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="no Python interpreter"):
        python_environment(tmp_path / "python-nope")
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho not json\n")
    fake.chmod(0o755)
    with pytest.raises(AuditError, match="unreadable output"):
        python_environment(fake)
    failing = tmp_path / "python2"
    failing.write_text("#!/bin/sh\necho boom >&2\nexit 3\n")
    failing.chmod(0o755)
    with pytest.raises(AuditError, match="exit 3"):
        python_environment(failing)
