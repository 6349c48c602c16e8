"""environment-harvest: the whole environment (tokens, keys) is dumped and sent out."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import partial

from snakewarden.analysis.context import Role, ScanContext
from snakewarden.analysis.facts import CallFact, dotted
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, group_calls, parsed
from snakewarden.analysis.rules._flow import (
    RESOLVE_CALLS,
    flow_for,
    may_send,
    sends_out,
    transmits,
)
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="environment-harvest",
    description="dumps all environment variables (where CI tokens and keys live) and sends them",
    severity=Severity.HIGH,
    category="threat.secrets.environment",
)
_DUMPERS = frozenset({"dict", "str", "repr", "json.dumps", "list", "base64.b64encode"})
_ENVIRON_DUMPS = frozenset(
    {"os.environ.copy", "os.environ.items", "os.environ.values", "os.environ.__str__"}
)


def _dumps_environ(call: CallFact, resolve: object) -> bool:
    return dumps_environ(call.node, call.name, resolve)


def dumps_environ(node: ast.Call, name: str, resolve: object) -> bool:
    """``os.environ.copy()``, ``dict(os.environ)``, ``json.dumps(os.environ)``...: the whole
    environment as a value."""
    if name in _ENVIRON_DUMPS:
        return True
    if name in _DUMPERS and node.args:
        arg = node.args[0]
        if isinstance(arg, ast.Attribute | ast.Name):
            target = dotted(arg)
            return (
                target.endswith("environ")
                and callable(resolve)
                and (resolve(target) in ("os.environ", "environ"))
            )
    return False


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            dumps = [c for c in facts.calls if _dumps_environ(c, facts.resolve)]
            if not dumps or not any(may_send(c.name) for c in facts.calls):
                continue
            flow = flow_for(src, partial(dumps_environ, resolve=facts.resolve), sends_out, may_send)
            if flow is None:
                continue
            groups = group_calls(src)
            whole = src.role in (Role.SETUP, Role.BACKEND, Role.PTH)
            if whole:
                groups = {0: [c for cs in groups.values() for c in cs]}
            for gid, calls in groups.items():
                candidates = [
                    c
                    for c in calls
                    if c.name in RESOLVE_CALLS or transmits(c.name) or flow.is_wrapper(c.name)
                ]
                if not candidates:
                    continue
                line = 0 if whole or gid == 0 else facts.scopes[gid].line
                unit, names = flow.unit(line, whole_file=whole)
                send = next((c for c in candidates if flow.sends(c.node, names, unit)), None)
                if send is None:
                    continue  # the environment is copied (for a child process...), not sent
                dump = next((c for c in calls if c in dumps), dumps[0])
                out.append(
                    emit.at(
                        src,
                        send.line,
                        send.scope,
                        0.6,
                        f"dumps the environment ({dump.name}, line {dump.line}) and sends it "
                        f"({send.name})",
                        floor=0.4,
                    )
                )
        yield from best_per_file(out)


RULE = _Rule()
