"""``snakewarden token``: API tokens for uploads (shown once, stored hashed)."""

from __future__ import annotations

import argparse
import sys

from snakewarden.cli.serve import add_location_options, open_services
from snakewarden.cli.user import _actor
from snakewarden.index.events import RequestMeta


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("token", help="manage API tokens of the index")
    sub = p.add_subparsers(dest="token_command", metavar="ACTION", required=True)

    create = sub.add_parser("create", help="create an API token (needs 2FA); prints it once")
    create.add_argument("name", help="the user")
    create.add_argument("--otp", required=True, metavar="CODE", help="a current 2FA code")
    create.add_argument(
        "--project",
        action="append",
        default=[],
        metavar="P",
        help="limit the token to this project (repeat for several; default: all the user's)",
    )
    create.add_argument("--expires", type=float, metavar="DAYS", help="expire after DAYS days")
    create.add_argument("--description", default="", help="a note to recognize the token")
    add_location_options(create)
    create.set_defaults(func=_create)

    listing = sub.add_parser("list", help="list a user's tokens (never their secrets)")
    listing.add_argument("name")
    add_location_options(listing)
    listing.set_defaults(func=_list)

    revoke = sub.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id", type=int)
    revoke.add_argument("--reason", default="revoked by an administrator")
    add_location_options(revoke)
    revoke.set_defaults(func=_revoke)


def _create(args: argparse.Namespace) -> int:
    services = open_services(args)
    token, info = services.accounts.create_token(
        args.name,
        args.otp,
        projects=args.project,
        expires_days=args.expires,
        description=args.description,
        meta=RequestMeta.cli(),
    )
    print(token)
    scope = ", ".join(info.projects) or "all projects of the user"
    until = f"until {info.expires_at:%Y-%m-%d %H:%M} UTC" if info.expires_at else "no expiry"
    print(
        f"token {info.id} for {args.name}: {scope}; {until}. It is shown only now.\n"
        f"use it with: twine upload --repository-url URL/legacy/ -u __token__ -p TOKEN",
        file=sys.stderr,
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    services = open_services(args)
    for t in services.accounts.list_tokens(args.name):
        state = "revoked" if t.revoked_at else "active"
        expires = t.expires_at.strftime("%Y-%m-%d") if t.expires_at else "never"
        print(
            f"{t.id}\t{t.prefix}...\t{state}\texpires {expires}\t"
            f"{','.join(t.projects) or '*'}\t{t.description}"
        )
    return 0


def _revoke(args: argparse.Namespace) -> int:
    services = open_services(args)
    services.accounts.revoke_token(
        args.id, actor=_actor(), reason=args.reason, meta=RequestMeta.cli()
    )
    print(f"token {args.id} revoked")
    return 0
