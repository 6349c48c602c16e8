"""network-access: the code opens network connections (HTTP clients, sockets, DNS)."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
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
                    f = emit.at(src, call.line, call.scope, 0.2,
                                f"network access ({call.name})")
                    if best is None or f.weight > best.weight:
                        best = f
            if best is not None:
                yield best


RULE = _Rule()
