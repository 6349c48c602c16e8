"""``snakewarden events``: import JSON-lines events, replay or scan the stored history."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from snakewarden.anomaly.detectors import Engine
from snakewarden.anomaly.importer import MAX_LINES, load_file
from snakewarden.anomaly.service import import_events, scan_history
from snakewarden.anomaly.store import SqlAlertStore
from snakewarden.anomaly.webhook import Notifier, NullNotifier, WebhookNotifier
from snakewarden.cli.alerts import add_db_option, database_url, index_settings, print_alerts
from snakewarden.core.events import Event


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "events",
        help="import security events and run the anomaly detectors",
        description="Security events for anomaly detection (format: docs/events-format.md).",
    )
    actions = parser.add_subparsers(dest="events_action", metavar="ACTION", required=True)

    imp = actions.add_parser(
        "import",
        help="import a JSON-lines event file, run the detectors, store new alerts",
        description="Import events (idempotent by id), replay the whole stored history through "
        "the detectors and store the new alerts. Exit 1 when new alerts were raised.",
    )
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--skip-invalid", action="store_true", help="import the valid lines only")
    imp.add_argument("--max-lines", type=int, default=MAX_LINES, metavar="N")
    _common(imp)
    imp.set_defaults(func=run_import)

    replay = actions.add_parser(
        "replay",
        help="replay the stored history through the detectors and store new alerts",
    )
    _common(replay)
    _source(replay)
    replay.set_defaults(func=run_replay, store_alerts=True)

    scan = actions.add_parser(
        "scan", help="replay the stored history and print every alert, storing nothing"
    )
    _common(scan)
    _source(scan)
    scan.set_defaults(func=run_replay, store_alerts=False)


def _source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from-index",
        action="store_true",
        help="replay the index's own event log (see --data-dir, $SNAKEWARDEN_DB) instead of the "
        "imported events",
    )


def _common(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)
    parser.add_argument("--format", choices=("table", "jsonl"), default="table")
    parser.add_argument("--webhook", metavar="URL", help="POST each new alert as JSON to URL")


def _notifier(args: argparse.Namespace) -> Notifier:
    return WebhookNotifier(args.webhook) if getattr(args, "webhook", None) else NullNotifier()


def run_import(args: argparse.Namespace) -> int:
    result = load_file(args.file, max_lines=max(1, args.max_lines), skip_invalid=args.skip_invalid)
    for error in result.errors:
        print(f"snakewarden: skipped {args.file}:{error.line}: {error.reason}", file=sys.stderr)
    store = SqlAlertStore(database_url(args))
    try:
        report = import_events(result.events, store, store, notifier=_notifier(args))
    finally:
        store.close()
    print(
        f"imported {report.new_events} new event(s) of {report.received} "
        f"({report.received - report.new_events} already present); "
        f"{len(report.new_alerts)} new alert(s)",
        file=sys.stderr,
    )
    if report.new_alerts:
        print_alerts(list(report.new_alerts), args.format)
    return 1 if report.new_alerts else 0


def _index_events(args: argparse.Namespace) -> list[Event]:
    from snakewarden.index.db import Database
    from snakewarden.index.events import iter_events

    db_url, _ = index_settings(args)
    db = Database.open(db_url, run_migrations=False)
    try:
        return list(iter_events(db))
    finally:
        db.close()


def run_replay(args: argparse.Namespace) -> int:
    store = SqlAlertStore(database_url(args))
    try:
        found = Engine().scan(_index_events(args)) if args.from_index else scan_history(store)
        if not args.store_alerts:
            print_alerts(found, args.format)
            return 1 if found else 0
        new = store.add(found)
        if new:
            _notifier(args).notify(new)
    finally:
        store.close()
    print(f"{len(found)} alert(s) in the history, {len(new)} new", file=sys.stderr)
    if new:
        print_alerts(new, args.format)
    return 1 if new else 0
