"""``--fix``: rewrite pinned versions in requirements files to the smallest fixing version.

Only requirements files are rewritten, only the ``==VERSION`` of the line the dependency was read
from, and each file atomically (a crash leaves the old file or the new one). Lines with
``--hash`` are left alone: the hashes belong to the old release, so they must be re-locked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from snakewarden.adapters.files import write_atomic
from snakewarden.audit.model import AuditReport, Dependency
from snakewarden.errors import AuditError


@dataclass(frozen=True, slots=True)
class FixOutcome:
    dependency: Dependency
    old: str
    new: str
    applied: bool
    reason: str = ""


def _logical_span(lines: list[str], first: int) -> range:
    """Physical line indexes (0-based) of the logical line starting at ``first`` (1-based)."""
    end = first - 1
    while end < len(lines) - 1 and lines[end].rstrip("\r\n").endswith("\\"):
        end += 1
    return range(first - 1, end + 1)


def rewrite_text(text: str, fixes: Sequence[tuple[int, str, str]]) -> tuple[str, dict[int, str]]:
    """Apply ``(line, old, new)`` pin changes; returns the text and {line: why-not} failures."""
    lines = text.splitlines(keepends=True)
    failures: dict[int, str] = {}
    for line, old, new in fixes:
        if line < 1 or line > len(lines):
            failures[line] = "the line is no longer in the file"
            continue
        span = _logical_span(lines, line)
        joined = "".join(lines[i] for i in span)
        if "--hash" in joined:
            failures[line] = "the requirement has --hash values for the old release; re-lock it"
            continue
        pattern = re.compile(r"(===?\s*)" + re.escape(old) + r"(?![A-Za-z0-9.+!_-])")
        for i in span:
            replaced, n = pattern.subn(r"\g<1>" + new, lines[i], count=1)
            if n:
                lines[i] = replaced
                break
        else:
            failures[line] = f"'=={old}' is not written on this line (pinned elsewhere?)"
    return "".join(lines), failures


def apply_fixes(report: AuditReport) -> list[FixOutcome]:
    """Rewrite every requirements file that pins a vulnerable version with a known fix."""
    by_file: dict[str, list[tuple[Dependency, str, str]]] = {}
    outcomes: list[FixOutcome] = []
    for result in report.results:
        dep = result.dependency
        if result.fix_version is None or dep.version is None:
            continue
        if not dep.path or dep.line <= 0:
            outcomes.append(
                FixOutcome(dep, dep.version, result.fix_version, False,
                           "not from a requirements file: update the lock file with your locker")
            )  # fmt: skip
            continue
        by_file.setdefault(dep.path, []).append((dep, dep.version, result.fix_version))
    for path_text, items in by_file.items():
        path = Path(path_text)
        try:
            data = path.read_bytes()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AuditError(f"--fix cannot read {path}: {exc}") from exc
        new_text, failures = rewrite_text(text, [(d.line, old, new) for d, old, new in items])
        if new_text != text:
            try:
                write_atomic(path, new_text.encode("utf-8"))
            except OSError as exc:
                raise AuditError(f"--fix cannot write {path}: {exc}") from exc
        for dep, old, new in items:
            why = failures.get(dep.line, "")
            outcomes.append(FixOutcome(dep, old, new, not why, why))
    return outcomes
