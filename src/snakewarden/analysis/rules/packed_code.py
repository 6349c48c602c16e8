"""packed-code: PyArmor-protected or machine-obfuscated code (lambda/__import__ chains)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from snakewarden.analysis.context import (
    MAX_PARSE_PRIORITY,
    Role,
    ScanContext,
    SourceFile,
    line_of,
    parse_code,
)
from snakewarden.analysis.facts import dotted
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, source_for
from snakewarden.analysis.rules._flow import Flow, walk
from snakewarden.analysis.signatures import YaraHit
from snakewarden.artifacts.model import Member
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="packed-code",
    description="code protected by PyArmor or an obfuscator: nobody can review what it does",
    severity=Severity.HIGH,
    category="threat.obfuscation.packed",
)


#: YARA rule -> (base weight, floor, message).
_KINDS = {
    "sw_packed_code": (0.65, 0.8, "packed or machine-obfuscated code"),
    "sw_escaped_code": (0.55, 0.7, "code hidden in escaped string literals and evaluated"),
    "sw_confusable_identifiers": (0.45, 0.7, "identifiers made of look-alike characters"),
}
#: Strings of ``sw_packed_code`` that name PyArmor's runtime functions: packed code calls them
#: (``__pyarmor__(...)``, ``pyarmor_runtime()``, ``__armor_enter__()``); a mention (in a list
#: of module names, a comment, a template string a packer writes out) is not packing.
_NAMES = frozenset({"$p1", "$p2", "$p3", "$p4"})
_CALL_AFTER = re.compile(rb"\s*\(")
_ESCAPE = re.compile(rb"\\x[0-9a-fA-F]{2}|\\[0-7]{3}|\\u[0-9a-fA-F]{4}")
#: A literal with at least this many escapes is "escaped" data.
MIN_ESCAPES = 3
#: An escaped literal this long that parses as statements is a program in hiding.
MIN_CODE_CHARS = 40
#: Calls that turn data into running code (by the last part of their name).
_EVALUATORS = frozenset(
    {
        "exec",
        "eval",
        "compile",
        "execfile",
        "__import__",
        "loads",
        "FunctionType",
        "CodeType",
        "__pyarmor__",
    }
)


def _escaped_literals(tree: ast.Module, data: bytes) -> set[int]:
    """ids of the str/bytes literals written with many escapes (``"\\x65\\x76..."``)."""
    lines = data.splitlines(keepends=True)
    marked = {i + 1 for i, ln in enumerate(lines) if b"\\" in ln and _ESCAPE.search(ln)}
    found: set[int] = set()
    for node in walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)):
            continue
        end = node.end_lineno or node.lineno
        if not marked.intersection(range(node.lineno, end + 1)):
            continue
        seg = b"".join(lines[node.lineno - 1 : end])
        if len(_ESCAPE.findall(seg)) >= MIN_ESCAPES:
            found.add(id(node))
    return found


def _is_code(node: ast.AST) -> bool:
    """An escaped literal whose value is Python source (statements that call something)."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str | bytes):
        return False
    value = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
    if len(value) < MIN_CODE_CHARS or "\n" not in value.strip():
        return False
    tree = parse_code(value.encode("utf-8", "replace"))
    return (
        tree is not None
        and len(tree.body) >= 2
        and any(isinstance(n, ast.Call) for n in walk(tree))
    )


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local names of imported modules and functions (``import marshal as m`` -> m: marshal)."""
    out: dict[str, str] = {}
    for node in walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                out[a.asname or a.name.split(".", 1)[0]] = (
                    a.name if a.asname else a.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


def escapes_evaluated(data: bytes) -> bool | None:
    """Whether escaped literals reach code evaluation (``exec``, ``eval``, ``marshal.loads``, a
    function obtained from them...): None when ``data`` is not Python that parses."""
    tree = parse_code(data)
    if tree is None:
        return None
    escaped = _escaped_literals(tree, data)
    if not escaped:
        return False
    if any(_is_code(n) for n in walk(tree) if id(n) in escaped):
        return True  # the escapes spell a program, whatever runs it (exec, a dropped file)

    def holds(expr: ast.AST, names: set[str]) -> bool:
        return any(
            id(n) in escaped or (isinstance(n, ast.Name) and n.id in names) for n in walk(expr)
        )

    aliases = _aliases(tree)

    def resolve(raw: str) -> str:
        head, dot, rest = raw.partition(".")
        target = aliases.get(head, head)
        return f"{target}.{rest}" if dot else target

    def pattern(value: ast.expr) -> bool:
        """A regular expression built of the literal (``re.compile(r"[\\000-\\040]").sub``)."""
        while isinstance(value, ast.Attribute):
            value = value.value
        return isinstance(value, ast.Call) and resolve(dotted(value.func)).startswith(
            ("re.", "regex.")
        )

    flow = Flow(tree, resolve, lambda node, name: False, lambda *_: False)
    assigned = [
        (t.id, n.value)
        for n in walk(tree)
        if isinstance(n, ast.Assign | ast.AugAssign | ast.AnnAssign)
        and n.value is not None
        and holds(n.value, set())
        for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
        if isinstance(t, ast.Name)
    ]
    seeds = {name for name, _ in assigned}
    produced = {name for name, value in assigned if not pattern(value)}
    names = flow.taint(tree, into_functions=True, seed=seeds, containers=False)
    for node in walk(tree):
        if not isinstance(node, ast.Call):
            continue
        args = [*node.args, *(k.value for k in node.keywords)]
        if not any(holds(a, names) for a in args):
            continue
        func = node.func
        if resolve(dotted(func)) in _EVALUATORS:
            return True
        if isinstance(func, ast.Lambda) and any(
            isinstance(n, ast.Name) and resolve(n.id) in _EVALUATORS for n in walk(func.body)
        ):
            return True
        if (isinstance(func, ast.Name) and func.id in produced) or (
            isinstance(func, ast.Call | ast.Subscript) and holds(func, set())
        ):  # a function that the escaped data produced (``f = eval("\\x65...")``, ``g[...]``)
            return True
    return False


#: Identifiers an obfuscator makes of characters that look alike: runs of underscores,
#: ``I``/``l`` or ``O``/``0`` (both letters of the pair present).
_LOOKALIKE = re.compile(r"_{3,}|(?=[Il]*I)(?=[Il]*l)[Il]{8,}|O(?=[O0]*0)[O0]{7,}")


def _lookalike_names(data: bytes, src: SourceFile | None) -> bool:
    """Some name, attribute or definition of the file is made of look-alike characters
    (``______``, ``IlIlIlIl``, ``O0O0O0O0``); True for a file that is not Python that parses
    (nothing tells its names from its strings)."""
    facts = src.facts if src is not None else None
    if facts is not None:
        idents: Iterator[str] = (
            ident for sc in facts.scopes for ident in (*sc.names, *sc.listed, *sc.attrs, sc.name)
        )
    else:  # a module the scan skipped (a large data module): parse it now
        tree = parse_code(data) if len(data) <= MAX_PARSE_PRIORITY else None
        if tree is None:
            return True
        idents = (ident for n in walk(tree) if (ident := _identifier(n)))
    return any(_LOOKALIKE.fullmatch(ident) for ident in idents)


def _identifier(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name
    if isinstance(node, ast.arg):
        return node.arg
    if isinstance(node, ast.alias):
        return node.asname or ""
    return ""


def _mention(data: bytes, hit: YaraHit, src: SourceFile | None) -> bool:
    """A PyArmor runtime name that is not called where it appears (a mention, its definition),
    or that sits inside a string literal of the module (a template, a list of names)."""
    if hit.rule != "sw_packed_code" or hit.string not in _NAMES:
        return False
    if _CALL_AFTER.match(data, hit.offset + len(hit.matched)) is None:
        return True
    if data[max(0, hit.offset - 4) : hit.offset] == b"def ":
        return True  # the runtime's own definition: packed code is what calls it
    line, name = line_of(data, hit.offset), hit.matched.decode("ascii", "replace")
    facts = src.facts if src is not None else None
    if facts is not None:
        spans = ((s.line, max(s.line, s.end_line), s.value) for s in facts.strings)
    else:  # a module the scan skipped: parse it now (rare: it names PyArmor)
        tree = parse_code(data)
        if tree is None:
            return False
        spans = (
            (n.lineno, n.end_lineno or n.lineno, n.value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        )
    return any(first <= line <= last and name in text for first, last, text in spans)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        per_member: dict[str, tuple[Member, list[YaraHit]]] = {}
        for m, h in ctx.yara_hits(*_KINDS):
            if m.path.endswith((".md", ".rst", ".txt", ".html")):
                continue
            per_member.setdefault(m.path, (m, []))[1].append(h)
        for m, hits in per_member.values():
            src = source_for(ctx, m)
            hits = [h for h in hits if not _mention(m.data, h, src)]
            if any(h.rule == "sw_confusable_identifiers" for h in hits) and not _lookalike_names(
                m.data, src
            ):
                # the look-alike runs are in strings (ASCII art, a table's rules), not names
                hits = [h for h in hits if h.rule != "sw_confusable_identifiers"]
            if (
                any(h.rule == "sw_escaped_code" for h in hits)
                and escapes_evaluated(m.data if src is None else src.parsed_source) is False
            ):
                hits = [h for h in hits if h.rule != "sw_escaped_code"]
            for h in hits:
                base, floor, what = _KINDS[h.rule]
                if src is not None and src.role in (Role.SETUP, Role.BACKEND, Role.PTH):
                    base = max(base, 0.6)  # obfuscated code that pip runs: nothing to hide there
                out.append(emit.in_member(ctx, m, h, base, what, floor=floor))
        yield from best_per_file(out)


RULE = _Rule()
