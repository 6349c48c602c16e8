"""network-access: the code opens network connections (HTTP clients, sockets, DNS)."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext
from snakewarden.analysis.facts import CallFact
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, is_network, parsed
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="network-access",
    description="opens a network connection; weighs only where code runs unasked",
    severity=Severity.LOW,
    category="threat.network.access",
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        for src, facts in parsed(ctx):
            best: Finding | None = None
            for call in facts.calls:
                if is_network(call):
                    direct = facts.top_function(call.scope) == 0 and _performs(call)
                    base = 0.3 if direct else 0.2
                    if direct and src.role in (Role.SETUP, Role.BACKEND, Role.PTH):
                        base = 0.35  # setup.py talks to the network as soon as pip runs it
                    f = emit.at(src, call.line, call.scope, base, f"network access ({call.name})")
                    if best is None or f.weight > best.weight:
                        best = f
            if best is not None:
                yield best


def _performs(call: CallFact) -> bool:
    """A call that talks to the network now (not a client or socket object being created)."""
    last = call.name.rsplit(".", 1)[-1]
    return last in (
        "get",
        "post",
        "put",
        "request",
        "urlopen",
        "urlretrieve",
        "gethostbyname",
        "getaddrinfo",
        "create_connection",
        "resolve",
        "query",
        "download",
    )


RULE = _Rule()
