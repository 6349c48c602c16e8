"""exfiltration-endpoint: a webhook, bot API or out-of-band collector address in the code."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="exfiltration-endpoint",
    description="names a webhook, chat-bot API, tunnel or out-of-band collector to send data to",
    severity=Severity.HIGH,
    category="threat.network.exfil",
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out = [
            emit.in_member(ctx, m, h, 0.55, "data collection endpoint (webhook/bot/collector)",
                           floor=0.45)
            for m, h in ctx.yara_hits("sw_exfil_endpoint")
            if not m.path.endswith((".md", ".rst", ".txt", ".html"))
        ]
        yield from best_per_file(out)


RULE = _Rule()
