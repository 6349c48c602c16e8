"""setup-top-level-code: setup.py does more than call setup(): it runs processes, network or
dynamic code at module level."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import (
    Emitter,
    is_exec,
    is_network,
    is_process,
    parsed,
    reads_local_file,
)
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="setup-top-level-code",
    description="setup.py runs processes, network calls or dynamic code outside setup()",
    severity=Severity.LOW,
    category="context.install.top_level",
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        for src, facts in parsed(ctx):
            if src.role not in (Role.SETUP, Role.BACKEND):
                continue
            for call in facts.calls:
                if (
                    facts.top_function(call.scope) != 0
                    and facts.scopes[facts.top_function(call.scope)].kind != "main"
                ):
                    continue
                if is_network(call):
                    what = "network access"
                elif is_process(call):
                    what = "a process"
                elif is_exec(call) and not reads_local_file(call, facts, src.groups().get(0, [])):
                    what = "dynamic code"
                else:
                    continue
                yield emit.at(
                    src,
                    call.line,
                    call.scope,
                    0.1,
                    f"setup.py runs {what} at module level ({call.name})",
                )
                break


RULE = _Rule()
