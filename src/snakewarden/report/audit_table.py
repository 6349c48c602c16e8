"""The audit report as a terminal table (rich), followed by errors and a one-line summary."""

from __future__ import annotations

import io

from snakewarden.audit.model import AuditReport, FindingKind

_MAX_TITLE = 90


def _columns(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def render_plain(report: AuditReport) -> str:
    """The same report as plain aligned columns (no terminal needed; fast for CI logs)."""
    out: list[str] = []
    for dep, f in report.findings:
        if f.kind is FindingKind.MALICIOUS:
            out.append(
                f"MALICIOUS: {dep.label} is a known-malicious release ({f.id}). "
                "Remove it and treat any machine that installed it as compromised."
            )
    if out:
        out.append("")
    if report.findings:
        rows = [["Package", "Version", "ID", "Aliases", "Fix versions", "Severity", "Summary"]]
        for result in report.results:
            dep = result.dependency
            for f in result.findings:
                title = f.title if len(f.title) <= _MAX_TITLE else f.title[: _MAX_TITLE - 1] + "…"
                fixes = ", ".join(f.fix_versions) if f.kind is FindingKind.VULNERABILITY else "-"
                rows.append(
                    [dep.display_name or dep.name, dep.version or "", f.id, ", ".join(f.aliases),
                     fixes or "none known", f.severity or "-", title]
                )  # fmt: skip
        out.extend(_columns(rows))
        fix_rows = [["Package", "Installed", "Smallest version fixing all advisories"]]
        for result in report.results:
            kinds = {f.kind for f in result.findings}
            if FindingKind.VULNERABILITY in kinds and FindingKind.MALICIOUS not in kinds:
                dep = result.dependency
                fix_rows.append(
                    [dep.display_name or dep.name, dep.version or "",
                     result.fix_version or "no fixed version known"]
                )  # fmt: skip
        if len(fix_rows) > 1:
            out.append("")
            out.extend(_columns(fix_rows))
    errors = report.errors
    if errors:
        out.append(f"Not checked ({len(errors)}):")
        for p in errors:
            hint = f" (hint: {p.hint})" if p.hint else ""
            out.append(f"  {p.origin}: {p.subject}: {p.reason}{hint}")
    skipped = [p for p in report.problems if not p.error]
    if skipped:
        out.append(f"Notes and skipped ({len(skipped)}):")
        out.extend(f"  {p.origin}: {p.subject}: {p.reason}" for p in skipped)
    out.append(summary_line(report))
    return "\n".join(out) + "\n"


def render_table(report: AuditReport, *, color: bool = False, width: int = 160) -> str:
    """A rich table for terminals (``color``), plain columns otherwise."""
    if not color:
        return render_plain(report)
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buf = io.StringIO()
    console = Console(
        file=buf, force_terminal=color, no_color=not color, width=width, highlight=False
    )
    malicious = [(d, f) for d, f in report.findings if f.kind is FindingKind.MALICIOUS]
    if malicious:
        for dep, f in malicious:
            console.print(
                Text(
                    f"MALICIOUS: {dep.label} is a known-malicious release ({f.id}). "
                    "Remove it and treat any machine that installed it as compromised.",
                    style="bold red",
                )
            )
        console.print()
    if report.findings:
        table = Table(show_lines=False, header_style="bold")
        for col in ("Package", "Version", "ID", "Aliases", "Fix versions", "Severity", "Summary"):
            table.add_column(col, overflow="fold")
        for result in report.results:
            dep = result.dependency
            for f in result.findings:
                title = f.title if len(f.title) <= _MAX_TITLE else f.title[: _MAX_TITLE - 1] + "…"
                style = "bold red" if f.kind is FindingKind.MALICIOUS else ""
                fixes = ", ".join(f.fix_versions) if f.kind is FindingKind.VULNERABILITY else "-"
                table.add_row(
                    Text(dep.display_name or dep.name, style=style),
                    dep.version or "",
                    Text(f.id, style=style),
                    ", ".join(f.aliases),
                    fixes or "none known",
                    f.severity or "-",
                    title,
                )
        console.print(table)
        fixes_table = Table(title="Smallest version fixing all advisories", header_style="bold")
        for col in ("Package", "Installed", "Upgrade to"):
            fixes_table.add_column(col)
        for result in report.results:
            kinds = {f.kind for f in result.findings}
            if FindingKind.VULNERABILITY in kinds and FindingKind.MALICIOUS not in kinds:
                dep = result.dependency
                fixes_table.add_row(
                    dep.display_name or dep.name,
                    dep.version or "",
                    result.fix_version or "no fixed version known",
                )
        if fixes_table.row_count:
            console.print(fixes_table)
    errors = report.errors
    if errors:
        console.print(Text(f"Not checked ({len(errors)}):", style="bold yellow"))
        for p in errors:
            hint = f" (hint: {p.hint})" if p.hint else ""
            console.print(Text(f"  {p.origin}: {p.subject}: {p.reason}{hint}"))
    skipped = [p for p in report.problems if not p.error]
    if skipped:
        console.print(Text(f"Notes and skipped ({len(skipped)}):", style="dim"))
        for p in skipped:
            console.print(Text(f"  {p.origin}: {p.subject}: {p.reason}", style="dim"))
    console.print(Text(summary_line(report), style="bold"))
    return buf.getvalue()


def summary_line(report: AuditReport) -> str:
    n = len(report.results)
    vulnerable = sum(1 for r in report.results if r.findings)
    findings = len(report.findings)
    malicious = sum(1 for _d, f in report.findings if f.kind is FindingKind.MALICIOUS)
    ignored = sum(len(r.ignored) for r in report.results)
    parts = [f"{findings} finding{'s' * (findings != 1)} in {vulnerable} of {n} packages"]
    if malicious:
        parts.append(f"{malicious} known-malicious")
    if ignored:
        parts.append(f"{ignored} ignored")
    if report.errors:
        parts.append(f"{len(report.errors)} not checked")
    if not findings and not report.errors:
        return f"No known vulnerabilities found in {n} packages"
    return "; ".join(parts)
