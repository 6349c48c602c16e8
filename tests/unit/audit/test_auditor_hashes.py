"""Pins without --hash are noted (or, with --require-hashes, errors)."""

from __future__ import annotations

from packaging.utils import canonicalize_name

from snakewarden.audit.auditor import AuditOptions, audit
from snakewarden.audit.model import Dependency, DependencyKind, InputSet


def _dep(name: str, hashes: tuple[str, ...] = ()) -> Dependency:
    return Dependency(
        canonicalize_name(name), "1.0", DependencyKind.PINNED, f"req.txt:{len(name)}",
        requirement=f"{name}==1.0", hashes=hashes, path="req.txt",
    )  # fmt: skip


def test_unhashed_pins_are_one_note_per_file() -> None:
    inputs = InputSet((_dep("alpha"), _dep("beta", ("sha256:" + "0" * 64,))))
    report = audit(inputs, None)
    notes = [p for p in report.problems if not p.error]
    assert len(notes) == 1
    assert "alpha==1.0" in notes[0].reason
    assert "beta" not in notes[0].reason
    assert "lock-hashes" in notes[0].hint
    assert report.exit_code == 0


def test_require_hashes_makes_each_unhashed_pin_an_error() -> None:
    inputs = InputSet((_dep("alpha"), _dep("gamma")))
    report = audit(inputs, None, options=AuditOptions(require_hashes=True))
    assert [p.subject for p in report.errors] == ["alpha==1.0", "gamma==1.0"]
    assert report.exit_code == 2


def test_environment_dependencies_need_no_hash() -> None:
    env = Dependency(canonicalize_name("alpha"), "1.0", DependencyKind.PINNED, "environment")
    assert audit(InputSet((env,)), None).problems == ()
