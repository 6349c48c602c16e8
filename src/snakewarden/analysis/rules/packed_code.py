"""packed-code: PyArmor-protected or machine-obfuscated code (lambda/__import__ chains)."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="packed-code",
    description="code protected by PyArmor or an obfuscator: nobody can review what it does",
    severity=Severity.HIGH,
    category="threat.obfuscation.packed",
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out = [
            emit.in_member(ctx, m, h, 0.65, "packed or machine-obfuscated code", floor=0.8)
            for m, h in ctx.yara_hits("sw_packed_code")
            if not m.path.endswith((".md", ".rst", ".txt", ".html"))
        ]
        yield from best_per_file(out)


RULE = _Rule()
