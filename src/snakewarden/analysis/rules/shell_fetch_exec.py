"""shell-fetch-exec: a shell pipeline or LOLBin that downloads and runs (curl | sh, certutil)."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="shell-fetch-exec",
    description="a shell command downloads and runs code (curl|sh, wget+chmod, certutil, mshta)",
    severity=Severity.CRITICAL,
    category="threat.process.fetch_exec",
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out = [
            emit.in_member(ctx, m, h, 0.65, "a shell command fetches code and runs it", floor=0.4)
            for m, h in ctx.yara_hits("sw_shell_fetch_exec")
        ]
        yield from best_per_file(out)


RULE = _Rule()
