"""bundled-script: a shell, batch, PowerShell, VBScript or JScript file inside the package."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext, make_finding
from snakewarden.analysis.rule import RuleMeta
from snakewarden.core.models import Finding, Phase, Severity

META = RuleMeta(
    id="bundled-script",
    description="ships a non-Python script (ps1, bat, vbs, js, sh...) a dropper could launch",
    severity=Severity.LOW,
    category="threat.payload.script",
)
#: Rare in Python packages and favoured by droppers.
_RARE = frozenset({".ps1", ".psm1", ".vbs", ".vbe", ".jse", ".wsf", ".hta", ".scr"})
_COMMON = frozenset({".bat", ".cmd", ".sh", ".bash", ".js"})


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        rare = [m for m in ctx.artifact.members if m.suffix in _RARE]
        common = [m for m in ctx.artifact.members if m.suffix in _COMMON]
        for m in rare[:1]:
            yield make_finding(
                META.id,
                META.category,
                META.severity,
                f"ships a {m.suffix} script",
                file=m.path,
                line=0,
                evidence=m.path[:200],
                base=0.15,
                phase=Phase.NONE,
                role="data",
                floor=1.0,
            )
        for m in common[:1]:
            yield make_finding(
                META.id,
                META.category,
                Severity.INFO,
                f"ships a {m.suffix} script",
                file=m.path,
                line=0,
                evidence=m.path[:200],
                base=0.01,
                phase=Phase.NONE,
                role="data",
                floor=1.0,
            )


RULE = _Rule()
