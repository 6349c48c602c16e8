"""``snakewarden names check``: is a project name a typosquat of a popular one?

Prints one result per name: ``name``, ``verdict`` (``confusable`` or ``ok``), ``similar_to``
(popular names, best first), ``kinds`` (how it resembles them) and ``score`` (0..1).
Exit codes: 0 all names ``ok``; 1 some name ``confusable``; 2 usage or input error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from snakewarden.adapters.home import home_dir
from snakewarden.errors import UsageError
from snakewarden.names import NameVerdict, load_default_checker

EXIT_CLEAN, EXIT_FINDINGS = 0, 1
_MAX_FROM_BYTES = 64 * 1024 * 1024


def register(subparsers: Any) -> None:
    names = subparsers.add_parser(
        "names",
        help="check project names for typosquatting",
        description="Judge project names against the ranked list of popular PyPI names.",
    )
    sub = names.add_subparsers(dest="names_command", metavar="SUBCOMMAND")
    check = sub.add_parser(
        "check",
        help="say which names imitate a popular project",
        description=(
            "Judge each NAME: 'confusable' when it imitates a popular project (omission, "
            "repetition, transposition, keyboard slips, look-alike characters, separators, "
            "affixes, word order), else 'ok'. Popular names and members of well-known families "
            "(types-*, django-*, pytest-*...) are 'ok'. The popular list is the shipped one, or "
            "the one 'snakewarden data update' refreshed."
        ),
        epilog="exit codes: 0 every name ok; 1 a name is confusable; 2 usage or input error",
    )
    check.add_argument("names", nargs="*", metavar="NAME", help="project names")
    check.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="read more names from FILE, one per line ('#' comments; '-' for stdin)",
    )
    check.add_argument(
        "--format",
        choices=("table", "jsonl"),
        default="table",
        help="output format (default: table)",
    )
    check.set_defaults(func=run_check)
    names.set_defaults(func=lambda _args: _usage(names))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _lines(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def _read_from(spec: str) -> list[str]:
    if spec == "-":
        return _lines(sys.stdin.read(_MAX_FROM_BYTES))
    path = Path(spec)
    try:
        if path.stat().st_size > _MAX_FROM_BYTES:
            raise UsageError(f"--from {spec}: larger than {_MAX_FROM_BYTES} bytes")
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(
            f"--from {spec}: cannot read: {exc.strerror or exc}", hint="check the path"
        ) from exc
    return _lines(text)


def _write_table(verdicts: list[NameVerdict], out: TextIO) -> None:
    width = max([len("NAME"), *(len(v.name) for v in verdicts)])
    out.write(f"{'NAME':<{width}}  {'VERDICT':<10}  {'SCORE':>5}  SIMILAR TO (KINDS)\n")
    for v in verdicts:
        similar = ", ".join(v.similar_to)
        kinds = f" ({', '.join(v.kinds)})" if v.kinds else ""
        out.write(f"{v.name:<{width}}  {v.verdict.value:<10}  {v.score:>5.2f}  {similar}{kinds}\n")


def run_check(args: argparse.Namespace) -> int:
    names: list[str] = list(args.names)
    if args.from_file:
        names += _read_from(args.from_file)
    if not names:
        raise UsageError("no names to check", hint="pass project names, or --from FILE")
    checker = load_default_checker(home_dir())
    verdicts = [checker.check(name) for name in names]
    if args.format == "jsonl":
        for v in verdicts:
            sys.stdout.write(json.dumps(v.to_dict(), ensure_ascii=False) + "\n")
    else:
        _write_table(verdicts, sys.stdout)
    return EXIT_FINDINGS if any(v.confusable for v in verdicts) else EXIT_CLEAN
