"""import-side-effect: a package's __init__.py runs processes or network calls on import."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, is_network, is_process, parsed
from snakewarden.analysis.rules.process_exec import (
    _BUILD_TOOLS,
    _INLINE_CODE,
    _PIP_INSTALL,
    _command_text,
    _first_word,
)
from snakewarden.core.models import Finding, Phase, Severity

META = RuleMeta(
    id="import-side-effect",
    description="importing the package runs a process or opens a network connection",
    severity=Severity.LOW,
    category="context.import.side_effect",
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        for src, facts in parsed(ctx):
            if src.role not in (Role.INIT, Role.MODULE):
                continue
            found: list[Finding] = []
            for call in facts.calls:
                if src.phase(call.scope) is not Phase.IMPORT:
                    continue
                if is_network(call) or is_process(call):
                    kind = "network access" if is_network(call) else "a process"
                    cmd = _command_text(call.node) if is_process(call) else None
                    tool = (
                        cmd is not None
                        and _first_word(cmd) in _BUILD_TOOLS
                        and not _INLINE_CODE.search(cmd)
                        and not _PIP_INSTALL.search(cmd)
                    )
                    direct = facts.top_function(call.scope) == 0 and not tool
                    found.append(
                        emit.at(
                            src,
                            call.line,
                            call.scope,
                            (0.35 if is_network(call) else 0.25) if direct else 0.1,
                            f"import runs {kind} ({call.name})"
                            + (" directly at module level" if direct else ""),
                        )
                    )
            if found:
                yield max(found, key=lambda f: f.weight)


RULE = _Rule()
