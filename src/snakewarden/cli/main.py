"""``snakewarden`` entry point.

Exit codes (every command):
  0  clean: nothing reached the failure threshold
  1  findings: something reached it (malicious package, vulnerability, failed verification…)
  2  usage, input or I/O error: the command could not do its job; the message says why
  3  internal error: a bug in snakewarden (run with -v for the traceback and report it)
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from snakewarden import __version__
from snakewarden.errors import SnakewardenError

#: One module per command family under ``snakewarden.cli``; each defines ``register(subparsers)``
#: which adds its parsers and sets ``func(args) -> int`` on them.
COMMAND_MODULES: tuple[str, ...] = (
    "scan",
    "verify",
    "lock_hashes",
    "proxy",
    "audit",
    "db",
    "serve",
    "user",
    "token",
    "review",
    "names",
    "data",
    "alerts",
    "events",
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or with ``only`` (a module of COMMAND_MODULES) just that command's:
    importing every command module costs about a second, a single one almost nothing."""
    parser = argparse.ArgumentParser(
        prog="snakewarden",
        description="Supply-chain defence for Python packages.",
        epilog="exit codes: 0 clean, 1 findings, 2 usage or I/O error, 3 internal error",
    )
    parser.add_argument("--version", action="version", version=f"snakewarden {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show tracebacks and debug logs"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (only,) if only in COMMAND_MODULES else COMMAND_MODULES:
        module = importlib.import_module(f"snakewarden.cli.{name}")
        module.register(sub)
    return parser


def _command_module(argv: Sequence[str]) -> str | None:
    """The module of the command named first on the command line, when it is one of ours."""
    first = next((a for a in argv if not a.startswith("-")), None)
    name = first.replace("-", "_") if first else None
    return name if name in COMMAND_MODULES else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(_command_module(sys.argv[1:] if argv is None else argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return int(args.func(args))
    except SnakewardenError as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"snakewarden: error: {exc.diagnostics()}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("snakewarden: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN
    except Exception as exc:
        if args.verbose:
            traceback.print_exc()
        print(
            f"snakewarden: internal error: {type(exc).__name__}: {exc}\n"
            "hint: run again with -v for the traceback and report it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
