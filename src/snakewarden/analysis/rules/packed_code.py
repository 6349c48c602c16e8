"""packed-code: PyArmor-protected or machine-obfuscated code (lambda/__import__ chains)."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, source_for
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="packed-code",
    description="code protected by PyArmor or an obfuscator: nobody can review what it does",
    severity=Severity.HIGH,
    category="threat.obfuscation.packed",
)


#: YARA rule -> (base weight, floor, message).
_KINDS = {
    "sw_packed_code": (0.65, 0.8, "packed or machine-obfuscated code"),
    "sw_escaped_code": (0.55, 0.7, "code hidden in escaped string literals and evaluated"),
    "sw_confusable_identifiers": (0.45, 0.7, "identifiers made of look-alike characters"),
}


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for m, h in ctx.yara_hits(*_KINDS):
            if m.path.endswith((".md", ".rst", ".txt", ".html")):
                continue
            base, floor, what = _KINDS[h.rule]
            src = source_for(ctx, m)
            if src is not None and src.role in (Role.SETUP, Role.BACKEND, Role.PTH):
                base = max(base, 0.6)  # obfuscated code that pip runs: nothing to hide there
            out.append(emit.in_member(ctx, m, h, base, what, floor=floor))
        yield from best_per_file(out)


RULE = _Rule()
