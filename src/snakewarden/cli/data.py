"""``snakewarden data update``: refresh the reference data that ships with snakewarden.

Today that is the ranked list of popular PyPI names used by ``names check``, the scanner and the
index. The source, in order of preference:

- ``--from FILE``: a local file (TSV ``rank<TAB>name``, bare names one per line in rank order,
  or the top-pypi-packages JSON), e.g. one copied in by hand on a machine without network;
- ``--url URL`` (default: the public top-pypi-packages dataset by Hugo van Kemenade,
  https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json, refreshed monthly
  from PyPI's BigQuery download statistics).

The list is validated, then written atomically to ``$SNAKEWARDEN_HOME/names/popular.tsv.gz``,
which from then on wins over the shipped list. ``--top N`` keeps the N most downloaded names
(default 15,000, the size of the shipped list). ``snakewarden data update --reset`` removes the
refreshed copy and goes back to the shipped list.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path
from typing import Any

import httpx

from snakewarden import __version__
from snakewarden.adapters.files import write_atomic
from snakewarden.adapters.home import home_dir
from snakewarden.errors import FetchError, UsageError
from snakewarden.names.loader import MAX_LIST_BYTES, REFRESHED_LIST, parse_ranked_list

DEFAULT_URL = "https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json"
DEFAULT_TOP = 15_000
MIN_NAMES = 100  # a "popular list" shorter than this is surely a wrong file


def register(subparsers: Any) -> None:
    data = subparsers.add_parser(
        "data",
        help="refresh reference data (the popular-names list)",
        description="Manage snakewarden's local reference data.",
    )
    sub = data.add_subparsers(dest="data_command", metavar="SUBCOMMAND")
    update = sub.add_parser(
        "update",
        help="refresh the ranked list of popular PyPI names",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="exit codes: 0 updated; 2 the source could not be read or is not a name list",
    )
    source = update.add_mutually_exclusive_group()
    source.add_argument("--from", dest="from_file", metavar="FILE", help="read a local file")
    source.add_argument(
        "--url", default=DEFAULT_URL, help="download from URL (default: %(default)s)"
    )
    source.add_argument(
        "--reset", action="store_true", help="remove the refreshed list (use the shipped one)"
    )
    update.add_argument(
        "--top", type=int, default=DEFAULT_TOP, metavar="N", help="keep the N first names"
    )
    update.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS")
    update.set_defaults(func=run_update)
    data.set_defaults(func=lambda _args: _usage(data))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _download(url: str, timeout: float) -> bytes:
    headers = {"User-Agent": f"snakewarden/{__version__}"}
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True, headers=headers) as client,
            client.stream("GET", url) as resp,
        ):
            if resp.status_code != 200:
                raise FetchError(
                    f"{url}: HTTP {resp.status_code}",
                    hint="check the URL, or download the file by hand and pass --from FILE",
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > MAX_LIST_BYTES:
                    raise FetchError(f"{url}: larger than {MAX_LIST_BYTES} bytes")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise FetchError(
            f"{url}: {type(exc).__name__}: {exc}",
            hint="check the network, or download the file elsewhere and pass --from FILE",
        ) from exc
    return b"".join(chunks)


def run_update(args: argparse.Namespace) -> int:
    target = home_dir() / REFRESHED_LIST
    if args.reset:
        target.unlink(missing_ok=True)
        print(f"removed {target}; the shipped list is in use", file=sys.stderr)
        return 0
    if args.top < MIN_NAMES:
        raise UsageError(f"--top must be at least {MIN_NAMES}")
    if args.from_file:
        path = Path(args.from_file)
        try:
            with path.open("rb") as fh:
                raw = fh.read(MAX_LIST_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"--from {path}: cannot read: {exc.strerror or exc}") from exc
        source = str(path)
    else:
        raw = _download(args.url, args.timeout)
        source = args.url
    names = parse_ranked_list(raw)[: args.top]
    if len(names) < MIN_NAMES:
        raise UsageError(
            f"{source}: only {len(names)} names; refusing to replace the popular list",
            hint=f"a popular list needs at least {MIN_NAMES} names",
        )
    body = "".join(f"{rank}\t{name}\n" for rank, name in enumerate(names, 1))
    header = f"# snakewarden popular PyPI names, from {source}\n"
    write_atomic(target, gzip.compress((header + body).encode(), mtime=0))
    print(f"{len(names)} popular names written to {target}", file=sys.stderr)
    return 0
