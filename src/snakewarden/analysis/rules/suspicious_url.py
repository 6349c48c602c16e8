"""suspicious-url: a URL to a paste/file-sharing host, a raw IP address, or an executable."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="suspicious-url",
    description="points at a paste or file-sharing host, a bare IP address or a remote executable",
    severity=Severity.MEDIUM,
    category="threat.network.payload_url",
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for m, h in ctx.yara_hits("sw_file_host", "sw_raw_ip_url"):
            if m.path.endswith((".md", ".rst", ".txt", ".html", ".ipynb")):
                continue
            if h.rule == "sw_file_host":
                out.append(
                    emit.in_member(
                        ctx, m, h, 0.4, "URL of a paste/file host or remote executable", floor=0.3
                    )
                )
            else:
                out.append(emit.in_member(ctx, m, h, 0.2, "URL with a bare IP address"))
        yield from best_per_file(out)


RULE = _Rule()
