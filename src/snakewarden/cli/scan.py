"""``snakewarden scan``: judge distributions (archives, folders, files, or packages on an index).

Exit codes: 0 when no target reaches ``--fail-on``; 1 when one does (even if another target
errored); 2 on a usage error, or when a target could not be read or fetched and none reached
``--fail-on``; 3 when a bug in snakewarden stopped the scan of a target and none reached
``--fail-on`` (the other targets are still scanned and reported).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from snakewarden import __version__
from snakewarden.adapters.output import open_output
from snakewarden.adapters.pypi import DEFAULT_INDEX_URL
from snakewarden.core.models import ScanResult, Verdict
from snakewarden.errors import UsageError
from snakewarden.report import SCAN_FORMATS, RuleInfo, scan_reporter
from snakewarden.scanner import INTERNAL_ERROR, ScanOptions, iter_target_lines, scan_many

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3
_MAX_FROM_BYTES = 64 * 1024 * 1024


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "scan",
        help="scan distributions for malicious code",
        description=(
            "Scan Python distributions statically: nothing is installed, imported or run. "
            "TARGET is a path to an archive (sdist, wheel, egg, zip), a loose file, a source "
            "folder, or NAME / NAME==VERSION fetched from the index (the sdist when there is one, "
            "else a wheel) and checked against the index's sha256."
        ),
        epilog=(
            "exit codes: 0 nothing reached --fail-on; 1 a target reached it; 2 usage error, or a "
            "target could not be scanned (and none reached --fail-on); 3 internal error"
        ),
    )
    p.add_argument("targets", nargs="*", metavar="TARGET", help="path, NAME or NAME==VERSION")
    p.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="read more targets from FILE, one per line ('#' comments; '-' for stdin)",
    )
    p.add_argument(
        "--format",
        choices=SCAN_FORMATS,
        default="table",
        help="output format (default: table; styled on a terminal, plain otherwise)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=_cores(),
        metavar="N",
        help="worker processes (default: the number of cores)",
    )
    p.add_argument(
        "--fail-on",
        choices=("suspicious", "malicious"),
        default="malicious",
        help="exit 1 when a target is at least this bad (default: malicious)",
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (atomically)")
    p.add_argument(
        "--index-url",
        default=os.environ.get("SNAKEWARDEN_INDEX_URL", DEFAULT_INDEX_URL),
        metavar="URL",
        help="package index for NAME targets: a simple API URL (PEP 691/503), or a JSON API base "
        "ending in /pypi (default: %(default)s)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="give up on a target after this long when --jobs > 1 (default: 300)",
    )
    p.add_argument(
        "--history",
        action="store_true",
        help="compare each release with the earlier releases of its project on the index: new "
        "install-time code, capabilities, .pth files, binaries, dependencies, maintainers, mail "
        "and URLs; also dependency-confusion checks (private names, probe versions)",
    )
    p.add_argument(
        "--history-depth",
        type=int,
        default=3,
        metavar="N",
        help="with --history: how many earlier releases to compare with (default: 3)",
    )
    p.set_defaults(func=run)


def _read_from(spec: str) -> list[str]:
    if spec == "-":
        return list(iter_target_lines(sys.stdin))
    path = Path(spec)
    try:
        if path.stat().st_size > _MAX_FROM_BYTES:
            raise UsageError(f"--from {spec}: larger than {_MAX_FROM_BYTES} bytes")
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        raise UsageError(
            f"--from {spec}: cannot read: {exc.strerror or exc}", hint="check the path"
        ) from exc
    return list(iter_target_lines(text.splitlines()))


def rule_catalog() -> dict[str, RuleInfo]:
    """Descriptions of every rule a finding may name: analysis rules and archive checks."""
    from snakewarden.analysis.registry import builtin_rules
    from snakewarden.artifacts.reader import ARCHIVE_RULES

    catalog = {rid: RuleInfo(rid, text) for rid, text in ARCHIVE_RULES.items()}
    for rule in builtin_rules():
        meta = rule.meta
        catalog[meta.id] = RuleInfo(meta.id, meta.description, meta.severity, meta.category)
    return catalog


def _progress(results: Iterator[ScanResult], total: int) -> Iterator[ScanResult]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("scan", total=total)
        for r in results:
            bar.advance(task)
            yield r


def run(args: argparse.Namespace) -> int:
    targets: list[str] = list(args.targets)
    if args.from_file:
        targets += _read_from(args.from_file)
    if not targets:
        raise UsageError("no targets to scan", hint="pass paths or package names, or --from FILE")
    if args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    if not 1 <= args.history_depth <= 20:
        raise UsageError("--history-depth must be between 1 and 20")
    options = ScanOptions(
        index_url=args.index_url, history=args.history_depth if args.history else 0
    )
    jobs = min(args.jobs, len(targets))
    fail_rank = Verdict(args.fail_on).rank
    output = Path(args.output) if args.output else None
    styled = output is None and args.format == "table" and sys.stdout.isatty()
    rules = rule_catalog() if args.format == "sarif" else None
    worst_hit = False
    errors = internal = 0
    with open_output(output) as out:
        reporter = scan_reporter(
            args.format, out, styled=styled, rules=rules, tool_version=__version__
        )
        results: Iterator[ScanResult] = scan_many(targets, options, jobs=jobs, timeout=args.timeout)
        if sys.stderr.isatty() and len(targets) > 1:
            results = _progress(results, len(targets))
        for result in results:
            reporter.add(result)
            if result.verdict is Verdict.ERROR:
                errors += 1
                internal += (result.error or "").startswith(INTERNAL_ERROR)
            elif result.verdict.rank >= fail_rank:
                worst_hit = True
        reporter.close()
    if errors:
        print(
            f"snakewarden: {errors} of {len(targets)} target(s) could not be scanned "
            "(verdict 'error'; the report says why)",
            file=sys.stderr,
        )
    if internal:
        print(
            f"snakewarden: {internal} target(s) hit an internal error (a bug); please report it",
            file=sys.stderr,
        )
    if worst_hit:
        return EXIT_FINDINGS
    if internal:
        return EXIT_INTERNAL
    return EXIT_ERROR if errors else EXIT_CLEAN
