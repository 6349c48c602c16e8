"""download-execute: code fetched from the network is executed, or saved and run."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext
from snakewarden.analysis.facts import CallFact, Facts, dotted
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
    Helpers,
    dropped_run,
    helpers,
    temp_flow,
    writes_and_runs,
)
from snakewarden.analysis.rules.process_exec import _BUILD_TOOLS, _command_text, _first_word
from snakewarden.core.models import Finding, Phase, Severity

META = RuleMeta(
    id="download-execute",
    description="downloads code or a program and executes it",
    severity=Severity.CRITICAL,
    category="threat.dropper.download_exec",
)
#: Outside install-time code, a fetch and an exec count together only in a small function.
MAX_GROUP_CALLS = 40
_RUN_EXTRA = frozenset({"os.startfile", "ctypes.windll.shell32.ShellExecuteW"})
#: File names of programs and scripts (what a dropper fetches): a downloaded one that runs
#: weighs more than a downloaded file of unknown kind.
_PROGRAM = re.compile(
    r"\.(exe|scr|com|bat|cmd|msi|dll|ps1|vbs|vbe|js|jse|wsf|hta|jar|sh|py|pyw|elf|bin|apk)$", re.I
)
_FILE_NAME = re.compile(r"[\w.~$-]*\w\.[A-Za-z0-9]{1,4}")
_SPLIT = re.compile(r"[\s'\"/\\]+")


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


def _no_arg_functions(flow: Flow | None, facts: Facts) -> dict[str, int]:
    """The module's own functions that take no argument, by name -> their scope id (the key
    of their calls in ``group_calls``)."""
    if flow is None or not facts.scopes:
        return {}
    bare = {
        d.name
        for d in walk(flow.tree)
        if isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef)
        and not (d.args.posonlyargs or d.args.args or d.args.kwonlyargs)
        and d.args.vararg is None
        and d.args.kwarg is None
    }
    out: dict[str, int] = {}
    for c in facts.scopes[0].children:
        scope = facts.scopes[c]
        if scope.kind == "function" and scope.name in bare:
            out.setdefault(scope.name, c)
    return out


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


def _program_names(exprs: list[ast.AST]) -> set[str]:
    """Literal names of programs and scripts (``x.exe``, ``.ps1`` suffixes) in expressions."""
    out: set[str] = set()
    for expr in exprs:
        for n in walk(expr):
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and len(n.value) < 300:
                text = ("x" + n.value) if n.value.startswith(".") else n.value
                out.update(
                    t for t in _SPLIT.split(text) if _FILE_NAME.fullmatch(t) and _PROGRAM.search(t)
                )
    return out


def _program(calls: list[CallFact], run: CallFact, found: Helpers, flow: Flow | None) -> bool:
    """The file the unit wrote and ``run`` starts is named as a program or script (``x.exe``,
    ``x.ps1``): by the literal names in its path or in the values assigned to the variable
    holding it (the run names that variable or that file), or by the ``suffix`` of a temp file."""
    cmd = found.command(run)
    if cmd is None:
        return False
    cmd_vars = {n.id for n in walk(cmd) if isinstance(n, ast.Name)}
    cmd_files = {t.lower() for t in _program_names([cmd])}
    for w in calls:
        if not found.writes(w):
            continue
        if _program_names([k.value for k in w.node.keywords if k.arg == "suffix"]):
            return True  # tempfile.NamedTemporaryFile(suffix=".exe")
        path = found.path(w)
        if path is None:
            continue
        exprs: list[ast.AST] = [path]
        if isinstance(path, ast.Name) and flow is not None:
            exprs.extend(flow.assigned(flow.tree, path.id))
        names = {t.lower() for t in _program_names(exprs)}
        if names and (
            (isinstance(path, ast.Name) and path.id in cmd_vars)
            or names & cmd_files
            or {t.rsplit("/", 1)[-1] for t in names} & cmd_files
        ):
            return True
    return False


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
            no_args = _no_arg_functions(file_flow, facts)
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
                # the runs of the file's argument-less helpers count where they are called
                # (``def start(): subprocess.call(["x.exe"])``, called after the download)
                inlined = [
                    CallFact(r.name, r.raw, c.line, c.scope, r.node)
                    for c in calls
                    if gid >= 0 and c.name in no_args
                    for r in groups.get(no_args[c.name], ())
                    if found.runs(r)
                ][:MAX_GROUP_CALLS]
                dropped = (
                    dropped_run(src, facts, gid, calls + inlined, file_flow, found)
                    if file_flow
                    else None
                )
                if dropped is not None:
                    _, run = dropped
                    is_program = _program(calls, run, found, file_flow)
                    # a function nobody is shown to call keeps the weight of its phase
                    runtime = src.phase(run.scope) is Phase.RUNTIME
                    what = "a program it downloaded" if is_program else "what it downloaded"
                    out.append(
                        emit.at(
                            src,
                            run.line,
                            run.scope,
                            0.85 if is_program else 0.75,
                            f"downloads ({fetch.name}, line {fetch.line}) and runs {what} "
                            f"({run.name})",
                            floor=0.6 if is_program and not runtime else 0.0,
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
