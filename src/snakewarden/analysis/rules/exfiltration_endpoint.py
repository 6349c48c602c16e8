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
#: YARA rule -> (base weight, floor, message). Out-of-band collectors and tunnels exist to
#: receive data from elsewhere; chat APIs have benign uses unless their credentials are baked in.
_KINDS = {
    "sw_exfil_endpoint": (0.7, 0.55, "out-of-band collector or tunnel address"),
    "sw_exfil_hardcoded": (0.75, 0.6, "chat webhook/bot with its credentials hardcoded"),
    "sw_exfil_chat": (0.4, 0.3, "chat webhook or bot API address"),
}


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for m, h in ctx.yara_hits(*_KINDS):
            base, floor, what = _KINDS[h.rule]
            out.append(emit.in_member(ctx, m, h, base, what, floor=floor))
        yield from best_per_file(out)


RULE = _Rule()
