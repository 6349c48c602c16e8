"""dynamic-exec: exec/eval/compile of a computed string (not a local file read)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import (
    Emitter,
    best_per_file,
    is_exec,
    parsed,
    reads_local_file,
)
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="dynamic-exec",
    description="executes a computed string with exec/eval/compile",
    severity=Severity.LOW,
    category="threat.obfuscation.dynamic_exec",
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            for call in facts.calls:
                if not is_exec(call) or not call.node.args:
                    continue
                arg = call.node.args[0]
                if isinstance(arg, ast.Constant):
                    continue
                group = src.groups().get(facts.top_function(call.scope), [])
                if reads_local_file(call, facts, group):
                    continue  # exec(open("version.py").read()): the common benign idiom
                out.append(
                    emit.at(src, call.line, call.scope, 0.15, f"{call.name}() of a computed value")
                )
        yield from best_per_file(out)


RULE = _Rule()
