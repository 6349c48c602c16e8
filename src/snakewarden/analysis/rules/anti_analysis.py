"""anti-analysis: checks for virtual machines, sandboxes, debuggers or analysis tools."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="anti-analysis",
    description="looks for VMs, sandboxes, debuggers or analysis tools before acting",
    severity=Severity.HIGH,
    category="threat.evasion.anti_analysis",
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out = [
            emit.in_member(ctx, m, h, 0.45, "checks for VMs, sandboxes or debuggers", floor=0.5)
            for m, h in ctx.yara_hits("sw_anti_analysis")
            if not m.path.endswith((".md", ".rst", ".txt", ".html"))
        ]
        yield from best_per_file(out)


RULE = _Rule()
