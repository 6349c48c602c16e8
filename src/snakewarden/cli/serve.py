"""``snakewarden serve``: run the package index (and the helpers shared by the index's
admin commands: ``--data-dir``/``--db`` and opening the services)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from snakewarden.errors import UsageError
from snakewarden.index.config import IndexConfig, resolve_data_dir, resolve_db_url
from snakewarden.index.web import IndexServices

MiB = 1024 * 1024


def add_location_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="the data folder (default: $SNAKEWARDEN_DATA_DIR, else $SNAKEWARDEN_HOME/index)",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL, e.g. postgresql+psycopg://USER@HOST:5432/DB "
        "(default: $SNAKEWARDEN_DB, else SQLite in the data folder)",
    )


def config_from_args(args: argparse.Namespace, **overrides: object) -> IndexConfig:
    data_dir = resolve_data_dir(args.data_dir, os.environ)
    db_url = resolve_db_url(args.db, os.environ, data_dir)
    return IndexConfig(data_dir=data_dir, db_url=db_url, **overrides)  # type: ignore[arg-type]


def open_services(args: argparse.Namespace) -> IndexServices:
    """The services for an admin command: no workers, no name checker."""
    from snakewarden.index.app import build_services

    return build_services(config_from_args(args, workers=0, check_names=False))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "serve",
        help="run a package index that scans every upload before serving it",
        description="Run the package index: PEP 503/691 simple API, uploads with twine/uv "
        "(user __token__), accounts with 2FA. Every upload is scanned; only clean files are "
        "served.",
    )
    add_location_options(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--workers", type=int, default=1, help="scan worker threads (0: none)")
    p.add_argument(
        "--scan-processes",
        type=int,
        default=0,
        metavar="N",
        help="scan in N child processes (a hostile file can crash or hang only a child); "
        "default 0: in the worker threads",
    )
    p.add_argument(
        "--max-upload-mb", type=int, default=100, help="largest accepted file in MiB (default 100)"
    )
    p.add_argument(
        "--open-registration",
        action="store_true",
        help="let anyone create an account with POST /api/users (default: admins only)",
    )
    p.add_argument(
        "--trust-proxy",
        action="store_true",
        help="take the client address from X-Forwarded-For (only behind your own proxy)",
    )
    p.add_argument(
        "--no-name-check",
        action="store_true",
        help="do not refuse new project names confusable with popular or existing ones",
    )
    p.add_argument("--base-url", help="public URL of the index, for absolute URLs in the JSON API")
    p.add_argument(
        "--upstream",
        nargs="?",
        const="https://pypi.org/simple/",
        metavar="URL",
        help="serve projects not hosted here from this index (default with no URL: PyPI), "
        "each file scanned before it is served (snakewarden proxy)",
    )
    p.add_argument("--policy", metavar="FILE", help="the proxy's policy file (with --upstream)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from snakewarden.index.app import build_services, create_app
    from snakewarden.index.server import serve_forever

    if not 0 < args.port < 65536:
        raise UsageError(f"invalid port {args.port}")
    if not 0 <= args.workers <= 64:
        raise UsageError("--workers must be between 0 and 64")
    if not 0 <= args.scan_processes <= 64:
        raise UsageError("--scan-processes must be between 0 and 64")
    if not 0 < args.max_upload_mb <= 4096:
        raise UsageError("--max-upload-mb must be between 1 and 4096")
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    config = config_from_args(
        args,
        workers=args.workers,
        scan_processes=args.scan_processes,
        max_upload_size=args.max_upload_mb * MiB,
        open_registration=args.open_registration,
        trust_proxy_headers=args.trust_proxy,
        check_names=not args.no_name_check,
        base_url=args.base_url,
    )
    if args.policy and not args.upstream:
        raise UsageError("--policy applies to --upstream")
    services = build_services(config)
    if args.upstream:
        from pathlib import Path

        from snakewarden.cli.proxy import attach_to_index

        attach_to_index(
            services, config.data_dir, args.upstream, Path(args.policy) if args.policy else None
        )
    print(
        f"snakewarden index: data in {config.data_dir}, database {services.db.backend}, "
        f"{config.workers} scan worker(s); simple API at http://{args.host}:{args.port}/simple/",
        file=sys.stderr,
    )
    serve_forever(
        create_app(services), args.host, args.port, log_level="debug" if args.verbose else "info"
    )
    return 0
