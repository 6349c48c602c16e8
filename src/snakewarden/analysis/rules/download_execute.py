"""download-execute: code fetched from the network is executed, or saved and run."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext
from snakewarden.analysis.facts import CallFact, dotted
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import (
    EXEC_CALLS,
    Emitter,
    best_per_file,
    group_calls,
    is_exec,
    is_network,
    is_process,
    parsed,
    subcalls,
)
from snakewarden.analysis.rules._flow import Flow, flow_for, walk
from snakewarden.analysis.rules.drop_and_run import (
    dropped_run,
    helpers,
    temp_flow,
    writes_and_runs,
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
    """Starts a program (build tools too: ``_builds`` tells them apart where it matters)."""
    return call.name in _RUN_EXTRA or is_process(call)


def _fetchers(flow: Flow | None, resolve: object) -> set[str]:
    """Names of the file's functions that download (a fetch happens inside them)."""
    if flow is None or not callable(resolve):
        return set()
    return {
        d.name
        for d in walk(flow.tree)
        if isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef)
        and any(
            isinstance(n, ast.Call) and _fetch_source(n, resolve(dotted(n.func))) for n in walk(d)
        )
    }


def _builds(call: CallFact) -> bool:
    """A build tool run (``git``, ``cmake``...): no sign of running what was downloaded."""
    cmd = _command_text(call.node)
    return cmd is not None and _first_word(cmd) in _BUILD_TOOLS


def _fetch_source(node: ast.Call, name: str) -> bool:
    """A call whose result is downloaded content (``requests.get(...)``, ``urlopen(...)``)."""
    return _is_fetch_name(name) or (
        name.rsplit(".", 1)[-1] in ("urlopen", "urlretrieve", "download", "stream")
        and name.split(".", 1)[0] in ("urllib", "urllib2", "urllib3", "requests", "httpx", "wget")
    )


def _runs_code(flow: Flow, node: ast.Call, name: str, names: set[str], unit: ast.AST) -> bool:
    """exec/eval/compile of downloaded content (the sink of ``_flow``)."""
    return name in EXEC_CALLS and bool(node.args) and flow.tainted(node.args[0], names)


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
            fetches = [c for c in facts.calls if _is_fetch(c)]
            if not fetches:
                continue
            file_flow = temp_flow(src) if writes_and_runs(facts.calls) else None
            found = helpers(file_flow, facts.resolve)
            fetchers = _fetchers(file_flow, facts.resolve) if found.writers else set()
            install = src.role in (Role.SETUP, Role.BACKEND, Role.PTH)
            groups = group_calls(src)
            units: dict[int, list[CallFact]] = dict(groups)
            if install:
                # install-time code: helpers call each other, so the whole file is one unit for
                # following the downloaded code or file (not for mere co-occurrence)
                units = {-1: [c for cs in groups.values() for c in cs]}
            code_flow: Flow | None = None
            for gid, calls in units.items():
                fetch = next(
                    (c for c in calls if _is_fetch(c) or c.name.rsplit(".", 1)[-1] in fetchers),
                    None,
                )
                if fetch is None:
                    continue
                execs = [c for c in calls if is_exec(c) and c.node.args]
                if execs:
                    code_flow = code_flow or flow_for(
                        src, _fetch_source, _runs_code, EXEC_CALLS.__contains__
                    )
                if execs and code_flow is not None:
                    line = 0 if gid <= 0 else facts.scopes[gid].line
                    unit, names = code_flow.unit(line, whole_file=gid < 0)
                    ran = next((c for c in execs if code_flow.sends(c.node, names, unit)), None)
                    if ran is not None:
                        out.append(
                            emit.at(
                                src,
                                ran.line,
                                ran.scope,
                                0.8,
                                f"downloads ({fetch.name}, line {fetch.line}) and "
                                f"executes code ({ran.name})",
                                floor=0.45,
                            )
                        )
                        continue
                dropped = (
                    dropped_run(src, facts, gid, calls, file_flow, found) if file_flow else None
                )
                if dropped is not None:
                    _, run = dropped
                    out.append(
                        emit.at(
                            src,
                            run.line,
                            run.scope,
                            0.75,
                            f"downloads ({fetch.name}, line {fetch.line}) and runs what it "
                            f"downloaded ({run.name})",
                        )
                    )
            # a download and a program run in one small function, not shown to be linked
            for calls in groups.values():
                if len(calls) > MAX_GROUP_CALLS:
                    continue
                fetch = next((c for c in calls if _is_fetch(c)), None)
                program = next((c for c in calls if _runs(c) and not _builds(c)), None)
                if fetch is None or program is None:
                    continue
                out.append(
                    emit.at(
                        src,
                        program.line,
                        program.scope,
                        0.45,
                        f"downloads ({fetch.name}, line {fetch.line}) and runs a program "
                        f"({program.name})",
                    )
                )
        yield from best_per_file(out)


def _is_fetch_name(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    head = name.split(".", 1)[0]
    if last in ("urlopen", "urlretrieve"):
        return True
    return head in ("requests", "httpx", "urllib", "urllib2", "urllib3") and last in (
        "get", "request", "urlopen", "post",
    )  # fmt: skip


RULE = _Rule()
