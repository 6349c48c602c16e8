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
import operator
from dataclasses import dataclass, field
from itertools import islice, product
from typing import Any

__all__ = ["Assignment", "CallFact", "Facts", "Scope", "StringFact", "collect_facts", "dotted"]

#: Bounds that keep a hostile module from making the walk slow or huge.
MAX_NODES = 400_000
MAX_STRINGS = 20_000
MAX_CALLS = 50_000
MAX_ASSIGNS = 20_000
#: The methods that calling a class runs.
CONSTRUCTORS = frozenset({"__init__", "__new__", "__post_init__"})
#: Calls that run the function they are handed, now or soon (a thread, a timer, at exit).
STARTERS = frozenset(
    {"threading.Thread", "threading.Timer", "multiprocessing.Process", "atexit.register",
     "asyncio.run", "_thread.start_new_thread", "thread.start_new_thread"}
)  # fmt: skip


@dataclass(slots=True)
class Scope:
    """A block of code that runs as a unit: the module, a class body, a function, a main block."""

    id: int
    kind: str  # "module" | "class" | "function" | "main" | "command" (see ``_command_guard``)
    name: str
    parent: int  # -1 for the module
    line: int
    names: set[str] = field(default_factory=set)  # identifiers loaded in this scope
    attrs: set[str] = field(default_factory=set)  # attribute names loaded in this scope
    called: set[str] = field(default_factory=set)  # bare names called in this scope
    children: list[int] = field(default_factory=list)
    #: bare names written as elements of a list/tuple/set/dict display assigned to a
    #: variable here (``HANDLERS = [a, b]``): a registry, not a use, followed only when the
    #: scope calls through data (``through``); their other uses put them in ``names``
    listed: set[str] = field(default_factory=set)
    #: the scope calls a value taken out of data: ``table[k]()``, or a loop variable
    through: bool = False
    loop_vars: set[str] = field(default_factory=set)


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
class Assignment:
    """``name = value`` (a plain name target) in a scope."""

    name: str
    line: int
    scope: int
    value: ast.expr


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
    assignments: list[Assignment] = field(default_factory=list)  # in walk order, not by line
    #: (first, last) lines of the blocks a test known before the code runs rules out
    dead: list[tuple[int, int]] = field(default_factory=list)
    #: (first, last) lines of data tables: list or tuple displays of many records of one shape
    #: (see ``_table``)
    tables: list[tuple[int, int]] = field(default_factory=list)
    truncated: bool = False
    _reachable: set[int] | None = None
    _assignments_by_name: dict[str, list[Assignment]] | None = None

    def resolve(self, raw: str) -> str:
        """Resolve the first segment of a dotted name through the import aliases."""
        head, dot, rest = raw.partition(".")
        target = self.imports.get(head)
        if target is None:
            return raw
        return f"{target}.{rest}" if dot else target

    def reachable(self) -> set[int]:
        """Scopes that run when the module runs (the module, what it calls, transitively)."""
        if self._reachable is None:
            self._reachable = self.reachable_from([0] if self.scopes else [])
        return self._reachable

    def reachable_from(self, roots: list[int], *, strict: bool = False) -> set[int]:
        """Scopes that run when the scopes ``roots`` run (what they call, transitively).

        By default every function or class the code names counts (``self.x()`` reaches every
        method ``x``; a called class, its constructors). ``strict`` follows only plain names of
        top-level functions and calls of nested ones, and a called class runs only its constructors:
        for entry points found elsewhere, where the loose closure would reach most of a module.
        """
        by_name: dict[str, list[int]] = {}
        for s in self.scopes:
            if s.kind in ("function", "class"):
                by_name.setdefault(s.name, []).append(s.id)
        seen: set[int] = set()
        todo = list(roots)
        started = self._started() if strict else {}
        while todo:
            sid = todo.pop()
            if sid in seen:
                continue
            seen.add(sid)
            scope = self.scopes[sid]
            # a class body runs when its parent runs
            todo.extend(c for c in scope.children if self.scopes[c].kind == "class")
            if strict:
                todo.extend(self._strict_targets(scope, started.get(sid, set())))
                continue
            names = scope.names | scope.attrs
            if scope.through or scope.loop_vars & scope.called:
                names = names | scope.listed
            for name in names:
                for target in by_name.get(name, ()):
                    if target not in seen:
                        todo.append(target)
                    # a class's constructor runs when it is called, not when named (whether or
                    # not the class was reached before: the result must not depend on order);
                    # other methods run when named (``self.x()``)
                    if self.scopes[target].kind == "class" and name in scope.called:
                        todo.extend(
                            c
                            for c in self.scopes[target].children
                            if self.scopes[c].kind == "function"
                            and self.scopes[c].name in CONSTRUCTORS
                        )
        return seen

    def _started(self) -> dict[int, set[str]]:
        """Per scope, the plain names handed to a ``STARTERS`` call (``Thread(target=f)``)."""
        out: dict[int, set[str]] = {}
        for c in self.calls:
            if c.name in STARTERS:
                args = [*c.node.args, *(kw.value for kw in c.node.keywords)]
                out.setdefault(c.scope, set()).update(a.id for a in args if isinstance(a, ast.Name))
        return out

    def _strict_targets(self, scope: Scope, started: set[str]) -> list[int]:
        """What ``scope`` runs by plain name (see ``reachable_from``)."""
        visible = {0, scope.id, scope.parent}
        out: list[int] = []
        for cid in {c for v in visible if v >= 0 for c in self.scopes[v].children}:
            target = self.scopes[cid]
            if target.name not in scope.names:
                continue
            if target.kind == "function" and (
                target.name in scope.called or target.name in started
            ):
                # named only (a callback registered, a decorator's wrapper returned): not run
                out.append(cid)
            elif target.kind == "class" and target.name in scope.called:
                out.append(cid)
                out.extend(
                    c
                    for c in target.children
                    if self.scopes[c].kind == "function" and self.scopes[c].name in CONSTRUCTORS
                )
        return out

    def _named(self, name: str) -> list[Assignment]:
        """The assignments to ``name`` (the index is built on the first question)."""
        if self._assignments_by_name is None:
            self._assignments_by_name = {}
            for a in self.assignments:
                self._assignments_by_name.setdefault(a.name, []).append(a)
        return self._assignments_by_name.get(name, [])

    def assigned(self, name: str, scope: int, line: int) -> ast.expr | None:
        """The value last assigned to ``name`` before ``line`` in ``scope``, else in the
        functions around it (a closure's variable), else at module level (a constant the
        function uses)."""
        found = self._named(name)
        if not found:
            return None
        scopes = [scope]
        if 0 < scope < len(self.scopes) and self.scopes[scope].kind == "function":
            sid = self.scopes[scope].parent
            while sid > 0:
                if self.scopes[sid].kind == "function":
                    scopes.append(sid)
                sid = self.scopes[sid].parent
        for sid in scopes:
            best: Assignment | None = None
            for a in found:
                if a.scope == sid and a.line <= line and (best is None or a.line > best.line):
                    best = a
            if best is not None:
                return best.value
        module: Assignment | None = None
        for a in found:
            if a.scope == 0 and (module is None or a.line > module.line):
                module = a
        return module.value if module is not None else None

    def class_attribute(self, owner: str, attr: str, scope: int) -> ast.expr | None:
        """The value of ``Owner.attr`` (or ``self.attr`` / ``cls.attr`` inside a method of the
        class that holds ``scope``) when the class body of this file assigns it."""
        if owner in ("self", "cls"):
            while scope > 0 and self.scopes[scope].kind != "class":
                scope = self.scopes[scope].parent
            classes = [scope] if scope > 0 else []
        else:
            classes = [s.id for s in self.scopes if s.kind == "class" and s.name == owner]
        if len(classes) != 1:
            return None
        found = [a for a in self._named(attr) if a.scope == classes[0]]
        return max(found, key=lambda a: a.line).value if found else None

    def in_table(self, line: int) -> bool:
        """True when ``line`` lies in a data table (see ``tables``)."""
        return _covers(self.tables, line)

    def is_dead(self, line: int) -> bool:
        """True when ``line`` lies in a block that never runs (see ``dead``)."""
        return _covers(self.dead, line)

    def note_table(self, display: ast.List | ast.Tuple | ast.Set) -> None:
        """Record ``display`` in ``tables`` when it is a data table (see ``_table``)."""
        if (
            len(display.elts) >= MIN_TABLE_ROWS
            and len(self.tables) < MAX_RANGES
            and _table(display.elts)
        ):
            self.tables.append((display.lineno, display.end_lineno or display.lineno))

    def doc_lines(self) -> set[int]:
        """Lines covered by bare string statements (docstrings): text, not code."""
        lines: set[int] = set()
        for s in self.strings:
            if s.is_doc:
                lines.update(range(s.line, max(s.line, s.end_line) + 1))
        return lines

    def top_function(self, scope: int) -> int:
        """The outermost function (or main or command block) that contains ``scope``; 0 at
        module level."""
        best = 0
        while scope > 0:
            kind = self.scopes[scope].kind
            if kind in ("function", "main", "command"):
                best = scope
            scope = self.scopes[scope].parent
        return best


def _covers(ranges: list[tuple[int, int]], line: int) -> bool:
    return any(first <= line <= last for first, last in ranges)


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
    elif parts and (module := imported_module(cur)):
        parts.append(module)  # __import__("os").system -> os.system
    else:
        parts.append("?")
    return ".".join(reversed(parts))


def imported_module(node: ast.AST) -> str | None:
    """``m`` for ``__import__("m")`` or ``importlib.import_module("m")`` (a literal name)."""
    if not isinstance(node, ast.Call) or len(node.args) != 1:
        return None
    func, arg = node.func, node.args[0]
    named = (isinstance(func, ast.Name) and func.id == "__import__") or (
        isinstance(func, ast.Attribute) and func.attr == "import_module"
    )
    if named and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value if arg.value.replace(".", "").replace("_", "").isalnum() else None
    return None


#: Methods of a string a test may call and still be known before the code runs.
_PURE_STR_METHODS = frozenset(
    {"startswith", "endswith", "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper",
     "lower", "upper", "casefold", "strip"}
)  # fmt: skip
#: Literals longer than this are not compared (a test of literals is short).
MAX_STATIC_TEXT = 1000


#: The Pythons a package meets today (3.8 on; 3.99 stands for any later one). A test of
#: ``sys.version_info`` that reads the same on all of them is known before the code runs: code
#: that only Python 2 (or 3.5) would run never runs.
PYTHONS = tuple((3, minor, 0, "final", 0) for minor in (*range(8, 20), 99))
#: The platforms pip installs on for the people attackers aim at, as ``(sys.platform, os.name,
#: platform.system())``. A test of the platform that reads the same on all three is known too:
#: code only z/OS, AIX or Jython would run never runs on them.
PLATFORMS = (("linux", "posix", "Linux"), ("win32", "nt", "Windows"), ("darwin", "posix", "Darwin"))
#: One machine a test is evaluated on: a Python version and a platform.
WORLDS = tuple((v, p) for v in PYTHONS for p in PLATFORMS)
#: Module-level statements searched for names the Python version decides (see ``world_names``).
MAX_VERSION_STATEMENTS = 2000
_CMP_OPS: dict[type, Any] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
}  # fmt: skip
_VERSION_PARTS = {"major": 0, "minor": 1, "micro": 2}


@dataclass(frozen=True, slots=True)
class StdModule:
    """The value of a name bound by ``import sys`` (``os``, ``platform``) in a test's env."""

    name: str


#: The modules whose values a test of the machine reads, as ``import`` binds them.
WORLD_MODULES = frozenset({"sys", "os", "platform"})
#: The env assumed when none is given: the modules under their own names.
STD_ENV: dict[str, object] = {m: StdModule(m) for m in WORLD_MODULES}


class _Unknown(Exception):
    """The value is not known before the code runs."""


@dataclass(slots=True)
class _Eval:
    """One evaluation of a test made of literals, the Python version and platform of ``world``
    (read through the modules of ``env``) and the other names of ``env``."""

    env: dict[str, object]
    world: tuple[tuple[object, ...], tuple[str, str, str]] = WORLDS[0]
    #: what of the machine was read: the Python version, the platform
    read_version: bool = False
    read_platform: bool = False
    #: the names of ``env`` the evaluation read, when given
    seen: set[str] | None = None

    def value(self, node: ast.expr, depth: int = 0) -> object:
        if depth > 8:
            raise _Unknown
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or value is None or _small_literal(node):
                return value
        elif isinstance(node, ast.Tuple) and len(node.elts) <= 6:
            return tuple(self.value(e, depth + 1) for e in node.elts)
        elif isinstance(node, ast.Name):
            if node.id in self.env and not isinstance(self.env[node.id], StdModule):
                if self.seen is not None:
                    self.seen.add(node.id)
                return self.env[node.id]
        elif isinstance(node, ast.Attribute):
            return self._attribute(node, depth)
        elif isinstance(node, ast.Subscript):
            return self._item(node, depth)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1:
            return self._compare(node, depth)
        elif isinstance(node, ast.Call):
            return self._call(node, depth)
        raise _Unknown

    def _attribute(self, node: ast.Attribute, depth: int) -> object:
        owner = node.value
        if isinstance(owner, ast.Name):
            module = self.env.get(owner.id)
            if isinstance(module, StdModule) and self.seen is not None:
                self.seen.add(owner.id)
            if module == StdModule("sys") and node.attr == "version_info":
                self.read_version = True
                return self.world[0]
            if module == StdModule("sys") and node.attr == "platform":
                self.read_platform = True
                return self.world[1][0]
            if module == StdModule("os") and node.attr == "name":
                self.read_platform = True
                return self.world[1][1]
            if owner.id == "six" and node.attr in ("PY2", "PY3"):
                return node.attr == "PY3"
        if node.attr in _VERSION_PARTS:
            base = self.value(owner, depth + 1)
            if isinstance(base, tuple) and self.read_version:
                return base[_VERSION_PARTS[node.attr]]
        raise _Unknown

    def _item(self, node: ast.Subscript, depth: int) -> object:
        base = self.value(node.value, depth + 1)
        if not isinstance(base, tuple | str):
            raise _Unknown
        index = node.slice
        if isinstance(index, ast.Slice):
            if index.step is not None:
                raise _Unknown
            lo = self.value(index.lower, depth + 1) if index.lower is not None else None
            hi = self.value(index.upper, depth + 1) if index.upper is not None else None
            if not (lo is None or isinstance(lo, int)) or not (hi is None or isinstance(hi, int)):
                raise _Unknown
            return base[lo:hi]
        i = self.value(index, depth + 1)
        if type(i) is not int or not -len(base) <= i < len(base):
            raise _Unknown
        return base[i]

    def _compare(self, node: ast.Compare, depth: int) -> object:
        a = self.value(node.left, depth + 1)
        b = self.value(node.comparators[0], depth + 1)
        op = type(node.ops[0])
        if op in _CMP_OPS:
            return _CMP_OPS[op](a, b)
        if op in (ast.In, ast.NotIn) and isinstance(b, str | bytes | tuple):
            found = a in b
            return found if op is ast.In else not found
        raise _Unknown

    def _call(self, node: ast.Call, depth: int) -> object:
        """``platform.system()``, or a pure method of a known string with known string
        arguments (``"1.0".startswith("%")``, ``sys.platform.startswith("linux")``)."""
        func = node.func
        if not isinstance(func, ast.Attribute) or node.keywords:
            raise _Unknown
        owner = func.value
        if (
            isinstance(owner, ast.Name)
            and self.env.get(owner.id) == StdModule("platform")
            and func.attr == "system"
            and not node.args
        ):
            if self.seen is not None:
                self.seen.add(owner.id)
            self.read_platform = True
            return self.world[1][2]
        if func.attr not in _PURE_STR_METHODS or len(node.args) > 2:
            raise _Unknown
        text = self.value(owner, depth + 1)
        args = [self.value(a, depth + 1) for a in node.args]
        if not isinstance(text, str) or not all(isinstance(a, str) for a in args):
            raise _Unknown
        result: object = getattr(text, func.attr)(*args)
        return result


def known_value(
    node: ast.expr, env: dict[str, object] | None = None, seen: set[str] | None = None
) -> tuple[bool, object, bool]:
    """(known, value, worldly): the value of ``node`` when it is made of literals, the names
    of ``env`` (default ``STD_ENV``) and the Python version or platform read through them (the
    same on every machine of ``WORLDS``); worldly: the version or platform was read. The names
    of ``env`` read are added to ``seen``."""
    first = _Eval(STD_ENV if env is None else env, seen=seen)
    try:
        value = first.value(node)
        # the machines that differ in what the test read (a test reads the same parts of the
        # machine on every one: no short circuit is evaluated here)
        versions = PYTHONS if first.read_version else PYTHONS[:1]
        platforms = PLATFORMS if first.read_platform else PLATFORMS[:1]
        for world in product(versions, platforms):
            if world != first.world and _Eval(first.env, world).value(node) != value:
                return False, None, True
    except (_Unknown, TypeError, ValueError, IndexError):
        return False, None, False
    return True, value, first.read_version or first.read_platform


def static_truth(
    test: ast.expr,
    depth: int = 0,
    env: dict[str, object] | None = None,
    seen: set[str] | None = None,
) -> bool | None:
    """What ``test`` evaluates to when it is made of literals only (``if False:``, ``if 0:``,
    ``if "1.0".startswith("%%"):``, a comparison of two literals), a test of the Python version
    or platform (``sys.version_info[0] == 2``, ``six.PY2``, ``sys.platform == "zos"``) or of
    names they decide (``env``, see ``world_names``; default ``STD_ENV``), else None: a block
    under a test known to be false never runs. The names of ``env`` read are added to
    ``seen``."""
    if depth > 8:
        return None
    if isinstance(test, ast.Constant):
        if isinstance(test.value, str | bytes) and len(test.value) > MAX_STATIC_TEXT:
            return None
        return bool(test.value)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = static_truth(test.operand, depth + 1, env, seen)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        parts = [static_truth(v, depth + 1, env, seen) for v in test.values]
        if isinstance(test.op, ast.And):
            return False if False in parts else (True if all(p is True for p in parts) else None)
        return True if True in parts else (False if all(p is False for p in parts) else None)
    known, value, _worldly = known_value(test, env, seen)
    return bool(value) if known else None


def world_names(body: list[ast.stmt]) -> dict[str, object]:
    """Module-level names whose value is known on every machine of ``WORLDS``: the modules
    ``import sys`` (``os``, ``platform``) binds, and names the Python version or platform
    decides the same way everywhere: ``PY2 = sys.version_info[0] == 2``, or ``SRC = "."`` in
    the branch of ``if sys.version_info[0] == 3:`` whose ``else`` sets ``SRC = "py2"``. A name
    bound anywhere else at module level (``sys = Fake()``), or by a ``global`` statement, is
    left out."""
    env: dict[str, object] = {}
    spoiled: set[str] = set()
    budget = [MAX_VERSION_STATEMENTS]

    def assigned(stmt: ast.stmt) -> list[str]:
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = list(stmt.targets)
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
            targets = [stmt.target]
        names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(stmt.name)
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            names.extend((a.asname or a.name).split(".")[0] for a in stmt.names)
        return names

    def bind(name: str, value: object) -> bool:
        if name in spoiled or env.get(name, value) != value:
            return False
        env[name] = value
        return True

    def visit(stmts: list[ast.stmt], decided: bool) -> None:
        for stmt in stmts:
            budget[0] -= 1
            if budget[0] < 0:
                return
            if isinstance(stmt, ast.If):
                known, truth, worldly = known_value(stmt.test, env)
                if known:
                    visit(stmt.body if truth else stmt.orelse, decided or worldly)
                else:
                    visit(stmt.body, False)
                    visit(stmt.orelse, False)
                continue
            if isinstance(stmt, ast.Try | ast.With | ast.For | ast.While):
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(stmt, field, []), False)
                for handler in getattr(stmt, "handlers", []):
                    visit(handler.body, False)
                continue
            if isinstance(stmt, ast.Import):
                # ``import sys``, ``import os.path``, ``import platform as pf``
                rest = []
                for alias in stmt.names:
                    module = alias.name if alias.asname else alias.name.split(".")[0]
                    local = alias.asname or module
                    if module not in WORLD_MODULES or not bind(local, StdModule(module)):
                        rest.append(local)
                for name in rest:
                    spoiled.add(name)
                    env.pop(name, None)
                continue
            names = assigned(stmt)
            if (
                isinstance(stmt, ast.Assign)
                and len(names) == 1
                and isinstance(stmt.targets[0], ast.Name)
            ):
                known, value, worldly = known_value(stmt.value, env)
                if known and (worldly or decided) and bind(names[0], value):
                    continue
            for name in names:
                spoiled.add(name)
                env.pop(name, None)

    visit(body, False)
    if any(not isinstance(v, StdModule) for v in env.values()):
        for node in ast.walk(ast.Module(body=body, type_ignores=[])):
            if isinstance(node, ast.Global):
                for name in node.names:
                    env.pop(name, None)
    return env


#: A display of at least this many records of one shape is a data table.
MIN_TABLE_ROWS = 8
#: At most this many dead blocks and data tables are recorded per module (each YARA hit is
#: looked up in them).
MAX_RANGES = 5000


def _table(rows: list[ast.expr]) -> bool:
    """Rows of one record shape: calls of one constructor (``Case("…", "…")``), dicts with the
    same keys, or tuples of the same length (at least two fields each). Plain strings are no
    records: a list of paths is what code reads or writes."""
    first = rows[0]
    if isinstance(first, ast.Call):
        name = dotted(first.func)
        return all(isinstance(r, ast.Call) and dotted(r.func) == name for r in rows)
    if isinstance(first, ast.Dict) and len(first.keys) >= 2:
        keys = _literal_keys(first)
        return keys is not None and all(
            isinstance(r, ast.Dict) and _literal_keys(r) == keys for r in rows
        )
    if isinstance(first, ast.Tuple) and len(first.elts) >= 2:
        return all(isinstance(r, ast.Tuple) and len(r.elts) == len(first.elts) for r in rows)
    return False


def _literal_keys(node: ast.Dict) -> list[object] | None:
    """The keys of a dict display when all are literals, else None."""
    keys: list[object] = []
    for k in node.keys:
        if not isinstance(k, ast.Constant):
            return None
        keys.append(k.value)
    return keys


def _small_literal(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str | bytes | int | float)
        and not isinstance(node.value, bool)
        and (not isinstance(node.value, str | bytes) or len(node.value) <= MAX_STATIC_TEXT)
    )


def _is_main_guard(node: ast.If) -> bool:
    test = node.test
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_is_main_test(v) for v in test.values)
    return _is_main_test(test)


#: Module-level statements looked at for names assigned ``sys.argv[i]``.
MAX_ARGV_STATEMENTS = 2000
#: Prefixes of the setup.py commands pip runs when it installs (``egg_info``, ``bdist_wheel``,
#: ``install``, ``develop``, ``dist_info``, ``build_ext``, ``clean``...). ``sdist`` is not one:
#: only a publisher makes the source archive a user installs from.
_PIP_COMMANDS = (
    "install",
    "build",
    "bdist",
    "egg",
    "dist",
    "develop",
    "clean",
    "editable",
)


def _argv_item(node: ast.expr, argv_names: set[str]) -> bool:
    """``sys.argv[i]`` (or a module-level name assigned one)."""
    if isinstance(node, ast.Name):
        return node.id in argv_names
    return isinstance(node, ast.Subscript) and _is_argv(node.value)


def _is_argv(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "argv"
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    )


def _developer_commands(node: ast.expr) -> list[str] | None:
    """The command names a guard compares with (a string, or a tuple/list/set of them), when
    none is one pip runs; else None."""
    elts = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    words = [e.value for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    if not words or len(words) != len(elts):
        return None
    if any(w.startswith("-") or w.lower().startswith(_PIP_COMMANDS) for w in words):
        return None
    return words


def _command_guard(test: ast.expr, argv_names: set[str]) -> bool:
    """True for the test of a block that runs only when a developer types a command pip never
    runs: ``if sys.argv[-1] == "publish"``, ``if "upload" in sys.argv``, ``cmd = sys.argv[1];
    if cmd in ("release", "tag")`` (joined by ``and`` to anything, or by ``or`` to others)."""
    if isinstance(test, ast.BoolOp):
        parts = [_command_guard(v, argv_names) for v in test.values]
        return any(parts) if isinstance(test.op, ast.And) else all(parts)
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    op, left, right = test.ops[0], test.left, test.comparators[0]
    if isinstance(op, ast.Eq):
        if _argv_item(right, argv_names):
            left, right = right, left
        return _argv_item(left, argv_names) and _developer_commands(right) is not None
    if isinstance(op, ast.In):
        if _is_argv(right):  # "upload" in sys.argv
            return _developer_commands(left) is not None
        return _argv_item(left, argv_names) and _developer_commands(right) is not None
    return False


def _is_main_test(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    sides = (test.left, test.comparators[0])
    has_name = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    has_main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return has_name and has_main


#: Node types the walk steps over without counting them (contexts, operators, ``pass``).
_SKIPPED = frozenset(
    t
    for base in (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
    for t in base.__subclasses__()
) | {ast.Pass}
#: Fields that only ever hold a skipped node (never walked into).
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops"})
#: Per node type, the fields that may hold child nodes (filled on first sight of the type).
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}

_FunctionDef, _AsyncFunctionDef, _ClassDef = ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef
_Name, _Constant, _Attribute, _Call, _Expr = (
    ast.Name,
    ast.Constant,
    ast.Attribute,
    ast.Call,
    ast.Expr,
)
_If, _Import, _ImportFrom, _JoinedStr = ast.If, ast.Import, ast.ImportFrom, ast.JoinedStr
_Assign = ast.Assign
_For, _Comprehension, _Subscript, _Dict = ast.For, ast.comprehension, ast.Subscript, ast.Dict
_DISPLAYS = (ast.List, ast.Tuple, ast.Set)
_List, _Tuple = ast.List, ast.Tuple
_Load, _Arg = ast.Load, ast.arg
#: Other nodes that bind a name (``arg`` in ``arg``, the others in ``name``).
_BINDERS = frozenset({ast.arg, ast.ExceptHandler, ast.MatchAs, ast.MatchStar})
_FormattedValue, _AST = ast.FormattedValue, ast.AST


def _dotted(node: Any) -> str:
    """``dotted`` for the parser's own nodes (exact types), on the walk's hot path."""
    t = type(node)
    if t is _Name:
        name: str = node.id
        return name
    if t is _Attribute and type(node.value) is _Name:
        return f"{node.value.id}.{node.attr}"
    return dotted(node)


def _child_fields(t: type) -> tuple[str, ...]:
    fields = tuple(f for f in getattr(t, "_fields", ()) if f not in _SKIPPED_FIELDS)
    _CHILD_FIELDS[t] = fields
    return fields


def collect_facts(tree: ast.Module, *, world: bool = True) -> Facts:
    """Walk ``tree`` once and return its facts (bounded by ``MAX_NODES``).

    Tests of the machine (``world``, see ``world_names``) are read through ``sys``, ``os`` and
    ``platform`` as the module imports them. The walk notes whether one of those names is
    bound to anything else anywhere (``sys = Fake()``, ``def f(platform):``, ``import fake as
    os``); when it is, and a test read it, the module is walked again without them.

    The walk is a loop over an explicit stack that dispatches on the exact node type (the
    parser builds no subclasses); the order in which nodes are visited, and so the order of
    the facts, is that of a depth-first walk taking children in field order.
    """
    facts = Facts()
    scopes = facts.scopes
    strings = facts.strings
    scopes.append(Scope(0, "module", "", -1, 1))
    stack: list[tuple[Any, int]] = [(tree, 0)]
    push = stack.append
    pop = stack.pop
    visited = 0
    raw_calls: list[tuple[str, int, int, ast.Call]] = []
    raw_attrs: list[tuple[str, int, int]] = []
    raw_bases: list[tuple[str, tuple[str, ...], int, int]] = []
    raw_decos: list[tuple[str, int, int]] = []
    assigns = facts.assignments
    # module-level names assigned ``sys.argv[i]`` (statements are walked last first: found
    # before the walk)
    argv_names: set[str] = set()
    for stmt in tree.body[:MAX_ARGV_STATEMENTS]:
        if type(stmt) is _Assign and _argv_item(stmt.value, argv_names):
            argv_names.update(t.id for t in stmt.targets if type(t) is _Name)
    # names the Python version decides, and per function or class the part of them it does
    # not bind itself (a parameter or local of the same name is another variable)
    env = world_names(tree.body) if world else {}
    defs: dict[int, ast.AST] = {}
    envs: dict[int, dict[str, object]] = {0: env}
    # the modules of ``env``; whether a test read one; whether one is bound to something else
    watch = frozenset(n for n, v in env.items() if isinstance(v, StdModule))
    read_world = False
    rebound = False

    def env_of(sid: int) -> dict[str, object]:
        # iterative, not recursive: a closure that calls itself is a reference cycle, which
        # would keep ``defs`` (and the syntax trees it holds) alive until the cyclic collector
        chain: list[int] = []
        cur = sid
        while cur not in envs:
            chain.append(cur)
            cur = scopes[cur].parent
        known = envs[cur]
        for scope_id in reversed(chain):
            known = dict(known)
            node = defs.get(scope_id)
            for bound in islice(ast.walk(node), MAX_NODES) if node is not None else ():
                if isinstance(bound, ast.Name) and not isinstance(bound.ctx, ast.Load):
                    known.pop(bound.id, None)
                elif isinstance(bound, ast.arg):
                    known.pop(bound.arg, None)
            envs[scope_id] = known
        return known

    def truth_of(test: ast.expr, sid: int) -> tuple[bool | None, bool]:
        """(truth, whether a module of ``env`` was read)."""
        seen: set[str] = set()
        truth = static_truth(test, env=env, seen=seen)
        if truth is not None and seen - watch:
            # a name the version decides: a local of the same name is another variable
            truth = static_truth(test, env=env_of(sid))
        return truth, bool(seen & watch)

    skipped = _SKIPPED
    child_fields = _CHILD_FIELDS
    while stack:
        node, sid = pop()
        t = type(node)
        if t in skipped:
            continue
        visited += 1
        if visited > MAX_NODES:
            facts.truncated = True
            break
        if t is _Name:
            scopes[sid].names.add(node.id)
            if node.id in watch and type(node.ctx) is not _Load:
                rebound = True
            continue
        if t is _Constant:
            value = node.value
            if isinstance(value, str):
                if len(strings) < MAX_STRINGS:
                    end = node.end_lineno or node.lineno
                    strings.append(StringFact(value, node.lineno, sid, False, end))
            elif isinstance(value, bytes) and len(strings) < MAX_STRINGS:
                end = node.end_lineno or node.lineno
                strings.append(StringFact(value.decode("latin-1"), node.lineno, sid, True, end))
            continue
        if t is _Attribute:
            scope = scopes[sid]
            raw_attrs.append((_dotted(node), node.lineno, sid))
            scope.attrs.add(node.attr)
            cur = node
            while type(cur) is _Attribute:
                cur = cur.value
            if type(cur) is _Name:
                scope.names.add(cur.id)
            else:
                push((cur, sid))
            continue
        if t is _Call:
            scope = scopes[sid]
            func = node.func
            if len(raw_calls) < MAX_CALLS:
                raw_calls.append((_dotted(func), node.lineno, sid, node))
            # Walk the callee's receiver (not the attribute chain itself, recorded as the call).
            if type(func) is _Attribute:
                scope.attrs.add(func.attr)
                cur = func
                while type(cur) is _Attribute:
                    cur = cur.value
                if type(cur) is _Name:
                    scope.names.add(cur.id)
                else:
                    push((cur, sid))
            elif type(func) is _Name:
                scope.names.add(func.id)
                scope.called.add(func.id)
            else:
                if type(func) is _Subscript:
                    scope.through = True
                push((func, sid))
            for kw in reversed(node.keywords):
                push((kw.value, sid))
            for arg in reversed(node.args):
                push((arg, sid))
            continue
        if t is _Expr and type(node.value) is _Constant:
            value = node.value.value
            if isinstance(value, str) and len(strings) < MAX_STRINGS:
                line = node.lineno
                end = node.end_lineno or line
                strings.append(StringFact(value, line, sid, False, end, True))
            continue
        if t is _FunctionDef or t is _AsyncFunctionDef or t is _ClassDef:
            if node.name in watch:
                rebound = True
            scope = scopes[sid]
            line = node.lineno
            new = Scope(
                len(scopes),
                "class" if t is _ClassDef else "function",
                node.name,
                sid,
                line,
            )
            scopes.append(new)
            scope.children.append(new.id)
            defs[new.id] = node
            for deco in node.decorator_list:
                target = deco.func if type(deco) is _Call else deco
                raw_decos.append((_dotted(target), line, new.id))
                push((deco, sid))
            if t is _ClassDef:
                bases = node.bases
                raw_bases.append((node.name, tuple(_dotted(b) for b in bases), line, sid))
                for b in bases:
                    push((b, sid))
                for kw in node.keywords:
                    push((kw.value, sid))
            else:
                args = node.args
                if watch and any(
                    a.arg in watch
                    for a in (
                        *args.posonlyargs,
                        *args.args,
                        *args.kwonlyargs,
                        args.vararg,
                        args.kwarg,
                    )
                    if a is not None
                ):
                    rebound = True
                for d in (*args.defaults, *args.kw_defaults):
                    if d is not None:
                        push((d, sid))
            nid = new.id
            for child in reversed(node.body):
                push((child, nid))
            continue
        if t is _If:
            truth, read = truth_of(node.test, sid)
            read_world = read_world or read
        if t is _If and truth is not None:
            # a test made of literals: the block it rules out never runs (``if False:``, a
            # version placeholder filled in at release, ``if "1.0".startswith("%%"):``)
            for child in reversed(node.body if truth else node.orelse):
                push((child, sid))
            ruled_out = node.orelse if truth else node.body
            if ruled_out and len(facts.dead) < MAX_RANGES:
                last = ruled_out[-1]
                facts.dead.append((ruled_out[0].lineno, last.end_lineno or last.lineno))
            continue
        if t is _If and scopes[sid].kind == "module":
            # ``if __name__ == "__main__":`` and blocks only a developer's command runs (``if
            # sys.argv[1] == "publish":``) get a scope of their own: no module-level code
            if _is_main_guard(node):
                kind, name = "main", "__main__"
            elif _command_guard(node.test, argv_names):
                kind, name = "command", "sys.argv"
                push((node.test, sid))
            else:
                kind = ""
            if kind:
                scope = scopes[sid]
                new = Scope(len(scopes), kind, name, sid, node.lineno)
                scopes.append(new)
                scope.children.append(new.id)
                nid = new.id
                for child in reversed(node.body):
                    push((child, nid))
                for child in reversed(node.orelse):
                    push((child, sid))
                continue
        if t is _Import:
            for alias in node.names:
                local = alias.asname or alias.name.split(".", 1)[0]
                if local in watch and env[local] != StdModule(
                    alias.name if alias.asname else local
                ):
                    rebound = True
                facts.modules.add(alias.name)
                if alias.asname:
                    facts.imports[alias.asname] = alias.name
                else:
                    head = alias.name.split(".", 1)[0]
                    facts.imports.setdefault(head, head)
            continue
        if t is _ImportFrom:
            module = node.module
            base = ("." * node.level) + (module or "")
            if module:
                facts.modules.add(module)
            for alias in node.names:
                if alias.name == "*":
                    continue
                if (alias.asname or alias.name) in watch:
                    rebound = True
                full = f"{base}.{alias.name}".lstrip(".")
                facts.imports[alias.asname or alias.name] = full
                facts.modules.add(full)
            continue
        if t is _JoinedStr:
            # f-strings: keep the literal parts joined, so URLs and paths stay visible.
            values = node.values
            text = "".join(
                v.value for v in values if type(v) is _Constant and isinstance(v.value, str)
            )
            if text and len(strings) < MAX_STRINGS:
                end = node.end_lineno or node.lineno
                strings.append(StringFact(text, node.lineno, sid, False, end))
            for v in values:
                if type(v) is _FormattedValue:
                    push((v.value, sid))
            continue
        if t is _Assign and len(assigns) < MAX_ASSIGNS:
            for target in node.targets:
                if type(target) is _Name:
                    assigns.append(Assignment(target.id, node.lineno, sid, node.value))
        if t is _Assign:
            value = node.value
            vt = type(value)
            elts = value.elts if vt in _DISPLAYS else value.values if vt is _Dict else None
            if vt in _DISPLAYS:
                facts.note_table(value)
            if elts is not None:
                # a registry of functions (``HANDLERS = [a, b]``) names them without running
                # them: its bare names are listed, not used (see ``Facts.reachable_from``)
                # (pushed in the order of the generic walk below, which other facts rely on)
                scope = scopes[sid]
                for target in node.targets:
                    push((target, sid))
                if vt is _Dict:
                    for k in value.keys:
                        if k is not None:
                            push((k, sid))
                for e in elts:
                    if type(e) is _Name:
                        scope.listed.add(e.id)
                    else:
                        push((e, sid))
                continue
        if t is _List or t is _Tuple:
            facts.note_table(node)
        if t is _For or t is _Comprehension:
            target = node.target
            if type(target) is _Name:
                scopes[sid].loop_vars.add(target.id)
        if t in _BINDERS and (node.arg if t is _Arg else node.name) in watch:
            rebound = True
        fields = child_fields.get(t)
        if fields is None:
            fields = _child_fields(t)
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, _AST):
                        push((item, sid))
            elif isinstance(value, _AST):
                push((value, sid))
    if read_world and (rebound or facts.truncated):
        # a test read ``sys`` (``os``, ``platform``) where the name may be something else
        return collect_facts(tree, world=False)
    for raw, line, sid, node in raw_calls:
        facts.calls.append(CallFact(facts.resolve(raw), raw, line, sid, node))
    facts.calls.sort(key=lambda c: c.line)
    facts.attributes = [(facts.resolve(raw), line, sid) for raw, line, sid in raw_attrs]
    facts.class_bases = [
        (name, tuple(facts.resolve(b) for b in bases), line, sid)
        for name, bases, line, sid in raw_bases
    ]
    facts.decorators = [(facts.resolve(raw), line, sid) for raw, line, sid in raw_decos]
    strings.sort(key=lambda s: s.line)
    return facts
