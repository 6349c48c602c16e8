"""``snakewarden review``: the review queue of the index, and the event log."""

from __future__ import annotations

import argparse
import json

from snakewarden.cli.serve import add_location_options, open_services
from snakewarden.cli.user import _actor
from snakewarden.errors import UsageError
from snakewarden.index.events import RequestMeta, iter_events
from snakewarden.index.models import FileState
from snakewarden.index.review import ReviewAction


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("review", help="review held uploads; approve, quarantine, delete")
    sub = p.add_subparsers(dest="review_command", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help="files waiting for review (held by the scanner)")
    listing.add_argument(
        "--state",
        default="held",
        help="comma-separated states: pending, held, quarantined, published, deleted",
    )
    listing.add_argument("--format", choices=["table", "json"], default="table")
    add_location_options(listing)
    listing.set_defaults(func=_list)

    for action, text in (
        (ReviewAction.APPROVE, "publish a held file"),
        (ReviewAction.QUARANTINE, "quarantine a file: never served again"),
        (ReviewAction.DELETE, "delete a file (its name can never be uploaded again)"),
    ):
        a = sub.add_parser(action.value, help=text)
        a.add_argument("filename")
        a.add_argument("--reason", default="")
        add_location_options(a)
        a.set_defaults(func=_act, action=action)

    events = sub.add_parser("events", help="print the security event log as JSON lines")
    events.add_argument("--after", type=int, default=0, metavar="ID")
    add_location_options(events)
    events.set_defaults(func=_events)


def _list(args: argparse.Namespace) -> int:
    try:
        states = tuple(FileState(s.strip()) for s in args.state.split(",") if s.strip())
    except ValueError as exc:
        raise UsageError(f"unknown state in {args.state!r}") from exc
    services = open_services(args)
    items = services.review.queue(states)
    if args.format == "json":
        print(json.dumps([i.to_dict() for i in items], indent=2))
        return 0
    if not items:
        print("the review queue is empty")
        return 0
    for i in items:
        score = f"{i.score:.2f}" if i.score is not None else "-"
        print(f"{i.state:<11} {i.verdict or '-':<10} {score:>5}  {i.filename}  (by {i.uploader})")
        print(f"            {i.reason}")
        for f in i.findings[:5]:
            where = f"{f.get('file', '')}:{f.get('line', 0)}"
            print(
                f"            - [{f.get('severity')}] {f.get('rule')}: {f.get('message')} ({where})"
            )
    return 0


def _act(args: argparse.Namespace) -> int:
    services = open_services(args)
    state = services.review.act(
        args.filename, args.action, actor=_actor(), reason=args.reason, meta=RequestMeta.cli()
    )
    print(f"{args.filename}: {state}")
    return 0


def _events(args: argparse.Namespace) -> int:
    services = open_services(args)
    for e in iter_events(services.db, after=args.after):
        print(
            json.dumps(
                {
                    "id": int(e.id),
                    "time": e.time.isoformat(),
                    "tag": e.tag.value,
                    "actor": e.actor,
                    "project": e.project,
                    "version": e.version,
                    "filename": e.filename,
                    "ip": e.ip,
                    "user_agent": e.user_agent,
                    "details": dict(e.details),
                }
            )
        )
    return 0
