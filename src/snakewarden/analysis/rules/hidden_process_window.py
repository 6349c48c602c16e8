"""hidden-process-window: a process is started with its window hidden or detached."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="hidden-process-window",
    description="starts a process with a hidden window or detached from the console",
    severity=Severity.HIGH,
    category="threat.process.hidden",
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out = [
            emit.in_member(ctx, m, h, 0.3, "process started with a hidden window")
            for m, h in ctx.yara_hits("sw_hidden_window")
        ]
        yield from best_per_file(out)


RULE = _Rule()
