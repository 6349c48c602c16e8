"""Benchmark of ``scan --history`` on real consecutive releases of popular projects (FPR).

    .venv/bin/python benchmarks/history_bench.py [--projects 60] [--releases 3] [--depth 3]
                                                 [--cache DIR] [--max-size MiB] [--write]

For each of the first ``--projects`` projects of the popular list (``top-pypi.tsv`` order) whose
file is at most ``--max-size`` MiB, the ``--releases`` latest final releases are each scanned
with history against the ``--depth`` releases before them: exactly what
``snakewarden scan NAME==VERSION --history --history-depth DEPTH`` does, through the same code
(``snakewarden.adapters.release_history.history_findings``). Every release here is taken as
legitimate, so any ``suspicious`` or ``malicious`` verdict is a false positive; the report gives
the rate without and with history, and which history findings fired.

Files are fetched through PyPI's simple API (PEP 691) and cached in ``--cache``
(default ``~/.cache/snakewarden-history-bench``), outside the repository. Nothing is committed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import platform
import sys
import time
from collections import Counter
from pathlib import Path

from packaging.version import Version

from snakewarden.adapters.pypi import Download, PyPIClient, RemoteFile, choose_file
from snakewarden.adapters.release_history import earlier_versions, history_findings, with_findings
from snakewarden.analysis import analyze
from snakewarden.artifacts import read_artifact
from snakewarden.core.models import Verdict
from snakewarden.errors import ScanError
from snakewarden.names import load_default_checker

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


class CachingIndex:
    """PyPI's simple API, with every downloaded file kept on disk."""

    def __init__(self, cache: Path, max_size: int) -> None:
        self.client = PyPIClient("https://pypi.org/simple/", timeout=60.0, max_download=max_size)
        self.cache = cache
        self.max_size = max_size
        self._lists: dict[str, list[RemoteFile]] = {}

    def list_files(self, name: str, version: str | None = None) -> list[RemoteFile]:
        if name not in self._lists:
            self._lists[name] = self.client.list_files(name)
        return self._lists[name]

    def fetch(self, name: str, version: str | None) -> Download:
        chosen = choose_file(name, self.list_files(name), version)
        path = self.cache / chosen.filename
        if path.is_file():
            data = path.read_bytes()
            return Download(
                name=name,
                version=str(chosen.version),
                filename=chosen.filename,
                url=chosen.url,
                data=data,
                sha256=hashlib.sha256(data).hexdigest(),
            )
        download = self.client.fetch(name, str(chosen.version))
        path.write_bytes(download.data)
        return download


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=60)
    parser.add_argument("--releases", type=int, default=3)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--max-size", type=float, default=8.0, help="MiB")
    parser.add_argument(
        "--cache", type=Path, default=Path.home() / ".cache" / "snakewarden-history-bench"
    )
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    max_size = int(args.max_size * 1024 * 1024)
    with (SHARED / "data" / "top-pypi.tsv").open(newline="") as fh:
        popular = [row["name"] for row in csv.DictReader(fh, delimiter="\t")]
    names = load_default_checker()
    index = CachingIndex(args.cache, max_size)
    started = time.perf_counter()
    projects = 0
    scanned = 0
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    fired: Counter[str] = Counter()
    flagged: list[str] = []
    for name in popular:
        if projects >= args.projects:
            break
        try:
            files = index.list_files(name)
            latest = earlier_versions(files, None, args.releases + args.depth)
            if len(latest) < 2:
                continue
            index.fetch(name, latest[0])  # the size bound applies here
        except ScanError as exc:
            print(f"skip {name}: {exc.message}", file=sys.stderr)
            continue
        projects += 1
        for version in latest[: args.releases]:
            if not earlier_versions(files, Version(version), 1):
                continue
            try:
                download = index.fetch(name, version)
                artifact = read_artifact(download.data, download.filename)
            except ScanError as exc:
                print(f"skip {name}=={version}: {exc.message}", file=sys.stderr)
                continue
            result = analyze(artifact, target=f"{name}=={version}")
            extra = history_findings(
                artifact, result, index, depth=args.depth, names=names, environ={}
            )
            judged = with_findings(result, extra)
            scanned += 1
            before[result.verdict.value] += 1
            after[judged.verdict.value] += 1
            for f in extra:
                if f.weight > 0:
                    fired[f.category] += 1
            if judged.verdict is not Verdict.CLEAN and result.verdict is Verdict.CLEAN:
                top = max(extra, key=lambda f: f.weight)
                flagged.append(f"{name}=={version} {judged.verdict.value}: {top.message}")
            print(
                f"{name}=={version}: {result.verdict.value} -> {judged.verdict.value} "
                f"({result.score} -> {judged.score})",
                file=sys.stderr,
            )
    elapsed = time.perf_counter() - started

    def rate(c: Counter[str]) -> str:
        bad = c["suspicious"] + c["malicious"]
        return f"{bad}/{scanned} = {100 * bad / max(scanned, 1):.1f}% ({dict(c)})"

    print(f"machine: {platform.machine()}, CPython {platform.python_version()}")
    print(f"projects: {projects}; releases scanned with history: {scanned}; {elapsed:.0f} s")
    print(f"flagged without history: {rate(before)}")
    print(f"flagged with history:    {rate(after)}")
    print(f"history findings that fired (weight > 0): {dict(fired.most_common())}")
    for line in flagged:
        print(f"  newly flagged: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
