"""reverse-shell: a shell whose input and output are wired to a network connection."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, group_calls, parsed
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="reverse-shell",
    description="connects a socket and hands it a shell (dup2 + shell, /dev/tcp, nc -e)",
    severity=Severity.CRITICAL,
    category="threat.backdoor.reverse_shell",
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out = [
            emit.in_member(ctx, m, h, 0.9, "reverse shell", floor=0.6)
            for m, h in ctx.yara_hits("sw_reverse_shell")
        ]
        for src, _facts in parsed(ctx):
            for calls in group_calls(src).values():
                names = {c.name for c in calls}
                methods = {c.name.rsplit(".", 1)[-1] for c in calls}
                connects = "connect" in methods or "socket.create_connection" in names
                dup = "os.dup2" in names
                shell = (
                    "pty.spawn" in names
                    or any(n.startswith("subprocess.") for n in names)
                    or "os.system" in names
                )
                if connects and dup and shell:
                    first = next(c for c in calls if c.name == "os.dup2")
                    out.append(
                        emit.at(
                            src,
                            first.line,
                            first.scope,
                            0.9,
                            "socket wired to a shell (connect + dup2 + shell)",
                            floor=0.6,
                        )
                    )
        yield from best_per_file(out)


RULE = _Rule()
