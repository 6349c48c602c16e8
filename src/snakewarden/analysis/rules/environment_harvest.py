"""environment-harvest: the whole environment (tokens, keys) is dumped and sent out."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext
from snakewarden.analysis.facts import CallFact, dotted
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, group_calls, is_send, parsed
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="environment-harvest",
    description="dumps all environment variables (where CI tokens and keys live) and sends them",
    severity=Severity.HIGH,
    category="threat.secrets.environment",
)
_DUMPERS = frozenset({"dict", "str", "repr", "json.dumps", "list", "base64.b64encode"})


def _dumps_environ(call: CallFact, resolve: object) -> bool:
    if call.name in (
        "os.environ.copy",
        "os.environ.items",
        "os.environ.values",
        "os.environ.__str__",
    ):
        return True
    if call.name in _DUMPERS and call.node.args:
        arg = call.node.args[0]
        if isinstance(arg, ast.Attribute | ast.Name):
            name = dotted(arg)
            return (
                name.endswith("environ")
                and callable(resolve)
                and (resolve(name) in ("os.environ", "environ"))
            )
    return False


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            groups = group_calls(src)
            if src.role in (Role.SETUP, Role.BACKEND, Role.PTH):
                groups = {0: [c for cs in groups.values() for c in cs]}
            for calls in groups.values():
                dump = next((c for c in calls if _dumps_environ(c, facts.resolve)), None)
                if dump is None:
                    continue
                send = next((c for c in calls if is_send(c)), None)
                if send is None:
                    continue
                out.append(
                    emit.at(
                        src,
                        dump.line,
                        dump.scope,
                        0.6,
                        f"dumps the environment and sends it ({send.name})",
                        floor=0.4,
                    )
                )
        yield from best_per_file(out)


RULE = _Rule()
