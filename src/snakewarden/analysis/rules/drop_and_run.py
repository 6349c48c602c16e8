"""drop-and-run: code writes a file (often to a temp folder) and then executes it."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext
from snakewarden.analysis.facts import CallFact
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, is_process, parsed
from snakewarden.analysis.rules.process_exec import _BUILD_TOOLS, _command_text, _first_word
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="drop-and-run",
    description="writes a file (a temp script or program) and then executes it",
    severity=Severity.HIGH,
    category="threat.dropper.drop_run",
)
_TEMP = frozenset(
    {
        "tempfile.NamedTemporaryFile",
        "tempfile.mkstemp",
        "tempfile.mktemp",
        "tempfile.gettempdir",
        "tempfile.TemporaryFile",
    }
)
_RUNNERS = frozenset({"os.startfile"})
MAX_GROUP_CALLS = 60


def _writes(call: CallFact) -> bool:
    if call.name in _TEMP or call.name.endswith((".write_bytes", ".write_text")):
        return True
    if call.name in ("open", "io.open") and len(call.node.args) >= 2:
        mode = call.node.args[1]
        return isinstance(mode, ast.Constant) and "w" in str(mode.value)
    if call.name in ("open", "io.open"):
        return any(
            kw.arg == "mode" and isinstance(kw.value, ast.Constant) and "w" in str(kw.value.value)
            for kw in call.node.keywords
        )
    return False


def _runs(call: CallFact) -> bool:
    if call.name in _RUNNERS:
        return True
    if not is_process(call):
        return False
    cmd = _command_text(call.node)
    return not (cmd is not None and _first_word(cmd) in _BUILD_TOOLS)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, _facts in parsed(ctx):
            groups = src.groups()
            install = src.role in (Role.SETUP, Role.BACKEND, Role.PTH)
            for calls in groups.values():
                if len(calls) > MAX_GROUP_CALLS:
                    continue
                write = next((c for c in calls if _writes(c)), None)
                if write is None:
                    continue
                run = next((c for c in calls if c.line >= write.line and _runs(c)), None)
                if run is None:
                    continue
                temp = any(c.name in _TEMP for c in calls)
                base = 0.5 if temp else 0.15
                if install:
                    base += 0.1
                out.append(
                    emit.at(
                        src,
                        run.line,
                        run.scope,
                        base,
                        f"writes a file ({write.name}, line {write.line}) then runs it "
                        f"({run.name})",
                    )
                )
        yield from best_per_file(out)


RULE = _Rule()
