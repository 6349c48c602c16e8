"""pth-executable: a .pth file with import lines, which Python runs at every interpreter start."""

from __future__ import annotations

import re
from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext, make_finding, shorten
from snakewarden.analysis.rule import RuleMeta
from snakewarden.core.models import Finding, Phase, Severity

META = RuleMeta(
    id="pth-executable",
    description="a .pth file holds executable lines that run at every Python start-up",
    severity=Severity.HIGH,
    category="threat.startup.pth",
)
_EXEC_LINE = re.compile(rb"^[ \t]*import[ \t]")
_PLAIN_IMPORT = re.compile(rb"^[ \t]*import[ \t]+[\w.]+(\s*,\s*[\w.]+)*[ \t]*$")
_DANGER = re.compile(
    rb"b64decode|base64|subprocess|\bsystem\(|popen|urlopen|request|socket|marshal|zlib|codecs|"
    rb"\\x[0-9a-f]{2}|getattr\(|http",
    re.IGNORECASE,
)
_EXEC = re.compile(rb"\b(exec|eval|compile)\s*\(")


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        for m in ctx.artifact.members:
            if m.suffix != ".pth":
                continue
            nested = ctx.role_of(m) == Role.NESTED  # inside a shipped archive: never installed
            for no, line in enumerate(m.data.splitlines(), 1):
                if not _EXEC_LINE.match(line):
                    continue
                if _DANGER.search(line):
                    base, msg = 0.6, "a .pth line runs code with exec/decoding/process/network"
                elif _EXEC.search(line):
                    base, msg = 0.25, "a .pth line runs dynamic code at every start-up"
                elif _PLAIN_IMPORT.match(line):
                    base, msg = 0.05, "a .pth line imports a module at every start-up"
                else:
                    base, msg = 0.2, "a .pth line runs statements at every start-up"
                yield make_finding(
                    META.id,
                    META.category,
                    META.severity,
                    msg,
                    file=m.path,
                    line=no,
                    evidence=shorten(line.decode("utf-8", "replace")),
                    base=base,
                    phase=Phase.RUNTIME if nested else Phase.STARTUP,
                    role=Role.NESTED if nested else Role.PTH,
                )
                break


RULE = _Rule()
