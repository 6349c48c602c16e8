"""obfuscated-exec: exec/eval/compile of data that is decoded first (base64, zlib, marshal,
hex, rot13, reversed strings, chr joins, decryption)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from snakewarden.analysis.context import Role, ScanContext, SourceFile
from snakewarden.analysis.facts import CallFact, Facts
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import (
    DECODE_CALLS,
    DECODE_METHODS,
    Emitter,
    best_per_file,
    group_calls,
    is_exec,
    parsed,
    reads_local_file,
)
from snakewarden.analysis.rules._flow import Flow, taint_flow
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="obfuscated-exec",
    description="executes code that is decoded, decompressed, decrypted or unmarshalled first",
    severity=Severity.CRITICAL,
    category="threat.obfuscation.exec",
)


#: Outside install-time code, "decode here, exec there" counts only within a small function.
MAX_GROUP_CALLS = 15


def _decoders(node: ast.AST, facts: Facts, limit: int = 5000) -> list[str]:
    """What decoding happens inside ``node``: decode calls, reversed slices, chr joins."""
    from snakewarden.analysis.facts import dotted

    found: list[str] = []
    stack = [node]
    seen = 0
    while stack and seen < limit:
        cur = stack.pop()
        seen += 1
        if isinstance(cur, ast.Call):
            name = facts.resolve(dotted(cur.func))
            last = name.rsplit(".", 1)[-1]
            if name in DECODE_CALLS or last in DECODE_METHODS:
                found.append(name)
            elif (
                last == "decode"
                and cur.args
                and isinstance(cur.args[0], ast.Constant)
                and (
                    str(cur.args[0].value).lower().replace("-", "_")
                    in ("rot13", "rot_13", "hex", "base64", "zlib", "bz2")
                )
            ):
                found.append(f"decode({cur.args[0].value!r})")
            elif name in ("chr", "bytes", "bytearray") or (
                name in ("str.join", "?.join") and not _separates(cur)
            ):
                found.append(name)
        elif isinstance(cur, ast.Name) and cur.id == "chr":  # map(chr, [...])
            found.append("chr")
        elif isinstance(cur, ast.Subscript) and isinstance(cur.slice, ast.Slice):
            step = cur.slice.step
            if isinstance(step, ast.UnaryOp) and isinstance(step.op, ast.USub):
                found.append("[::-1]")
        stack.extend(ast.iter_child_nodes(cur))
    return found


def _separates(join: ast.Call) -> bool:
    """``", ".join(params)``, ``"\n".join(lines)``: a join with a separator written out puts
    generated parts side by side (parameters, lines of a generated function), it reassembles
    no hidden fragments as ``"".join(...)`` does."""
    func = join.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Constant)
        and isinstance(func.value.value, str | bytes)
        and len(func.value.value) > 0
    )


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            decoded = _Decoded()
            groups = group_calls(src)
            flagged: set[int] = set()
            for gid, calls in groups.items():
                group_decodes = [c.name for c in calls if _decodes(c.name)]
                for call in calls:
                    if not is_exec(call) or not call.node.args:
                        continue
                    arg = call.node.args[0]
                    if isinstance(arg, ast.Constant) or reads_local_file(call, facts, calls):
                        continue
                    decoders = _decoders(arg, facts)
                    strong = [
                        d
                        for d in decoders
                        if d not in ("chr", "bytes", "bytearray", "str.join", "?.join")
                    ]
                    joins = decoders.count("?.join") + decoders.count("str.join")
                    if strong or decoders.count("chr") + joins >= 2:
                        out.append(
                            emit.at(
                                src,
                                call.line,
                                call.scope,
                                0.85,
                                f"{call.name}() of decoded data "
                                f"({', '.join(sorted(set(decoders))[:3])})",
                                floor=0.65,
                            )
                        )
                        flagged.add(call.line)
                    elif joins and _maps_characters(arg):
                        out.append(
                            emit.at(
                                src,
                                call.line,
                                call.scope,
                                0.8,
                                f"{call.name}() of a string decoded character by character",
                                floor=0.6,
                            )
                        )
                        flagged.add(call.line)
                    elif (
                        isinstance(arg, ast.Name)
                        and group_decodes
                        and call.line not in flagged
                        and (
                            src.role in (Role.SETUP, Role.PTH)
                            or len(calls) <= MAX_GROUP_CALLS
                            or decoded.holds(src, facts.scopes[gid].line if gid else 0, call)
                        )
                    ):
                        base = 0.7 if src.role in (Role.SETUP, Role.PTH) else 0.55
                        out.append(
                            emit.at(
                                src,
                                call.line,
                                call.scope,
                                base,
                                f"{call.name}() of a variable decoded in the same code "
                                f"({group_decodes[0]})",
                                floor=0.5,
                            )
                        )
                    elif _compiles_computed(arg) and call.line not in flagged:
                        out.append(
                            emit.at(
                                src,
                                call.line,
                                call.scope,
                                0.45,
                                f"{call.name}(compile(<computed>, '<string>', ...)): runs code "
                                "assembled at run time",
                                floor=0.4,
                            )
                        )
        yield from best_per_file(out)


def _decodes(name: str) -> bool:
    """A decoding call, by resolved name (``base64.b64decode``, ``x.decrypt``...)."""
    return name in DECODE_CALLS or name.rsplit(".", 1)[-1] in DECODE_METHODS


def _decode_source(node: ast.Call, name: str) -> bool:
    return _decodes(name)


@dataclass(slots=True)
class _Decoded:
    """Data flow from decode calls, for units too large for "decode and exec meet": the
    file's ``Flow`` is built on the first question."""

    flow: Flow | None = None
    built: bool = False

    def holds(self, src: SourceFile, line: int, call: CallFact) -> bool:
        """True when ``call``'s first argument holds decoded data within its unit (the
        function that starts at ``line``; 0: the module's own statements)."""
        if not self.built:
            self.built = True
            self.flow = taint_flow(src, _decode_source)
        if self.flow is None:
            return False
        _unit, names = self.flow.unit(line, whole_file=False)
        return self.flow.tainted(call.node.args[0], names)


def _maps_characters(arg: ast.expr, limit: int = 5000) -> bool:
    """``"".join(table[c] for c in "<literal>")``: a join over the characters of a literal,
    each one transformed (looked up, shifted): a substitution cipher, a decoding step. Joining
    generated lines (``"\\n".join(lines)``) is not."""
    seen = 0
    for node in ast.walk(arg):
        seen += 1
        if seen > limit:
            return False
        if not isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp):
            continue
        over_literal = any(
            isinstance(g.iter, ast.Constant) and isinstance(g.iter.value, str | bytes)
            for g in node.generators
        )
        if over_literal and not isinstance(node.elt, ast.Name):
            return True
    return False


def _compiles_computed(arg: ast.expr) -> bool:
    """``compile(x, "<string>", "exec")`` of a variable: the shape obfuscators emit."""
    return (
        isinstance(arg, ast.Call)
        and isinstance(arg.func, ast.Name)
        and arg.func.id == "compile"
        and len(arg.args) >= 2
        and isinstance(arg.args[0], ast.Name)
        and isinstance(arg.args[1], ast.Constant)
        and arg.args[1].value == "<string>"
    )


RULE = _Rule()
