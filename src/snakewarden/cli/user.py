"""``snakewarden user``: accounts of the index (add, 2FA, roles)."""

from __future__ import annotations

import argparse
import getpass
import sys

from snakewarden.cli.serve import add_location_options, open_services
from snakewarden.errors import UsageError
from snakewarden.index.events import RequestMeta
from snakewarden.index.models import Role


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):
        return "cli"


def read_password(prompt: str = "Password: ") -> str:
    """From stdin when it is not a terminal (first line), else asked twice."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise UsageError(
                "no password on stdin", hint="echo PASSWORD | snakewarden user add ..."
            )
        return password
    first = getpass.getpass(prompt)
    second = getpass.getpass("Repeat password: ")
    if first != second:
        raise UsageError("the passwords differ")
    return first


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("user", help="manage the index's user accounts")
    sub = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="create a user (password from stdin when not a terminal)")
    add.add_argument("name")
    add.add_argument("--email", required=True)
    add.add_argument("--admin", action="store_true", help="an administrator (review, events)")
    add_location_options(add)
    add.set_defaults(func=_add)

    tfa = sub.add_parser(
        "2fa",
        help="set up TOTP 2FA: prints the secret and otpauth:// URI; --confirm CODE enables it",
    )
    tfa.add_argument("name")
    tfa.add_argument("--confirm", metavar="CODE", help="a code from the authenticator app")
    add_location_options(tfa)
    tfa.set_defaults(func=_two_factor)

    reset = sub.add_parser(
        "reset-2fa", help="remove a user's 2FA (lost device); revokes all their tokens"
    )
    reset.add_argument("name")
    add_location_options(reset)
    reset.set_defaults(func=_reset)

    passwd = sub.add_parser(
        "passwd", help="set a user's password (stdin when not a terminal); ends their sessions"
    )
    passwd.add_argument("name")
    add_location_options(passwd)
    passwd.set_defaults(func=_passwd)

    email = sub.add_parser("email", help="change a user's email address")
    email.add_argument("name")
    email.add_argument("email")
    add_location_options(email)
    email.set_defaults(func=_email)

    role = sub.add_parser("role", help="give a user a role on a project (or remove it)")
    role.add_argument("name")
    role.add_argument("project")
    role.add_argument("--role", choices=["owner", "maintainer", "none"], default="maintainer")
    add_location_options(role)
    role.set_defaults(func=_role)


def _add(args: argparse.Namespace) -> int:
    password = read_password()
    services = open_services(args)
    account = services.accounts.create_user(
        args.name, args.email, password, admin=args.admin, meta=RequestMeta.cli(), actor=_actor()
    )
    print(f"created user {account.username}" + (" (admin)" if account.is_admin else ""))
    print(f"next: snakewarden user 2fa {account.username}", file=sys.stderr)
    return 0


def _two_factor(args: argparse.Namespace) -> int:
    services = open_services(args)
    if args.confirm is None:
        secret, uri = services.accounts.begin_two_factor(args.name)
        print(f"secret: {secret}")
        print(f"uri: {uri}")
        print(
            f"add it to an authenticator, then: snakewarden user 2fa {args.name} --confirm CODE",
            file=sys.stderr,
        )
        return 0
    codes = services.accounts.confirm_two_factor(args.name, args.confirm, meta=RequestMeta.cli())
    print(f"two-factor authentication enabled for {args.name}")
    print("recovery codes (each works once; store them safely, they are not shown again):")
    for code in codes:
        print(f"  {code}")
    return 0


def _reset(args: argparse.Namespace) -> int:
    services = open_services(args)
    services.accounts.disable_two_factor(args.name, actor=_actor(), meta=RequestMeta.cli())
    print(f"2FA removed for {args.name}; their API tokens are revoked")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    password = read_password("New password: ")
    services = open_services(args)
    services.accounts.set_password(args.name, password, actor=_actor(), meta=RequestMeta.cli())
    print(f"password of {args.name} changed; their sessions are closed")
    return 0


def _email(args: argparse.Namespace) -> int:
    services = open_services(args)
    services.accounts.set_email(args.name, args.email, actor=_actor(), meta=RequestMeta.cli())
    print(f"email of {args.name} changed")
    return 0


def _role(args: argparse.Namespace) -> int:
    services = open_services(args)
    role = None if args.role == "none" else Role(args.role)
    services.accounts.set_role(
        args.project, args.name, role, actor=_actor(), meta=RequestMeta.cli()
    )
    print(f"{args.name}: {args.role} of {args.project}")
    return 0
