"""String literals a module only shows to a person (pure).

An install hint printed for the user (``print("install it: curl -fsSL … | sh")``), an error
raised with the command that would fix it, a ``help=`` text, a constant whose every use is such
a message: the code displays the text; it never runs or sends it. ``shown_spans`` finds them so
that the evidence a signature finds in them weighs like a comment's.

A literal counts as shown when every way its value leaves the expression it sits in ends in a
display: an argument of a display call (``print``, ``logging``, ``warnings.warn``,
``click.echo``, ``sys.exit``, ``sys.stderr.write``, rich's renderables), the exception of a
``raise``, or a keyword that holds text for people (``help=``, ``description=``). On its way it
may pass through text-building only: f-strings, ``+``/``%``, ``str.format``/``join``, colouring
helpers, a list or tuple of lines. A literal assigned to a name is shown when the module loads
that name at least once and only in shown places, and no other module of the package imports it
(``imported``). Anything else, including a literal handed to any other call, is not shown.
"""

from __future__ import annotations

import ast
from collections.abc import Container

__all__ = ["MAX_NODES", "Messages"]

#: A module larger than this is not walked (its literals are simply not known to be shown).
MAX_NODES = 300_000
#: How many assignments a literal may be followed through to its display.
MAX_HOPS = 3

#: Calls (last name of the callee) that display their arguments to a person.
_DISPLAY = frozenset(
    {"print", "pprint", "rprint", "echo", "secho", "warn", "warning", "info", "debug", "error",
     "critical", "exception", "fatal", "notice", "abort", "fail", "skip", "exit", "ask",
     "confirm", "prompt", "input", "Panel", "Markdown", "Syntax", "Rule", "add_note"}
)  # fmt: skip
#: Calls whose result is their text arguments, reshaped: the text goes on to where it goes.
_TEXT = frozenset(
    {"format", "join", "dedent", "indent", "strip", "rstrip", "lstrip", "replace", "upper",
     "lower", "str", "repr", "_", "gettext", "ngettext", "color", "colored", "colorize", "style",
     "stylize", "Text", "bold", "dim", "italic", "escape", "fill", "wrap", "red", "green",
     "yellow", "blue", "cyan", "magenta", "white"}
)  # fmt: skip
#: Keywords whose value is text for people, whatever the call.
_TEXT_KEYWORDS = frozenset(
    {"help", "help_text", "description", "epilog", "usage", "msg", "message", "hint", "prompt",
     "title", "summary", "verbose_name", "label", "placeholder", "reason"}
)  # fmt: skip
#: How the names of exception classes end: text handed to one is its message.
_EXCEPTIONS = ("Error", "Exception", "Warning", "Exit")
#: Receivers whose ``write`` displays (``sys.stderr.write(...)``).
_STREAMS = ("stdout", "stderr")


def _callee(func: ast.expr) -> tuple[str, str]:
    """(last name, the name before it) of a callee: ``sys.stderr.write`` -> (write, stderr)."""
    if isinstance(func, ast.Name):
        return func.id, ""
    if isinstance(func, ast.Attribute):
        inner = func.value
        before = inner.attr if isinstance(inner, ast.Attribute) else getattr(inner, "id", "")
        return func.attr, before
    return "", ""


class Messages:
    """Which string literals of one module are only shown to a person (walked once; each
    question is answered on demand). ``imported``: names other modules of the package import,
    never counted as shown."""

    def __init__(self, tree: ast.Module, imported: Container[str] = ()) -> None:
        self.parents: dict[int, ast.AST] = {}
        self.loads: dict[str, list[ast.Name]] = {}
        self.texts: dict[int, list[ast.Constant]] = {}  # by each line a literal spans
        self.imported = imported
        self.too_big = False
        self._names: dict[str, bool] = {}
        count = 0
        todo: list[ast.AST] = [tree]
        while todo:
            node = todo.pop()
            count += 1
            if count > MAX_NODES:
                self.too_big = True
                return
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                self.loads.setdefault(node.id, []).append(node)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                    self.texts.setdefault(line, []).append(node)
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
                todo.append(child)

    def shown_at(self, lineno: int, text: str) -> bool:
        """True when ``text`` on line ``lineno`` lies in a literal that is only shown."""
        if self.too_big:
            return False
        nodes = self.texts.get(lineno, [])
        if len(nodes) > 1:  # the one holding the text (escapes aside, a line's only literal)
            nodes = [n for n in nodes if text in str(n.value)][:1]
        for node in nodes:
            parent = self.parents.get(id(node))
            return self.shown(parent if isinstance(parent, ast.JoinedStr) else node)
        return False

    def shown(self, node: ast.AST, hops: int = 0) -> bool:
        """True when the value of ``node`` ends only in displays (see the module doc)."""
        seen = 0
        while True:
            seen += 1
            parent = self.parents.get(id(node))
            if parent is None or seen > 64:
                return False
            if isinstance(parent, ast.Raise):
                return parent.exc is node
            if isinstance(parent, ast.keyword):
                if parent.arg in _TEXT_KEYWORDS:
                    return True
                node = parent  # the call it is handed to decides
                continue
            if isinstance(parent, ast.Call):
                name, before = _callee(parent.func)
                if parent.func is node:
                    if name not in _TEXT:
                        return False  # a method of the text itself, other than reshaping
                    node = parent
                    continue
                if name in _DISPLAY or (name == "write" and before in _STREAMS):
                    return True
                raised = self.parents.get(id(parent))
                if isinstance(raised, ast.Raise) and raised.exc is parent:
                    return True  # ``raise AnyError(text)``
                if name not in _TEXT and not name.endswith(_EXCEPTIONS):
                    return False
                node = parent  # reshaped text, or an exception made to be raised later
                continue
            if isinstance(parent, ast.Dict):
                key = next(
                    (k for k, v in zip(parent.keys, parent.values, strict=True) if v is node), None
                )
                return isinstance(key, ast.Constant) and key.value in _TEXT_KEYWORDS
            if isinstance(parent, ast.Attribute):
                node = parent  # ``"…".format`` / ``"\n".join``: the call above decides
                continue
            if isinstance(parent, ast.JoinedStr | ast.FormattedValue | ast.List | ast.Tuple):
                node = parent
                continue
            if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add | ast.Mod):
                node = parent
                continue
            if isinstance(parent, ast.IfExp) and parent.test is not node:
                node = parent
                continue
            if isinstance(parent, ast.Assign | ast.AnnAssign):
                return self._shown_name(parent, node, hops)
            return False

    def _shown_name(self, assign: ast.Assign | ast.AnnAssign, value: ast.AST, hops: int) -> bool:
        if assign.value is not value or hops >= MAX_HOPS:
            return False
        targets = assign.targets if isinstance(assign, ast.Assign) else [assign.target]
        if len(targets) != 1 or not isinstance(targets[0], ast.Name):
            return False
        name = targets[0].id
        known = self._names.get(name)
        if known is None:
            self._names[name] = False  # a name that reaches itself is not shown
            uses = self.loads.get(name, [])
            known = bool(uses) and name not in self.imported
            known = known and all(self.shown(use, hops + 1) for use in uses)
            self._names[name] = known
        return known
