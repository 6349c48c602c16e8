"""download-execute: code fetched from the network is executed, or saved and run."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext
from snakewarden.analysis.facts import CallFact
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import (
    Emitter,
    best_per_file,
    group_calls,
    is_exec,
    is_network,
    is_process,
    parsed,
    subcalls,
)
from snakewarden.analysis.rules.process_exec import _BUILD_TOOLS, _command_text, _first_word
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="download-execute",
    description="downloads code or a program and executes it",
    severity=Severity.CRITICAL,
    category="threat.dropper.download_exec",
)
#: Outside install-time code, a fetch and an exec count together only in a small function.
MAX_GROUP_CALLS = 40
_RUN_EXTRA = frozenset({"os.startfile", "ctypes.windll.shell32.ShellExecuteW"})


def _is_fetch(call: CallFact) -> bool:
    if not is_network(call):
        return False
    last = call.name.rsplit(".", 1)[-1]
    return last in ("urlopen", "urlretrieve", "get", "download", "request", "stream", "Request")


def _runs(call: CallFact) -> bool:
    if call.name in _RUN_EXTRA:
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
        for src, facts in parsed(ctx):
            # exec(urlopen(...).read()) and friends, inline
            for call in facts.calls:
                if is_exec(call) and call.node.args:
                    inner = subcalls(call.node.args[0], facts)
                    if any(_is_fetch_name(n) for n in inner):
                        out.append(
                            emit.at(
                                src,
                                call.line,
                                call.scope,
                                0.95,
                                "executes code downloaded from the network",
                                floor=0.8,
                            )
                        )
            groups = group_calls(src)
            install = src.role in (Role.SETUP, Role.BACKEND, Role.PTH)
            if install:
                # install-time code: helpers call each other, so the whole file is one unit
                groups = {0: [c for cs in groups.values() for c in cs]}
            for calls in groups.values():
                if not install and len(calls) > MAX_GROUP_CALLS:
                    continue  # a big function doing many things: no evidence the two are linked
                fetch = next((c for c in calls if _is_fetch(c)), None)
                if fetch is None:
                    continue
                execs = [
                    c
                    for c in calls
                    if is_exec(c) and c.node.args and not isinstance(c.node.args[0], ast.Constant)
                ]
                runs = [c for c in calls if _runs(c)]
                response_exec = [c for c in execs if _executes_response(c.node)]
                if execs and (install or response_exec):
                    c = (response_exec or execs)[0]
                    out.append(
                        emit.at(
                            src,
                            c.line,
                            c.scope,
                            0.8,
                            f"downloads ({fetch.name}, line {fetch.line}) and "
                            f"executes code ({c.name})",
                            floor=0.45,
                        )
                    )
                elif runs:
                    linked = [c for c in runs if _names(c.node) & _names(fetch.node)]
                    c = (linked or runs)[0]
                    out.append(
                        emit.at(
                            src,
                            c.line,
                            c.scope,
                            0.75 if linked else 0.45,
                            f"downloads ({fetch.name}, line {fetch.line}) and runs "
                            + ("what it downloaded" if linked else "a program")
                            + f" ({c.name})",
                        )
                    )
        yield from best_per_file(out)


def _names(node: ast.Call) -> set[str]:
    """Variable names used in a call's arguments (a path downloaded to, then run)."""
    out: set[str] = set()
    stack: list[ast.AST] = [*node.args, *(kw.value for kw in node.keywords)]
    while stack and len(out) < 50:
        cur = stack.pop()
        if isinstance(cur, ast.Name):
            out.add(cur.id)
        stack.extend(ast.iter_child_nodes(cur))
    return out


def _executes_response(node: ast.Call) -> bool:
    """exec(resp.read()), exec(r.text), exec(r.content.decode()): code from a response."""
    arg = node.args[0]
    while isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute):
        if arg.func.attr == "read":
            return True
        arg = arg.func.value
    return isinstance(arg, ast.Attribute) and arg.attr in ("text", "content")


def _is_fetch_name(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    head = name.split(".", 1)[0]
    if last in ("urlopen", "urlretrieve"):
        return True
    return head in ("requests", "httpx", "urllib", "urllib2", "urllib3") and last in (
        "get", "request", "urlopen", "post",
    )  # fmt: skip


RULE = _Rule()
