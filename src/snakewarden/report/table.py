"""``table``: a summary table of every target, then the findings behind each flagged one.

Styled (colours, bold) when writing to a terminal, plain text otherwise, so that it reads the same
in a CI log. Every string from a scanned package is shown as plain text: no markup is
interpreted and control characters are replaced.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from snakewarden.core.models import Finding, ScanResult, Severity, Verdict

_VERDICT_STYLE = {
    Verdict.MALICIOUS: "bold red",
    Verdict.SUSPICIOUS: "bold yellow",
    Verdict.CLEAN: "green",
    Verdict.ERROR: "bold magenta",
}
_SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
#: Findings listed per flagged target (the strongest first); the rest are counted.
MAX_DETAILS = 12
_EVIDENCE = 160


def _clean(text: str, limit: int = 300) -> str:
    """``text`` on one line, without control characters, shortened to ``limit``."""
    out = "".join(
        " " if c in "\t\r\n" else "\ufffd" if unicodedata.category(c) in ("Cc", "Cs") else c
        for c in text[: limit + 1]
    )
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _where(f: Finding) -> str:
    if not f.file:
        return ""
    return f"{f.file}:{f.line}" if f.line else f.file


class TableReporter:
    def __init__(self, out: TextIO, *, styled: bool = False, width: int | None = None) -> None:
        self.console = Console(
            file=out,
            force_terminal=styled,
            no_color=not styled,
            highlight=False,
            emoji=False,
            markup=False,
            width=width or (None if styled else 120),
            soft_wrap=False,
        )
        self.styled = styled
        self.results: list[ScanResult] = []

    def add(self, result: ScanResult) -> None:
        self.results.append(result)

    def close(self) -> None:
        con = self.console
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        table.add_column("target", overflow="fold")
        table.add_column("verdict", no_wrap=True)
        table.add_column("score", justify="right", no_wrap=True)
        table.add_column("package", overflow="fold")
        table.add_column("why", overflow="fold")
        for r in self.results:
            package = " ".join(x for x in (r.name, r.version) if x)
            if r.verdict is Verdict.ERROR:
                why = _clean(r.error or "", 200)
            elif r.verdict is Verdict.CLEAN:
                why = ""
            else:
                top = [f for f in r.findings if f.weight > 0][:3]
                why = ", ".join(dict.fromkeys(f.rule for f in top))
            table.add_row(
                Text(_clean(r.target, 200)),
                Text(str(r.verdict), style=_VERDICT_STYLE[r.verdict]),
                Text(f"{r.score:.2f}"),
                Text(_clean(package, 120)),
                Text(why),
            )
        con.print(table)
        for r in self.results:
            if r.verdict in (Verdict.MALICIOUS, Verdict.SUSPICIOUS):
                self._details(r)
        counts = Counter(r.verdict for r in self.results)
        parts = [
            f"{counts[v]} {v}"
            for v in (Verdict.MALICIOUS, Verdict.SUSPICIOUS, Verdict.CLEAN, Verdict.ERROR)
        ]
        n = len(self.results)
        con.print(Text(f"{n} target{'s' if n != 1 else ''}: " + ", ".join(parts)))

    def _details(self, r: ScanResult) -> None:
        con = self.console
        con.print()
        head = Text()
        head.append(_clean(r.target, 200), style="bold")
        head.append(": ")
        head.append(str(r.verdict), style=_VERDICT_STYLE[r.verdict])
        head.append(f" (score {r.score:.2f})")
        con.print(head)
        shown = [f for f in r.findings if f.weight > 0] or list(r.findings)
        for f in shown[:MAX_DETAILS]:
            line = Text("  ")
            line.append(f"{f.severity:<8}", style=_SEVERITY_STYLE[f.severity])
            line.append(f" {f.rule}", style="bold")
            where = _where(f)
            if where:
                line.append(f"  {_clean(where, 200)}")
            con.print(line)
            con.print(Text(f"      {_clean(f.message)}"))
            if f.evidence:
                con.print(Text(f"      > {_clean(f.evidence, _EVIDENCE)}", style="dim"))
        if len(shown) > MAX_DETAILS:
            con.print(Text(f"  … and {len(shown) - MAX_DETAILS} more (use --format json)"))
