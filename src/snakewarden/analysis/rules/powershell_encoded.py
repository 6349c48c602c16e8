"""powershell-encoded: PowerShell run with an encoded command or a download cradle."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="powershell-encoded",
    description="runs PowerShell with -EncodedCommand, or downloads and invokes a script",
    severity=Severity.CRITICAL,
    category="threat.process.powershell",
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for m, h in ctx.yara_hits("sw_powershell_encoded", "sw_powershell_download"):
            what = "encoded command" if h.rule == "sw_powershell_encoded" else "download cradle"
            out.append(emit.in_member(ctx, m, h, 0.8, f"PowerShell {what}", floor=0.35))
        yield from best_per_file(out)


RULE = _Rule()
