"""Light data flow for the rules that need "X is sent out", not just "X and a send meet".

Within one unit of behaviour (a top-level function, the module's own statements, or a whole
install-time file) a value is *tainted* when it comes from a source call (an identity call, an
environment dump...), directly or through assignments, containers filled with it
(``d["k"] = v``, ``lst.append(v)``), or a function of the file that returns it. A sink is
reached when a tainted value appears in the sink call's arguments or receiver, or is passed to a
function of the file whose parameter reaches a sink. It is an over-approximation (no ordering,
names merged per unit), bounded in size, and it needs the syntax tree, which the facts do not
keep: the file is parsed again, only for the few files where a rule has a candidate.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from snakewarden.analysis.context import SourceFile
from snakewarden.analysis.facts import CallFact, dotted
from snakewarden.analysis.rules._common import is_send

__all__ = [
    "LOCAL_SUFFIXES",
    "RESOLVE_CALLS",
    "Flow",
    "IsSink",
    "IsSource",
    "constant_text",
    "flow_for",
    "local_name",
    "may_send",
    "param_names",
    "sends_out",
    "taint_flow",
    "transmits",
]

#: Bounds on the work done per unit and per file (a hostile file must not make the check slow).
MAX_NODES = 50_000
MAX_PASSES = 6
MAX_FUNCTIONS = 400
#: Functions larger than this (in syntax nodes) are not followed as pass-throughs.
MAX_PASS_NODES = 300
#: Methods that put their argument into the receiver (a container or a buffer).
_FILLERS = frozenset(
    {"append", "extend", "update", "insert", "add", "add_field", "write", "writelines", "put"}
)

#: Name lookups: they send the name to a resolver, which is exfiltration only when the name is
#: built from the data under someone's domain (see ``sends_out``).
RESOLVE_CALLS = frozenset(
    {
        "socket.gethostbyname", "socket.gethostbyname_ex", "socket.getaddrinfo",
        "socket.gethostbyaddr", "dns.resolver.resolve", "dns.resolver.query",
    }
)  # fmt: skip
#: Name suffixes that stay on the machine or the local network (the host itself, mDNS).
LOCAL_SUFFIXES = (".local", "localhost", ".localdomain", ".lan", ".internal", ".home.arpa")
#: Constructors of connections: building one sends nothing (a send method follows, or not).
_CONSTRUCTORS = frozenset({"socket.socket"})
#: Method names that send their arguments besides ``SEND_METHODS`` (``conn.request("POST", ...)``).
_SEND_EXTRA = frozenset({"request", "putrequest", "sendmail", "send_message"})

#: Receivers whose ``send`` writes to the local machine (the systemd journal).
_LOCAL_SENDERS = ("systemd.journal.", "journal.")

#: Values that build a container around what they hold.
_CONTAINERS = (
    ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp,
    ast.GeneratorExp,
)  # fmt: skip

#: (call, resolved name) -> True when the call's result is sensitive.
IsSource = Callable[[ast.Call, str], bool]
#: (flow, call, resolved name, tainted names, unit) -> True when the call sends tainted data out.
IsSink = Callable[["Flow", ast.Call, str, set[str], ast.AST], bool]


_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def walk(node: ast.AST, *, into_functions: bool = True) -> Iterable[ast.AST]:
    """Nodes under ``node`` (bounded), optionally not entering nested function bodies. A whole
    module's nodes are listed once and kept on the tree: the rules walk it many times over."""
    if into_functions and isinstance(node, ast.Module):
        cached: list[ast.AST] | None = getattr(node, "_sw_nodes", None)
        if cached is None:
            cached = list(_walk(node, ()))
            node._sw_nodes = cached  # type: ignore[attr-defined]
        return cached
    return _walk(node, () if into_functions else _FUNCTION_NODES)


def _walk(node: ast.AST, skip: tuple[type[ast.AST], ...]) -> Iterator[ast.AST]:
    stack: list[ast.AST] = [node]
    push = stack.append
    AST = ast.AST
    seen = 0
    while stack and seen < MAX_NODES:
        cur = stack.pop()
        seen += 1
        yield cur
        # ``ast.iter_child_nodes`` inlined: this loop is the flow rules' hottest
        for name in cur._fields:
            child = getattr(cur, name, None)
            if isinstance(child, list):
                for item in child:
                    if isinstance(item, AST) and not isinstance(item, skip):
                        push(item)
            elif isinstance(child, AST) and not isinstance(child, skip):
                push(child)


def _target_names(target: ast.AST) -> Iterable[str]:
    """The names an assignment target binds or fills (``x``, ``a, b``, ``d[k]``, ``o.attr``)."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for elt in target.elts:
            yield from _target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)
    elif isinstance(target, ast.Subscript | ast.Attribute):
        name = dotted(target.value)
        if not name.startswith("?"):
            yield name


def param_names(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The names a function's parameters bind (``self`` and ``cls`` left out)."""
    a = fn.args
    names = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    names |= {x.arg for x in (a.vararg, a.kwarg) if x is not None}
    return names - {"self", "cls"}


@dataclass
class Flow:
    """Taint over one parsed file; ``resolve`` maps a written call name to its import."""

    tree: ast.Module
    resolve: Callable[[str], str]
    is_source: IsSource
    is_sink: IsSink
    #: a cheap test, by resolved name, of the calls that could be sinks (see ``_summarise``)
    maybe_sink: Callable[[str], bool] = lambda name: True
    #: functions of the file that return tainted data / pass a tainted argument through to
    #: their result / hand a parameter to a sink
    _sources: set[str] = field(default_factory=set)
    _passes: set[str] = field(default_factory=set)
    _sinks: set[str] = field(default_factory=set)
    _summarised: bool = False
    _units: dict[tuple[int, bool], tuple[ast.AST, set[str]]] = field(default_factory=dict)
    _starts: dict[int, ast.AST] | None = None
    _called_defs: list[ast.FunctionDef | ast.AsyncFunctionDef] | None = None

    def name_of(self, node: ast.Call) -> str:
        return self.resolve(dotted(node.func))

    def tainted(self, expr: ast.AST, names: set[str]) -> bool:
        """True when ``expr`` holds a source call, a tainted name, or a call of a function of
        the file that returns tainted data (or passes a tainted argument through)."""
        for cur in walk(expr):
            if isinstance(cur, ast.Name) and cur.id in names:
                return True
            if isinstance(cur, ast.Attribute) and dotted(cur) in names:
                return True
            if isinstance(cur, ast.Call):
                name = self.name_of(cur)
                short = name.rsplit(".", 1)[-1]
                if self.is_source(cur, name) or short in self._sources:
                    return True
                if short in self._passes and self.args_tainted(cur, names, receiver=False):
                    return True
        return False

    def taint(
        self,
        unit: ast.AST,
        *,
        into_functions: bool,
        seed: Iterable[str] = (),
        containers: bool = True,
    ) -> set[str]:
        """The names in ``unit`` that hold tainted data (starting from ``seed``); without
        ``containers``, only names that hold the tainted value itself (not a list, dict...
        built with it or filled with it)."""
        names: set[str] = set(seed)
        moves: list[tuple[list[ast.AST], list[ast.AST]]] = []
        for node in walk(unit, into_functions=into_functions):
            if (
                not containers
                and isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign)
                and isinstance(node.value, _CONTAINERS)
            ):
                continue
            if isinstance(node, ast.Assign):
                moves.append(([node.value], list(node.targets)))
            elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
                if node.value is not None:
                    moves.append(([node.value], [node.target]))
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                moves.append(([node.iter], [node.target]))
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                moves.append(([node.context_expr], [node.optional_vars]))
            elif (
                containers
                and isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _FILLERS
            ):
                moves.append(([*node.args, *(k.value for k in node.keywords)], [node.func.value]))
        # in source order, so that a chain of assignments is followed in one pass
        moves.sort(key=lambda m: (getattr(m[1][0], "lineno", 0), getattr(m[1][0], "col_offset", 0)))
        for _ in range(MAX_PASSES):
            before = len(names)
            for values, targets in moves:
                if any(self.tainted(v, names) for v in values):
                    for t in targets:
                        names.update(_target_names(t))
            if len(names) == before:
                break
        return names

    def called_defs(self) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        """The functions of the file that code of the file calls (by their short name), in
        walk order: the only ones whose behaviour a call in the file can borrow."""
        if self._called_defs is None:
            every = list(walk(self.tree))
            called = {self.name_of(n).rsplit(".", 1)[-1] for n in every if isinstance(n, ast.Call)}
            self._called_defs = [
                n
                for n in every
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name in called
            ]
        return self._called_defs

    def _summarise(self) -> None:
        """Which functions of the file are sources, pass-throughs and sinks (a few rounds, so
        that helpers calling helpers are followed). Only functions that could be one are
        followed: a source holds a source call or calls a source; a pass-through is small and
        returns something; a sink holds a call ``maybe_sink`` accepts or calls a sink."""
        if self._summarised:
            return
        self._summarised = True
        # a summary is only ever asked for by the short name of a call in this file
        defs = self.called_defs()[:MAX_FUNCTIONS]
        info: dict[int, tuple[set[str], bool, bool, bool, int]] = {}
        for d in defs:
            called: set[str] = set()
            source = sendlike = returns = False
            size = 0
            for n in walk(d):
                size += 1
                if isinstance(n, ast.Call):
                    name = self.name_of(n)
                    called.add(name.rsplit(".", 1)[-1])
                    source = source or self.is_source(n, name)
                    sendlike = sendlike or self.maybe_sink(name)
                elif isinstance(n, ast.Return | ast.Yield) and n.value is not None:
                    returns = True
            info[id(d)] = (called, source, sendlike, returns, size)
        # A function's summary depends only on which of the functions it calls are sources,
        # pass-throughs or sinks: after the first round it is looked at again only when one of
        # those has been added since (``added``: the names in the order they were added).
        added: list[str] = []
        looked_at: dict[int, int] = {}
        for _ in range(3):
            changed = False
            for d in defs:
                called, source, sendlike, returns, size = info[id(d)]
                last = looked_at.get(id(d))
                if last is not None and called.isdisjoint(added[last:]):
                    continue
                looked_at[id(d)] = len(added)
                params = param_names(d)
                if (
                    returns
                    and d.name not in self._sources
                    and (source or called & (self._sources | self._passes))
                    and self._returns(d, self.taint(d, into_functions=False))
                ):
                    self._sources.add(d.name)
                    added.append(d.name)
                    changed = True
                if not params:
                    continue
                pass_candidate = returns and size <= MAX_PASS_NODES and d.name not in self._passes
                sink_candidate = d.name not in self._sinks and (sendlike or called & self._sinks)
                if not (pass_candidate or sink_candidate):
                    continue
                seeded = self.taint(d, into_functions=True, seed=params)
                if pass_candidate and self._returns(d, seeded):
                    self._passes.add(d.name)
                    added.append(d.name)
                    changed = True
                if sink_candidate and any(
                    isinstance(n, ast.Call) and self.sends(n, seeded, d) for n in walk(d)
                ):
                    self._sinks.add(d.name)
                    added.append(d.name)
                    changed = True
            if not changed:
                break

    def _returns(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, names: set[str]) -> bool:
        return any(
            isinstance(n, ast.Return | ast.Yield)
            and n.value is not None
            and self.tainted(n.value, names)
            for n in walk(fn, into_functions=False)
        )

    def sends(self, call: ast.Call, names: set[str], unit: ast.AST) -> bool:
        """True when ``call`` sends tainted data: a sink of the rule, or a function of the file
        that hands its parameter to one."""
        name = self.name_of(call)
        if self.is_sink(self, call, name, names, unit):
            return True
        return name.rsplit(".", 1)[-1] in self._sinks and self.args_tainted(
            call, names, receiver=False
        )

    def unit_node(self, line: int) -> ast.AST:
        """The function (or ``if`` block) that starts at ``line``; the module when none does."""
        if self._starts is None:
            self._starts = {}
            for n in walk(self.tree):
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.If):
                    self._starts.setdefault(n.lineno, n)
        return self._starts.get(line, self.tree) if line else self.tree

    def unit(self, line: int, *, whole_file: bool) -> tuple[ast.AST, set[str]]:
        """The unit of behaviour that starts at ``line`` (0: the module's own statements; the
        whole file when ``whole_file``) and its tainted names."""
        self._summarise()
        key = (0 if whole_file else line, whole_file)
        if key not in self._units:
            node = self.tree if whole_file else self.unit_node(line)
            into = whole_file or node is not self.tree
            self._units[key] = (node, self.taint(node, into_functions=into))
        return self._units[key]

    def is_wrapper(self, name: str) -> bool:
        """True for a function of the file that hands its parameter to a sink."""
        self._summarise()
        return name.rsplit(".", 1)[-1] in self._sinks

    def assigned(self, unit: ast.AST, name: str, *, loops: bool = False) -> list[ast.AST]:
        """The values assigned to ``name`` anywhere in ``unit``; with ``loops``, also what the
        loops that bind it iterate over (``for name in <iter>``)."""
        out: list[ast.AST] = []
        value: ast.expr | None
        for n in walk(unit):
            if isinstance(n, ast.Assign):
                targets, value = n.targets, n.value
            elif isinstance(n, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
                targets, value = [n.target], n.value
            elif loops and isinstance(n, ast.For | ast.AsyncFor | ast.comprehension):
                targets, value = [n.target], n.iter
            else:
                continue
            if value is not None and any(name in _target_names(t) for t in targets):
                out.append(value)
        return out

    def args_tainted(self, call: ast.Call, names: set[str], *, receiver: bool = True) -> bool:
        """True when a tainted value is among ``call``'s arguments (or its receiver)."""
        parts: list[ast.AST] = [*call.args, *(k.value for k in call.keywords)]
        if receiver and isinstance(call.func, ast.Attribute):
            parts.append(call.func.value)
        return any(self.tainted(p, names) for p in parts)


def constant_text(expr: ast.AST) -> str:
    """The literal parts of a built string (f-string, concatenation, format), joined."""
    return "".join(
        n.value for n in walk(expr) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )


def local_name(built: ast.AST) -> bool:
    """True unless the literal parts of a built host name join labels under a domain that is
    not local (``{data}.x.example``, ``{data}.{domain}``): resolving the host's own name
    (``gethostname() + ".local"``, ``getfqdn()``) only asks the local resolver about itself."""
    text = constant_text(built).strip().lower()
    return "." not in text or text.rstrip(".").endswith(LOCAL_SUFFIXES)


@lru_cache(maxsize=4096)
def transmits(name: str) -> bool:
    """A call that transmits its arguments (a request, a socket send), by resolved name (the
    local system journal's ``send`` is no transmission)."""
    if name in _CONSTRUCTORS or name.startswith(_LOCAL_SENDERS):
        return False
    call = CallFact(name, name, 0, 0, ast.Call(func=ast.Name(id=name), args=[], keywords=[]))
    return is_send(call) or name.rsplit(".", 1)[-1] in _SEND_EXTRA


def may_send(name: str) -> bool:
    """By name alone: a call that could send data out (for ``Flow.maybe_sink``)."""
    return name in RESOLVE_CALLS or transmits(name)


def sends_out(flow: Flow, node: ast.Call, name: str, names: set[str], unit: ast.AST) -> bool:
    """``node`` sends tainted data out: as request or socket data, or inside a looked-up name
    (a lookup of a name built from the data under a remote domain: DNS exfiltration)."""
    if name not in RESOLVE_CALLS:
        return transmits(name) and flow.args_tainted(node, names)
    if not node.args:
        return False
    host = node.args[0]
    built = flow.assigned(unit, host.id) if isinstance(host, ast.Name) else [host]
    return any(
        isinstance(expr, ast.JoinedStr | ast.BinOp | ast.Call)
        and not local_name(expr)
        and flow.tainted(expr, names)
        for expr in built
    )


def _never_sends(flow: Flow, node: ast.Call, name: str, names: set[str], unit: ast.AST) -> bool:
    return False


def taint_flow(src: SourceFile, is_source: IsSource) -> Flow | None:
    """A ``Flow`` over ``src`` that only follows values (from ``is_source`` calls): no call
    is a sink; the rule asks ``taint``/``tainted`` itself."""
    return flow_for(src, is_source, _never_sends, lambda _name: False)


def flow_for(
    src: SourceFile,
    is_source: IsSource,
    is_sink: IsSink,
    maybe_sink: Callable[[str], bool] | None = None,
) -> Flow | None:
    """A ``Flow`` over ``src`` (its kept tree, see ``SourceFile.tree``), or None when it does
    not parse."""
    facts = src.facts
    if facts is None:
        return None
    tree = src.tree()
    if tree is None:
        return None
    flow = Flow(tree, facts.resolve, is_source, is_sink)
    if maybe_sink is not None:
        flow.maybe_sink = maybe_sink
    return flow
