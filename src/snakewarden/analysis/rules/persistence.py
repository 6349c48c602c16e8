"""persistence: Run keys, startup folders, scheduled tasks, cron, systemd, launch agents."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, parsed
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="persistence",
    description="installs itself to survive reboots (Run keys, startup folder, cron, systemd...)",
    severity=Severity.HIGH,
    category="threat.persistence",
)
_WEIGHTS = {"sw_persistence_windows": 0.6, "sw_persistence_unix": 0.3, "sw_shell_rc": 0.1}
_DOCS = (".md", ".rst", ".txt", ".html", ".ipynb")


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for m, h in ctx.yara_hits(*_WEIGHTS):
            if m.path.endswith(_DOCS):
                continue
            out.append(
                emit.in_member(
                    ctx,
                    m,
                    h,
                    _WEIGHTS[h.rule],
                    f"persistence mechanism ({h.matched.decode(errors='replace')[:60]})",
                    floor=0.35,
                )
            )
        for src, facts in parsed(ctx):
            for call in facts.calls:
                if call.name in ("winreg.SetValueEx", "_winreg.SetValueEx", "winreg.CreateKey"):
                    out.append(  # noqa: PERF401
                        emit.at(
                            src, call.line, call.scope, 0.2, f"writes the registry ({call.name})"
                        )
                    )
        yield from best_per_file(out)


RULE = _Rule()
