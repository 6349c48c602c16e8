from __future__ import annotations

from pathlib import Path

from audit_factory import dep, store

from snakewarden.audit.auditor import audit
from snakewarden.audit.fix import apply_fixes, rewrite_text
from snakewarden.audit.model import InputSet
from snakewarden.audit.requirements import read_requirements


def test_rewrite_text_keeps_everything_else() -> None:
    text = "# pins\nWebThing==1.1  # keep me\r\nother===1.1\nhashed==1.0 \\\n  --hash=sha256:x\n"
    new, failures = rewrite_text(text, [(2, "1.1", "1.5"), (3, "1.1", "2.0"), (4, "1.0", "2.0")])
    assert (
        new
        == "# pins\nWebThing==1.5  # keep me\r\nother===2.0\nhashed==1.0 \\\n  --hash=sha256:x\n"
    )
    assert "--hash" in failures[4]


def test_rewrite_does_not_touch_longer_versions() -> None:
    new, failures = rewrite_text("a==1.10\n", [(1, "1.1", "1.5")])
    assert new == "a==1.10\n"
    assert 1 in failures


def test_apply_fixes_end_to_end(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("webthing==1.1\nevilthing==0.0.1\ncleanlib==2.0\n")
    inputs = read_requirements(req)
    report = audit(inputs, store())
    outcomes = apply_fixes(report)
    assert [(o.dependency.name, o.new, o.applied) for o in outcomes] == [("webthing", "1.5", True)]
    assert req.read_text() == "webthing==1.5\nevilthing==0.0.1\ncleanlib==2.0\n"
    again = audit(read_requirements(req), store())
    assert [r.findings for r in again.results if r.dependency.name == "webthing"] == [()]


def test_lock_file_dependencies_are_not_rewritten() -> None:
    report = audit(InputSet((dep("webthing", "1.1"),)), store())
    (outcome,) = apply_fixes(report)
    assert not outcome.applied
    assert "lock file" in outcome.reason
