"""builtins-indirection: exec/eval/__import__ reached indirectly (getattr on builtins,
globals()['exec'], __import__ of a computed name) to hide from readers and scanners."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext, SourceFile
from snakewarden.analysis.facts import CallFact
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, parsed
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="builtins-indirection",
    description="reaches builtins such as exec indirectly (getattr(builtins, ...), globals()[...])",
    severity=Severity.MEDIUM,
    category="threat.obfuscation.indirection",
)
_DANGEROUS = ("exec", "eval", "compile", "__import__", "system", "popen", "open")


def _is_builtins(node: ast.AST, resolve: object) -> bool:
    if isinstance(node, ast.Name):
        return node.id in ("__builtins__", "builtins") or (
            callable(resolve) and resolve(node.id) == "builtins"
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "__import__" and node.args:
            a = node.args[0]
            return isinstance(a, ast.Constant) and a.value in ("builtins", "__builtin__")
        return node.func.id in ("globals", "vars", "locals")
    return False


_ESCAPED = re.compile(r"\\(x[0-9a-fA-F]{2}|[0-7]{3}|u[0-9a-fA-F]{4})")
#: ``name = getattr(builtins, ...)``: the function kept to be called later.
_ASSIGNED = re.compile(r"(^|[;:])\s*[\w.]+\s*(:[^=;]*)?=\s*getattr\s*\(")


def _escaped(line: str) -> bool:
    """The source line spells a name with escapes (``"\\x65\\x78\\x65\\x63"``)."""
    return bool(_ESCAPED.search(line))


def _hides(src: SourceFile, call: CallFact, attr: ast.expr, called: set[int]) -> bool:
    """``getattr(builtins, name)`` hides what it reaches: the name is decoded or assembled on
    the spot, spelled with escapes, or held in a variable while the function is called on the
    spot or kept in a variable. A plain literal
    (``getattr(builtins, "exec")``, the Python 2/3 compatibility idiom) hides nothing, and a
    computed name whose result only fills a table (copying builtins into a sandbox) calls
    nothing."""
    line = src.line(call.line)
    if isinstance(attr, ast.Constant):
        return str(attr.value) in _DANGEROUS and _escaped(line)
    if isinstance(attr, ast.Call | ast.BinOp | ast.JoinedStr):
        return True  # a name decoded, joined or assembled on the spot
    return id(call.node) in called or bool(_ASSIGNED.search(line))


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            called_funcs = {id(c.node.func) for c in facts.calls}
            for call in facts.calls:
                node = call.node
                if call.name == "getattr" and len(node.args) >= 2:
                    target, attr = node.args[0], node.args[1]
                    if _is_builtins(target, facts.resolve) and _hides(
                        src, call, attr, called_funcs
                    ):
                        out.append(
                            emit.at(
                                src,
                                call.line,
                                call.scope,
                                0.45,
                                "getattr on builtins to reach a hidden function",
                                floor=0.3,
                            )
                        )
                elif (
                    call.name == "__import__"
                    and node.args
                    and not isinstance(node.args[0], ast.Constant)
                ):
                    out.append(
                        emit.at(
                            src, call.line, call.scope, 0.1, "__import__ of a computed module name"
                        )
                    )
                elif isinstance(node.func, ast.Subscript):
                    base = node.func.value
                    key = node.func.slice
                    if (
                        _is_builtins(base, facts.resolve)
                        or (
                            isinstance(base, ast.Attribute)
                            and base.attr == "__dict__"
                            and _is_builtins(base.value, facts.resolve)
                        )
                    ) and (not isinstance(key, ast.Constant) or key.value in _DANGEROUS):
                        out.append(
                            emit.at(
                                src,
                                call.line,
                                call.scope,
                                0.45,
                                "calls a builtin looked up by name (globals()/__builtins__[...])",
                                floor=0.3,
                            )
                        )
        yield from best_per_file(out)


RULE = _Rule()
