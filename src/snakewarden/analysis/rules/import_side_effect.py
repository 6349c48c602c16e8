"""import-side-effect: importing a module of the package runs processes or network calls.

Import time is what the module's top level reaches, and what other modules run of it on import
(``from .core import start; start()`` in ``__init__.py``) or setup.py executes of it at install
(``__import__("pkg.hook")``): see ``ScanContext.link``.
"""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, is_network, is_process, parsed
from snakewarden.analysis.rules.network_access import _performs as performs_request
from snakewarden.analysis.rules.process_exec import (
    _BUILD_TOOLS,
    _PIP_INSTALL,
    _command_text,
    _first_word,
    _runs_inline_code,
)
from snakewarden.core.models import Finding, Phase, Severity

META = RuleMeta(
    id="import-side-effect",
    description="importing the package runs a process or opens a network connection",
    severity=Severity.LOW,
    category="context.import.side_effect",
)


#: Phases at which a module's code runs without being called by the user.
_UNASKED = (Phase.IMPORT, Phase.INSTALL, Phase.STARTUP)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        for src, facts in parsed(ctx):
            if src.role not in (Role.INIT, Role.MODULE):
                continue
            found: list[Finding] = []
            for call in facts.calls:
                if src.phase(call.scope) not in _UNASKED:
                    continue
                if is_network(call) or is_process(call):
                    kind = "network access" if is_network(call) else "a process"
                    cmd = _command_text(call.node) if is_process(call) else None
                    tool = (
                        cmd is not None
                        and _first_word(cmd) in _BUILD_TOOLS
                        and not _runs_inline_code(cmd)
                        and not _PIP_INSTALL.search(cmd)
                    )
                    direct = facts.top_function(call.scope) == 0 and not tool
                    if is_network(call) and direct:
                        # a request made at import (a beacon, a download) vs a client or socket
                        # object merely created there (a module-level session)
                        base = 0.5 if performs_request(call) else 0.2
                    elif direct:
                        base = 0.25
                    else:
                        base = 0.1
                    request = direct and is_network(call) and performs_request(call)
                    found.append(
                        emit.at(
                            src,
                            call.line,
                            call.scope,
                            base,
                            f"import runs {'a network request' if request else kind} "
                            f"({call.name})" + (" directly at module level" if direct else ""),
                        )
                    )
            if found:
                yield max(found, key=lambda f: f.weight)


RULE = _Rule()
