"""``snakewarden db``: the local advisory database (import, update, status, serve).

The database is ``$SNAKEWARDEN_HOME/advisories.db`` (``--db PATH`` for another file).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from snakewarden.errors import OsvError, UsageError

EXIT_OK, EXIT_ERROR = 0, 2
_SOURCES = ("osv", "pypa", "pypi")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "db",
        help="manage the local advisory database (OSV records)",
        description="Import, update, inspect and serve the local OSV advisory database.",
    )
    sub = parser.add_subparsers(dest="db_command", metavar="DB_COMMAND")
    parser.set_defaults(func=lambda _args: _usage(parser))

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        type=Path,
        help="database file (default: $SNAKEWARDEN_HOME/advisories.db)",
    )

    p_import = sub.add_parser(
        "import",
        parents=[common],
        help="import OSV records from files",
        description=(
            "Import OSV records from FILE: a JSON object, a JSON array, JSON lines, a gzip of "
            "those, a zip of JSON/YAML files, or a folder of JSON/YAML files (e.g. a checkout of "
            "the PyPA advisory database). Records replace stored ones with the same id unless "
            "the stored one is newer. The import is one transaction."
        ),
        epilog="exit codes: 0 imported, 2 nothing imported or an input/I/O error",
    )
    p_import.add_argument("files", metavar="FILE", type=Path, nargs="+")
    p_import.add_argument(
        "--source", default="file", help="source label recorded for these records (default: file)"
    )
    p_import.set_defaults(func=run_import)

    p_update = sub.add_parser(
        "update",
        parents=[common],
        help="download and import the advisory sources",
        description=(
            "Download a source and import it as a full snapshot of that source. osv: OSV's "
            "export of all PyPI records (PYSEC, GHSA and MAL- malicious-package records); pypa: "
            "the PyPA advisory database. With --path, import a local copy instead of "
            "downloading. The pypi source answers per package: use `snakewarden audit --online`."
        ),
        epilog="exit codes: 0 updated, 2 download or import failed (the old database is kept)",
    )
    p_update.add_argument(
        "--source",
        action="append",
        choices=_SOURCES,
        help="source to refresh (repeatable; default: osv)",
    )
    p_update.add_argument("--url", help="download from this URL (a mirror) instead")
    p_update.add_argument(
        "--path", type=Path, help="import this local file or folder instead of downloading"
    )
    p_update.add_argument("--timeout", type=float, default=60.0, help="network timeout (seconds)")
    p_update.set_defaults(func=run_update)

    p_status = sub.add_parser(
        "status",
        parents=[common],
        help="show the database's age, counts and sources",
        epilog="exit codes: 0 usable, 2 empty or unreadable",
    )
    p_status.add_argument("--format", choices=("text", "json"), default="text")
    p_status.set_defaults(func=run_status)

    p_serve = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the database as an OSV-compatible query API",
        description=(
            "Answer OSV's POST /v1/query, POST /v1/querybatch and GET /v1/vulns/{id} from the "
            "local database, e.g. for `pip-audit -s osv --osv-url http://HOST:PORT/v1/query`."
        ),
    )
    p_serve.add_argument("--host", default="127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8765)
    p_serve.set_defaults(func=run_serve)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_ERROR


def _open(args: argparse.Namespace, *, create: bool = False) -> Any:
    from snakewarden.adapters.home import home_dir
    from snakewarden.advisories.store import DB_FILENAME, SqliteAdvisoryStore

    path = args.db if args.db is not None else home_dir() / DB_FILENAME
    if args.db is not None and not create and not path.exists():
        raise UsageError(f"--db {path} does not exist")
    return SqliteAdvisoryStore(path)


def _print_stats(stats: Any) -> None:
    print(
        f"{stats.source}: {stats.seen} records read, {stats.written} written, "
        f"{stats.unchanged} unchanged (stored copy newer), {stats.removed} removed, "
        f"{stats.rejected} rejected"
    )
    for problem in stats.problems:
        print(f"  rejected: {problem}", file=sys.stderr)
    if stats.rejected > len(stats.problems):
        print(f"  ... and {stats.rejected - len(stats.problems)} more", file=sys.stderr)


def run_import(args: argparse.Namespace) -> int:
    from snakewarden.advisories.sources import import_path

    store = _open(args, create=True)
    total = 0
    try:
        for path in args.files:
            if not path.exists():
                raise UsageError(f"{path} does not exist")
            stats = import_path(
                store, path, source=args.source, location=str(path), replace_source=False
            )
            _print_stats(stats)
            total += stats.seen
    finally:
        store.close()
    if total == 0:
        print("snakewarden: error: no OSV records found in the input", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def run_update(args: argparse.Namespace) -> int:
    import httpx

    from snakewarden import __version__
    from snakewarden.advisories.sources import update_source

    sources = args.source or ["osv"]
    if "pypi" in sources:
        raise UsageError(
            "the pypi source has no bulk export",
            hint="use `snakewarden audit --online` for per-package look-ups in the index",
        )
    if (args.path or args.url) and len(sources) != 1:
        raise UsageError("--path and --url need exactly one --source")
    store = _open(args, create=True)
    try:
        with httpx.Client(
            timeout=httpx.Timeout(args.timeout, connect=15.0),
            follow_redirects=True,
            headers={"User-Agent": f"snakewarden/{__version__}"},
        ) as client:
            for name in sources:
                print(f"updating {name} ...", file=sys.stderr)
                stats = update_source(
                    store,
                    name,
                    client=client,
                    workdir=store.path.parent,
                    url=args.url,
                    path=args.path,
                )
                _print_stats(stats)
    finally:
        store.close()
    return EXIT_OK


def _age(iso: str, now: datetime) -> str:
    try:
        then = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return "unknown"
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400 * 2:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def run_status(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        status = store.status()
    finally:
        store.close()
    now = datetime.now(UTC)
    if args.format == "json":
        doc = {
            "path": status.path,
            "records": status.records,
            "withdrawn": status.withdrawn,
            "malicious": status.malicious,
            "packages": status.packages,
            "newest_modified": status.newest_modified or None,
            "last_import": status.last_import or None,
            "age": _age(status.last_import, now) if status.last_import else None,
            "sources": [
                {"name": s.name, "location": s.location, "imported_at": s.imported_at,
                 "records": s.records}
                for s in status.sources
            ],
        }  # fmt: skip
        print(json.dumps(doc, indent=2))
    else:
        print(f"database:        {status.path}")
        print(f"records:         {status.records} ({status.withdrawn} withdrawn, "
              f"{status.malicious} malicious-package)")  # fmt: skip
        print(f"packages:        {status.packages}")
        print(f"newest record:   {status.newest_modified or '-'}")
        if status.last_import:
            print(f"last import:     {status.last_import} ({_age(status.last_import, now)} ago)")
        else:
            print("last import:     never")
        for s in status.sources:
            print(
                f"source {s.name}: {s.records} records from {s.location}, imported {s.imported_at}"
            )
    if status.records == 0:
        print(
            "snakewarden: error: the advisory database is empty\n"
            "hint: run `snakewarden db update` or `snakewarden db import FILE`",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from snakewarden.advisories.service import create_osv_app

    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a TCP port")
    store = _open(args)
    status = store.status()
    if status.records == 0:
        raise OsvError(
            "the advisory database is empty",
            hint="run `snakewarden db update` or `snakewarden db import FILE` first",
        )
    print(
        f"serving {status.records} OSV records on http://{args.host}:{args.port}/v1/query",
        file=sys.stderr,
    )
    try:
        uvicorn.run(create_osv_app(store), host=args.host, port=args.port, log_level="warning")
    finally:
        store.close()
    return EXIT_OK
