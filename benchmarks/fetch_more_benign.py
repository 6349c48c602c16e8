"""Fetch an extra benign validation corpus: popular PyPI sdists never used while tuning rules.

Run (re-runnable; files already cached with the right sha256 are kept)::

    .venv/bin/python benchmarks/fetch_more_benign.py                # 600 sdists, seed 1
    .venv/bin/python benchmarks/fetch_more_benign.py --count 100 --seed 2 --jobs 4
    .venv/bin/python benchmarks/fetch_more_benign.py --kind wheel   # 600 wheels instead

It mirrors the design of ``../shared/corpus/benign.tsv`` (the 300 most downloaded projects plus
200 drawn from ranks 1,000-15,000) over the projects of ``../shared/data/top-pypi.tsv`` that are
*not* in ``benign.tsv`` (PEP 503 names): 60% of ``--count`` are the next most-downloaded ones,
40% a seeded random draw from ranks 1,000-15,000. For each it reads
``https://pypi.org/pypi/NAME/json`` and takes the latest release's sdist; a project with none, or
with one over 15 MB, is skipped (as ``benign.tsv`` did) and the next candidate of the same stream
takes its place. Downloads are checked against the JSON's sha256 and written atomically into
``$SNAKEWARDEN_EXTRA_CACHE`` (default ``~/.cache/snakewarden-corpus/benign-extra``), with the
manifest ``benign-extra.tsv`` (name, version, filename, sha256, size, rank) beside them.

``--kind wheel`` takes one wheel of that release instead of its sdist, the first found of: a
pure-Python one (``py3-none-any``, ``py2.py3-none-any``), a CPython 3.11 one
(``cp311-cp311-manylinux*_x86_64``), an abi3 one (``cp3*-abi3-manylinux*_x86_64``); ties go to
the smallest file name. Selection, seeds, the 15 MB cap and the skipping ("no wheel") are the same,
and so is the manifest; its default folder is ``benign-wheels`` beside the sdists' one (same
parent), so the two manifests never mix.

A project already in that manifest keeps its pinned version (``--refresh`` takes the latest
again), and a pinned file that is present with its sha256 is not looked up at all. The files are
only downloaded, never unpacked, installed or run. Progress goes to stderr; the folder is printed
on the last line of stdout.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import urljoin

import httpx
from packaging.tags import parse_tag
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
TOP_TSV = SHARED / "data" / "top-pypi.tsv"
BENIGN_TSV = SHARED / "corpus" / "benign.tsv"
DEFAULT_DEST = Path(
    os.environ.get(
        "SNAKEWARDEN_EXTRA_CACHE", Path.home() / ".cache" / "snakewarden-corpus" / "benign-extra"
    )
)
WHEEL_DEST = DEFAULT_DEST.with_name("benign-wheels")  # default folder of --kind wheel
MANIFEST = "benign-extra.tsv"
FIELDS = ("name", "version", "filename", "sha256", "size", "rank")
MAX_SIZE = 15_000_000  # benign.tsv's cut: its largest sdist is 14.1 MB (wheels too)
RANDOM_RANKS = (1_000, 15_000)
TOP_SHARE = 0.6  # benign.tsv: 300 from the top, 200 drawn at random
RETRIES = 2
MAX_JOBS = 6
MAX_STREAK = 25  # consecutive look-up failures after which a stream gives up (offline, outage)
API = "https://pypi.org/pypi"
USER_AGENT = "snakewarden-benchmarks/fetch_more_benign (+httpx)"


@dataclass(frozen=True, slots=True)
class Project:
    name: str  # as listed in top-pypi.tsv
    rank: int


@dataclass(frozen=True, slots=True)
class Release:
    name: str
    version: str
    filename: str
    sha256: str
    size: int
    rank: int
    url: str  # "" when resolved from a pinned manifest row whose file is already cached


class Skip(Exception):
    """The project has nothing to take (no sdist or wheel, too big, not on PyPI)."""


class FetchError(Exception):
    """A network or integrity failure that outlived its retries."""


# --------------------------------------------------------------------------------------- inputs


def read_top(path: Path) -> list[Project]:
    with path.open(newline="") as fh:
        return [
            Project(row["name"], int(row["rank"])) for row in csv.DictReader(fh, delimiter="\t")
        ]


def read_names(path: Path) -> set[str]:
    with path.open(newline="") as fh:
        return {canonicalize_name(row["name"]) for row in csv.DictReader(fh, delimiter="\t")}


def read_manifest(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        return {}
    with path.open(newline="") as fh:
        return {canonicalize_name(r["name"]): r for r in csv.DictReader(fh, delimiter="\t")}


def streams(top: list[Project], used: set[str], seed: int) -> tuple[list[Project], list[Project]]:
    """The two candidate streams: unused projects by rank, and a seeded shuffle of 1,000-15,000."""
    seen: set[str] = set()
    fresh: list[Project] = []
    for p in sorted(top, key=lambda p: p.rank):
        key = canonicalize_name(p.name)
        if key not in used and key not in seen:
            seen.add(key)
            fresh.append(p)
    lo, hi = RANDOM_RANKS
    pool = [p for p in fresh if lo <= p.rank <= hi]
    random.Random(seed).shuffle(pool)
    return fresh, pool


# ----------------------------------------------------------------------------------------- http


def _get(client: httpx.Client, url: str) -> httpx.Response:
    """GET with retries on transport errors, 429 and 5xx; a 404 becomes ``Skip``."""
    last = ""
    for attempt in range(RETRIES + 1):
        if attempt:
            time.sleep(2.0 * attempt)
        try:
            resp = client.get(url)
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}"
            continue
        if resp.status_code == 404:
            raise Skip("not found on PyPI")
        if resp.status_code == 429 or resp.status_code >= 500:
            last = f"HTTP {resp.status_code}"
            continue
        if resp.status_code != 200:
            raise FetchError(f"HTTP {resp.status_code} for {url}")
        return resp
    raise FetchError(f"{last} for {url} (after {RETRIES} retries)")


FileEntry = dict[str, object]


def _choose_sdist(files: list[FileEntry]) -> FileEntry | None:
    sdists = [u for u in files if u.get("packagetype") == "sdist"]
    # A release with several sdists (rare): prefer the .tar.gz, as pip does.
    sdists.sort(key=lambda u: (not str(u.get("filename", "")).endswith(".tar.gz"), u["filename"]))
    return sdists[0] if sdists else None


# Wheel tags in order of preference: pure Python, CPython 3.11, then the stable ABI; x86_64 glibc.
WHEEL_TAGS = ("py3-none-any", "cp311-cp311-manylinux*_x86_64", "cp3*-abi3-manylinux*_x86_64")


def _wheel_rank(u: FileEntry) -> tuple[int, str]:
    """(index in ``WHEEL_TAGS`` of the best tag it carries, else ``len(WHEEL_TAGS)``; file name)."""
    name = str(u.get("filename", ""))
    parts = name.removesuffix(".whl").split("-")
    if u.get("packagetype") != "bdist_wheel" or len(parts) not in (5, 6):
        return len(WHEEL_TAGS), name
    tags = [str(t) for t in parse_tag("-".join(parts[-3:]))]  # expands py2.py3, dotted platforms
    hits = (i for i, pat in enumerate(WHEEL_TAGS) if any(fnmatchcase(t, pat) for t in tags))
    return min(hits, default=len(WHEEL_TAGS)), name


def _choose_wheel(files: list[FileEntry]) -> FileEntry | None:
    best = min(files, key=_wheel_rank, default=None)
    return best if best is not None and _wheel_rank(best)[0] < len(WHEEL_TAGS) else None


CHOOSERS: dict[str, Callable[[list[FileEntry]], FileEntry | None]] = {
    "sdist": _choose_sdist,
    "wheel": _choose_wheel,
}


def _pick(resp: httpx.Response, project: Project, filename: str | None, kind: str) -> Release:
    doc: object = resp.json()
    if not isinstance(doc, dict):
        raise FetchError("unexpected JSON document")
    info, urls = doc.get("info"), doc.get("urls")
    if not isinstance(info, dict) or not isinstance(urls, list):
        raise FetchError("unexpected JSON document")
    version = str(info.get("version", ""))
    files = [
        u
        for u in urls
        if isinstance(u, dict)
        and not u.get("yanked")
        and (filename is None or u.get("filename") == filename)
    ]
    u = CHOOSERS[kind](files)
    if u is None:
        raise Skip(f"no {kind}" if filename is None else f"pinned {filename} gone")
    name, digests = str(u.get("filename", "")), u.get("digests")
    sha = str(digests.get("sha256", "")) if isinstance(digests, dict) else ""
    size, url = u.get("size"), u.get("url")
    if not name or Path(name).name != name or name.startswith(".") or len(sha) != 64:
        raise FetchError(f"unusable file entry {name!r}")
    if not isinstance(size, int) or not isinstance(url, str):
        raise FetchError(f"unusable file entry {name!r}")
    if size > MAX_SIZE:
        raise Skip(f"{kind} over 15 MB ({size / 1e6:.1f} MB)")
    # Some index front ends give file URLs relative to the JSON page.
    full = urljoin(str(resp.url), url)
    return Release(project.name, version, name, sha, size, project.rank, full)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def resolve(
    client: httpx.Client,
    project: Project,
    pins: dict[str, dict[str, str]],
    dest: Path,
    kind: str,
) -> Release:
    pin = pins.get(canonicalize_name(project.name))
    if pin is None:
        return _pick(_get(client, f"{API}/{project.name}/json"), project, None, kind)
    cached = dest / pin["filename"]
    safe = Path(pin["filename"]).name == pin["filename"]
    if safe and cached.is_file() and _sha256(cached) == pin["sha256"]:
        size = int(pin["size"])
        return Release(
            project.name, pin["version"], pin["filename"], pin["sha256"], size, project.rank, ""
        )
    resp = _get(client, f"{API}/{project.name}/{pin['version']}/json")
    return _pick(resp, project, pin["filename"], kind)


def download(client: httpx.Client, rel: Release, dest: Path) -> str:
    """``kept`` when already cached with the right hash, else ``fetched``; raises FetchError."""
    path = dest / rel.filename
    if path.is_file() and _sha256(path) == rel.sha256:
        return "kept"
    if not rel.url:
        raise FetchError(f"{rel.filename}: cached copy changed and no URL is known")
    tmp = path.with_name(f".{rel.filename}.{threading.get_ident()}.part")
    last = ""
    for attempt in range(RETRIES + 1):
        if attempt:
            time.sleep(2.0 * attempt)
        h = hashlib.sha256()
        size = 0
        try:
            with client.stream("GET", rel.url) as resp, tmp.open("wb") as out:
                if resp.status_code != 200:
                    last = f"HTTP {resp.status_code}"
                    if resp.status_code == 429 or resp.status_code >= 500:
                        continue
                    break
                for chunk in resp.iter_bytes(1 << 16):
                    size += len(chunk)
                    if size > MAX_SIZE:
                        raise FetchError(f"{rel.filename}: larger than announced")
                    h.update(chunk)
                    out.write(chunk)
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}"
            continue
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if h.hexdigest() != rel.sha256:
            last = "sha256 mismatch"
            continue
        os.replace(tmp, path)
        return "fetched"
    tmp.unlink(missing_ok=True)
    raise FetchError(f"{rel.filename}: {last}")


# ------------------------------------------------------------------------------------ selection


@dataclass(slots=True)
class Tally:
    skipped: list[tuple[Project, str]]
    failed: list[tuple[str, str]]


def select(
    client: httpx.Client,
    stream: list[Project],
    quota: int,
    taken: set[str],
    pins: dict[str, dict[str, str]],
    dest: Path,
    pool: ThreadPoolExecutor,
    tally: Tally,
    label: str,
    kind: str,
) -> list[Release]:
    """Walk ``stream`` in order until ``quota`` projects resolved to a file (deterministic)."""
    got: list[Release] = []
    pos, streak = 0, 0

    def one(p: Project) -> Release | str:
        try:
            return resolve(client, p, pins, dest, kind)
        except Skip as exc:
            return f"skip:{exc}"
        except (FetchError, httpx.HTTPError, ValueError, OSError) as exc:
            return f"fail:{type(exc).__name__}: {exc}"

    while len(got) < quota and pos < len(stream):
        batch = stream[pos : pos + quota - len(got)]
        pos += len(batch)
        batch = [p for p in batch if canonicalize_name(p.name) not in taken]
        for p, res in zip(batch, pool.map(one, batch), strict=True):
            if len(got) >= quota:
                break
            if isinstance(res, Release):
                got.append(res)
                taken.add(canonicalize_name(p.name))
                streak = 0
            elif res.startswith("skip:"):
                tally.skipped.append((p, res.removeprefix("skip:")))
                streak = 0
            else:
                tally.failed.append((p.name, "look-up " + res.removeprefix("fail:")))
                streak += 1
        print(f"{label}: {len(got)}/{quota} resolved, {pos} candidates looked at", file=sys.stderr)
        if streak >= MAX_STREAK:
            print(f"{label}: {streak} look-ups failed in a row, giving up", file=sys.stderr)
            break
    return got


def write_manifest(path: Path, rows: list[Release]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(FIELDS)
        for r in sorted(rows, key=lambda r: canonicalize_name(r.name)):
            w.writerow((r.name, r.version, r.filename, r.sha256, r.size, r.rank))
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--kind", choices=("sdist", "wheel"), default="sdist", help="file taken (sdist)"
    )
    ap.add_argument("--count", type=int, default=600, help="files wanted in total (600)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the random draw (1)")
    ap.add_argument("--jobs", type=int, default=4, help=f"threads, at most {MAX_JOBS} (4)")
    ap.add_argument("--dest", type=Path, help=f"folder ({DEFAULT_DEST}; wheels: {WHEEL_DEST})")
    ap.add_argument("--top", type=Path, default=TOP_TSV, help="ranked project list")
    ap.add_argument(
        "--exclude",
        type=Path,
        action="append",
        help="TSV manifests (a `name` column) of projects already used; repeatable "
        "(default: benign.tsv)",
    )
    ap.add_argument("--refresh", action="store_true", help="ignore the manifest's pinned versions")
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error("--count must be at least 1")
    jobs = max(1, min(args.jobs, MAX_JOBS))
    dest: Path = (args.dest or (WHEEL_DEST if args.kind == "wheel" else DEFAULT_DEST)).expanduser()
    dest.mkdir(parents=True, exist_ok=True)
    pins = {} if args.refresh else read_manifest(dest / MANIFEST)
    used = set().union(*(read_names(p) for p in args.exclude or [BENIGN_TSV]))
    fresh, drawn = streams(read_top(args.top), used, args.seed)
    n_top = round(args.count * TOP_SHARE)
    quotas = (("top", fresh, n_top), ("random", drawn, args.count - n_top))
    tally = Tally([], [])
    taken: set[str] = set()
    releases: list[Release] = []
    timeout = httpx.Timeout(30.0, read=120.0)
    limits = httpx.Limits(max_connections=jobs, max_keepalive_connections=jobs)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    with (
        httpx.Client(timeout=timeout, limits=limits, headers=headers, follow_redirects=True) as cl,
        ThreadPoolExecutor(jobs) as pool,
    ):
        origin: dict[str, str] = {}
        for label, stream, quota in quotas:
            picked = select(cl, stream, quota, taken, pins, dest, pool, tally, label, args.kind)
            origin.update((r.name, label) for r in picked)
            releases += picked

        done: list[Release] = []
        status: Counter[str] = Counter()

        def fetch(rel: Release) -> str:
            try:
                return download(cl, rel, dest)
            except (FetchError, httpx.HTTPError, OSError) as exc:
                return f"failed: {exc}"

        for i, (rel, res) in enumerate(zip(releases, pool.map(fetch, releases), strict=True), 1):
            if res in ("kept", "fetched"):
                status[res] += 1
                done.append(rel)
            else:
                status["failed"] += 1
                tally.failed.append((rel.name, res))
            if i % 25 == 0 or i == len(releases):
                print(f"download: {i}/{len(releases)} {dict(status)}", file=sys.stderr)
    write_manifest(dest / MANIFEST, done)

    reasons = Counter(reason.split(" (")[0] for _, reason in tally.skipped)
    for p, reason in tally.skipped:
        print(f"skipped {p.name} (rank {p.rank}): {reason}", file=sys.stderr)
    for name, reason in tally.failed:
        print(f"FAILED {name}: {reason}", file=sys.stderr)
    by_stream = Counter(origin[r.name] for r in done)
    print(
        f"{len(done)} {args.kind}s in the manifest "
        f"({status['fetched']} fetched, {status['kept']} kept; "
        f"next most downloaded: {by_stream['top']}, drawn from ranks "
        f"{RANDOM_RANKS[0]:,}-{RANDOM_RANKS[1]:,}: {by_stream['random']}); "
        f"skipped {len(tally.skipped)} {dict(reasons)}; failed {len(tally.failed)}",
        file=sys.stderr,
    )
    print(dest)
    return 0 if len(done) == args.count and not tally.failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
