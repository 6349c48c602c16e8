"""pth-executable: a .pth file with import lines, which Python runs at every interpreter start."""

from __future__ import annotations

import re
from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext, make_finding, shorten
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
    rb"exec|eval|compile|b64decode|base64|subprocess|system|popen|urlopen|request|socket|"
    rb"marshal|zlib|codecs|\\x[0-9a-f]{2}|getattr|__import__\(\s*['\"](?!_?distutils|setuptools)",
    re.IGNORECASE,
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        for m in ctx.artifact.members:
            if m.suffix != ".pth":
                continue
            for no, line in enumerate(m.data.splitlines(), 1):
                if not _EXEC_LINE.match(line):
                    continue
                if _DANGER.search(line):
                    base, msg = 0.6, "a .pth line runs code with exec/decoding/process/network"
                elif _PLAIN_IMPORT.match(line):
                    base, msg = 0.05, "a .pth line imports a module at every start-up"
                else:
                    base, msg = 0.2, "a .pth line runs statements at every start-up"
                yield make_finding(
                    META.id, META.category, META.severity, msg, file=m.path, line=no,
                    evidence=shorten(line.decode("utf-8", "replace")), base=base,
                    phase=Phase.STARTUP, role="pth",
                )
                break


RULE = _Rule()
