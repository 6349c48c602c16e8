"""One walk over a Python module that collects the facts every rule queries.

Rules never walk the tree themselves: ``collect_facts`` visits each node once (iteratively, so a
deeply nested expression cannot exhaust the interpreter's stack) and records

- imports (alias -> dotted module or object), used to resolve call names (``sp.Popen`` ->
  ``subprocess.Popen``; ``from os import system as s; s()`` -> ``os.system``),
- calls with their resolved dotted name, line and enclosing scope,
- string and bytes literals, attribute chains (``os.environ``), class bases and decorators,
- scopes (module, classes, functions, the ``if __name__ == "__main__"`` block) and the names each
  scope references, from which ``reachable`` derives what runs when the module itself runs
  (a function called at module level, a class listed in ``cmdclass``...).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

__all__ = ["CallFact", "Facts", "Scope", "StringFact", "collect_facts", "dotted"]

#: Bounds that keep a hostile module from making the walk slow or huge.
MAX_NODES = 400_000
MAX_STRINGS = 20_000
MAX_CALLS = 50_000


@dataclass(slots=True)
class Scope:
    """A block of code that runs as a unit: the module, a class body, a function, a main block."""

    id: int
    kind: str  # "module" | "class" | "function" | "main"
    name: str
    parent: int  # -1 for the module
    line: int
    names: set[str] = field(default_factory=set)  # identifiers loaded in this scope
    attrs: set[str] = field(default_factory=set)  # attribute names loaded in this scope
    called: set[str] = field(default_factory=set)  # bare names called in this scope
    children: list[int] = field(default_factory=list)


@dataclass(slots=True)
class CallFact:
    name: str  # resolved dotted name; "?.attr" when the receiver is not a plain name chain
    raw: str  # the dotted name as written
    line: int
    scope: int
    node: ast.Call


@dataclass(slots=True)
class StringFact:
    value: str  # bytes literals are decoded as latin-1
    line: int
    scope: int
    is_bytes: bool = False
    end_line: int = 0  # last line of the literal
    is_doc: bool = False  # a bare string statement (docstring or comment-like text)


@dataclass(slots=True)
class Facts:
    imports: dict[str, str] = field(default_factory=dict)  # local alias -> dotted target
    modules: set[str] = field(default_factory=set)  # every module imported, dotted
    calls: list[CallFact] = field(default_factory=list)
    strings: list[StringFact] = field(default_factory=list)
    attributes: list[tuple[str, int, int]] = field(default_factory=list)  # (resolved, line, scope)
    scopes: list[Scope] = field(default_factory=list)
    class_bases: list[tuple[str, tuple[str, ...], int, int]] = field(default_factory=list)
    decorators: list[tuple[str, int, int]] = field(default_factory=list)  # (resolved, line, scope)
    truncated: bool = False
    _reachable: set[int] | None = None

    def resolve(self, raw: str) -> str:
        """Resolve the first segment of a dotted name through the import aliases."""
        head, dot, rest = raw.partition(".")
        target = self.imports.get(head)
        if target is None:
            return raw
        return f"{target}.{rest}" if dot else target

    def reachable(self) -> set[int]:
        """Scopes that run when the module runs (the module, what it calls, transitively)."""
        if self._reachable is not None:
            return self._reachable
        by_name: dict[str, list[int]] = {}
        for s in self.scopes:
            if s.kind in ("function", "class"):
                by_name.setdefault(s.name, []).append(s.id)
        seen: set[int] = set()
        todo = [0] if self.scopes else []
        while todo:
            sid = todo.pop()
            if sid in seen:
                continue
            seen.add(sid)
            scope = self.scopes[sid]
            # a class body runs when its parent runs
            todo.extend(c for c in scope.children if self.scopes[c].kind == "class")
            for name in scope.names | scope.attrs:
                for target in by_name.get(name, ()):
                    if target not in seen:
                        todo.append(target)
                        # a class's methods run when it is instantiated (called), not when named
                        if self.scopes[target].kind == "class" and name in scope.called:
                            todo.extend(
                                c
                                for c in self.scopes[target].children
                                if self.scopes[c].kind == "function"
                            )
        self._reachable = seen
        return seen

    def doc_lines(self) -> set[int]:
        """Lines covered by bare string statements (docstrings): text, not code."""
        lines: set[int] = set()
        for s in self.strings:
            if s.is_doc:
                lines.update(range(s.line, max(s.line, s.end_line) + 1))
        return lines

    def top_function(self, scope: int) -> int:
        """The outermost function (or main block) that contains ``scope``; 0 at module level."""
        best = 0
        while scope > 0:
            kind = self.scopes[scope].kind
            if kind in ("function", "main"):
                best = scope
            scope = self.scopes[scope].parent
        return best


def dotted(node: ast.AST) -> str:
    """``a.b.c`` for a Name/Attribute chain, ``?.c`` when the chain does not start at a name."""
    parts: list[str] = []
    cur = node
    while isinstance(cur, ast.Attribute):
        parts.append(cur.attr)
        cur = cur.value
    if isinstance(cur, ast.Name):
        parts.append(cur.id)
    elif isinstance(cur, ast.Constant) and isinstance(cur.value, str | bytes):
        parts.append("str")
    else:
        parts.append("?")
    return ".".join(reversed(parts))


def _is_main_guard(node: ast.If) -> bool:
    test = node.test
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_is_main_test(v) for v in test.values)
    return _is_main_test(test)


def _is_main_test(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    sides = (test.left, test.comparators[0])
    has_name = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    has_main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return has_name and has_main


def collect_facts(tree: ast.Module) -> Facts:
    """Walk ``tree`` once and return its facts (bounded by ``MAX_NODES``)."""
    facts = Facts()
    facts.scopes.append(Scope(0, "module", "", -1, 1))
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    visited = 0
    raw_calls: list[tuple[str, int, int, ast.Call]] = []
    raw_attrs: list[tuple[str, int, int]] = []
    raw_bases: list[tuple[str, tuple[str, ...], int, int]] = []
    raw_decos: list[tuple[str, int, int]] = []
    skip = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop, ast.Pass)
    while stack:
        node, sid = stack.pop()
        if isinstance(node, skip):
            continue
        visited += 1
        if visited > MAX_NODES:
            facts.truncated = True
            break
        scope = facts.scopes[sid]
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            new = Scope(len(facts.scopes), kind, node.name, sid, line)
            facts.scopes.append(new)
            scope.children.append(new.id)
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                raw_decos.append((dotted(target), line, new.id))
                stack.append((deco, sid))
            if isinstance(node, ast.ClassDef):
                bases = tuple(dotted(b) for b in node.bases)
                raw_bases.append((node.name, bases, line, sid))
                stack.extend((b, sid) for b in node.bases)
                stack.extend((kw.value, sid) for kw in node.keywords)
            else:
                defaults = (*node.args.defaults, *node.args.kw_defaults)
                stack.extend((d, sid) for d in defaults if d is not None)
            stack.extend((child, new.id) for child in reversed(node.body))
            continue
        if isinstance(node, ast.If) and scope.kind == "module" and _is_main_guard(node):
            new = Scope(len(facts.scopes), "main", "__main__", sid, line)
            facts.scopes.append(new)
            scope.children.append(new.id)
            stack.extend((child, new.id) for child in reversed(node.body))
            stack.extend((child, sid) for child in reversed(node.orelse))
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                facts.modules.add(alias.name)
                if alias.asname:
                    facts.imports[alias.asname] = alias.name
                else:
                    head = alias.name.split(".", 1)[0]
                    facts.imports.setdefault(head, head)
            continue
        if isinstance(node, ast.ImportFrom):
            base = ("." * node.level) + (node.module or "")
            if node.module:
                facts.modules.add(node.module)
            for alias in node.names:
                if alias.name == "*":
                    continue
                facts.imports[alias.asname or alias.name] = f"{base}.{alias.name}".lstrip(".")
                facts.modules.add(f"{base}.{alias.name}".lstrip("."))
            continue
        if isinstance(node, ast.Call):
            raw = dotted(node.func)
            if len(raw_calls) < MAX_CALLS:
                raw_calls.append((raw, line, sid, node))
            # Walk the callee's receiver (not the attribute chain itself, recorded as the call).
            func = node.func
            while isinstance(func, ast.Attribute):
                func = func.value
            if isinstance(func, ast.Name):
                scope.names.add(func.id)
                if func is node.func:
                    scope.called.add(func.id)
            else:
                stack.append((func, sid))
            if isinstance(node.func, ast.Attribute):
                scope.attrs.add(node.func.attr)
            stack.extend((kw.value, sid) for kw in reversed(node.keywords))
            stack.extend((arg, sid) for arg in reversed(node.args))
            continue
        if isinstance(node, ast.Attribute):
            raw_attrs.append((dotted(node), line, sid))
            scope.attrs.add(node.attr)
            cur: ast.AST = node
            while isinstance(cur, ast.Attribute):
                cur = cur.value
            if isinstance(cur, ast.Name):
                scope.names.add(cur.id)
            else:
                stack.append((cur, sid))
            continue
        if isinstance(node, ast.Name):
            scope.names.add(node.id)
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            value = node.value.value
            if isinstance(value, str) and len(facts.strings) < MAX_STRINGS:
                end = getattr(node, "end_lineno", None) or line
                facts.strings.append(StringFact(value, line, sid, False, end, True))
            continue
        if isinstance(node, ast.Constant):
            value = node.value
            end = getattr(node, "end_lineno", None) or line
            if isinstance(value, str) and len(facts.strings) < MAX_STRINGS:
                facts.strings.append(StringFact(value, line, sid, False, end))
            elif isinstance(value, bytes) and len(facts.strings) < MAX_STRINGS:
                facts.strings.append(StringFact(value.decode("latin-1"), line, sid, True, end))
            continue
        if isinstance(node, ast.JoinedStr):
            # f-strings: keep the literal parts joined, so URLs and paths stay visible.
            parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
            text = "".join(p for p in parts if isinstance(p, str))
            if text and len(facts.strings) < MAX_STRINGS:
                facts.strings.append(StringFact(text, line, sid))
            stack.extend((v.value, sid) for v in node.values if isinstance(v, ast.FormattedValue))
            continue
        stack.extend((child, sid) for child in ast.iter_child_nodes(node))
    for raw, line, sid, node in raw_calls:
        facts.calls.append(CallFact(facts.resolve(raw), raw, line, sid, node))
    facts.calls.sort(key=lambda c: c.line)
    facts.attributes = [(facts.resolve(raw), line, sid) for raw, line, sid in raw_attrs]
    facts.class_bases = [
        (name, tuple(facts.resolve(b) for b in bases), line, sid)
        for name, bases, line, sid in raw_bases
    ]
    facts.decorators = [(facts.resolve(raw), line, sid) for raw, line, sid in raw_decos]
    facts.strings.sort(key=lambda s: s.line)
    return facts
