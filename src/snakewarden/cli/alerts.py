"""``snakewarden alerts``: list, acknowledge and close anomaly alerts."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from snakewarden.anomaly.alerts import Alert, AlertState
from snakewarden.anomaly.store import SqlAlertStore, UnknownAlertError, alerts_url_for_index

_STATES = ("open", "acknowledged", "closed", "all")


def index_settings(args: argparse.Namespace) -> tuple[str, Path]:
    """The index's database URL and data folder, resolved as ``snakewarden serve`` does."""
    from snakewarden.index.config import resolve_data_dir, resolve_db_url

    data_dir = resolve_data_dir(getattr(args, "data_dir", None), os.environ)
    return resolve_db_url(getattr(args, "index_db", None), os.environ, data_dir), data_dir


def database_url(args: argparse.Namespace) -> str:
    """``--db``, else where the index keeps its alerts (``alerts_url_for_index``): its
    PostgreSQL database, or ``anomaly.sqlite3`` in its data folder."""
    url = getattr(args, "db", None)
    if url:
        return str(url)
    db_url, data_dir = index_settings(args)
    return alerts_url_for_index(db_url, data_dir)


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        help="alerts database URL (default: the index's: its PostgreSQL $SNAKEWARDEN_DB, or "
        "anomaly.sqlite3 in its data folder)",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="the index's data folder (default: $SNAKEWARDEN_DATA_DIR or $SNAKEWARDEN_HOME/index)",
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "alerts",
        help="list and triage anomaly alerts",
        description="List anomaly alerts (exit 1 when an open alert is listed), or change "
        "their state with `alerts ack ID` / `alerts close ID`; `alerts show ID` prints the "
        "evidence.",
    )
    parser.add_argument("--state", choices=_STATES, default="open", help="default: open")
    parser.add_argument("--format", choices=("table", "jsonl"), default="table")
    parser.add_argument("--limit", type=int, default=1000, help="most alerts shown (newest)")
    add_db_option(parser)
    parser.set_defaults(func=run_list)
    actions = parser.add_subparsers(dest="alert_action", metavar="ACTION")
    show = actions.add_parser("show", help="an alert with its evidence and linked events")
    show.add_argument("alert_id", metavar="ID")
    add_db_option(show)
    show.set_defaults(func=run_show)
    for name, help_text in (("ack", "acknowledge an alert"), ("close", "close an alert")):
        sub = actions.add_parser(name, help=help_text)
        sub.add_argument("alert_id", metavar="ID")
        add_db_option(sub)
        sub.set_defaults(func=run_transition, target_state=name)


def format_table(alerts: list[Alert]) -> str:
    if not alerts:
        return "no alerts"
    rows = [("ID", "SEVERITY", "STATE", "DETECTOR", "SUBJECT", "TIME", "TITLE")]
    rows.extend(
        (
            a.id,
            a.severity.value,
            a.state.value,
            a.detector,
            f"{a.subject_kind.value}:{a.subject}",
            a.time.strftime("%Y-%m-%d %H:%M"),
            a.title,
        )
        for a in alerts
    )
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r[:6], widths, strict=False)) + "  " + r[6]
        for r in rows
    ]
    return "\n".join(lines)


def print_alerts(alerts: list[Alert], fmt: str) -> None:
    if fmt == "jsonl":
        for alert in alerts:
            print(alert.to_json_line())
    else:
        print(format_table(alerts))


def run_list(args: argparse.Namespace) -> int:
    store = SqlAlertStore(database_url(args))
    try:
        state = None if args.state == "all" else AlertState(args.state)
        alerts = store.list(state, max(1, args.limit))
    finally:
        store.close()
    print_alerts(alerts, args.format)
    return 1 if any(a.state is AlertState.OPEN for a in alerts) else 0


def format_alert(alert: Alert) -> str:
    lines = [
        f"{alert.id}  [{alert.severity.value}] {alert.state.value}",
        f"detector: {alert.detector}",
        f"subject:  {alert.subject_kind.value} {alert.subject}",
        f"time:     {alert.time.strftime('%Y-%m-%d %H:%M:%SZ')}",
        f"title:    {alert.title}",
        "evidence:",
        *(f"  {key}: {value}" for key, value in alert.evidence),
        f"events:   {', '.join(alert.event_ids)}",
    ]
    if alert.projects:
        lines.append(f"projects: {', '.join(alert.projects)}")
    return "\n".join(lines)


def run_show(args: argparse.Namespace) -> int:
    store = SqlAlertStore(database_url(args))
    try:
        alert = store.get(args.alert_id)
    finally:
        store.close()
    if alert is None:
        raise UnknownAlertError(args.alert_id)
    print(format_alert(alert))
    return 0


def run_transition(args: argparse.Namespace) -> int:
    state = AlertState.ACKNOWLEDGED if args.target_state == "ack" else AlertState.CLOSED
    store = SqlAlertStore(database_url(args))
    try:
        alert = store.set_state(args.alert_id, state)
    finally:
        store.close()
    print(f"{alert.id} {alert.state.value}: {alert.title}")
    print(f"alert {alert.id} is now {alert.state.value}", file=sys.stderr)
    return 0
