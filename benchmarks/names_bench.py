"""Benchmark of ``snakewarden names check``: detection, false positives, speed.

    .venv/bin/python benchmarks/names_bench.py [--seed 42] [--sample 20000] [--show N]

- detection: the share of the distinct malicious project names of the dev corpus
  (``../shared/corpus/malicious-dev.tsv``) judged ``confusable``;
- false positives: the share of a fixed-seed random draw of other real names
  (``../shared/data/all-names.txt.gz``, corpus names left out) judged ``confusable``;
- speed: names per second of ``NameChecker.check`` after loading, over 200,000 real names
  (CPU time of the process, and wall clock: the machine is shared).

``--show N`` prints N flagged names of each set (to review what the rules do, not to tune on).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import platform
import random
import sys
import time
from pathlib import Path

from packaging.utils import canonicalize_name

from snakewarden.names import load_default_checker

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args()

    campaigns: dict[str, set[str]] = {}
    with (SHARED / "corpus" / "malicious-dev.tsv").open(newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            campaigns.setdefault(row["campaign"], set()).add(canonicalize_name(row["name"]))
    malicious = sorted(set().union(*campaigns.values()))
    with gzip.open(SHARED / "data" / "all-names.txt.gz", "rt") as fh:
        every = [line.strip() for line in fh if line.strip()]
    bad = set(malicious)
    others = [n for n in every if n not in bad]
    sample = random.Random(args.seed).sample(others, args.sample)

    started = time.perf_counter()
    checker = load_default_checker()
    load_s = time.perf_counter() - started

    hits = [v for v in map(checker.check, malicious) if v.confusable]
    false = [v for v in map(checker.check, sample) if v.confusable]

    speed_set = random.Random(args.seed + 1).sample(every, 200_000)
    started, cpu = time.perf_counter(), time.process_time()
    for name in speed_set:
        checker.check(name)
    rate = len(speed_set) / (time.perf_counter() - started)
    cpu_rate = len(speed_set) / (time.process_time() - cpu)

    print(f"machine: {platform.machine()}, CPython {platform.python_version()}")
    print(f"popular list: {len(checker)} names; load {load_s:.2f} s")
    print(
        f"malicious dev-corpus names flagged: {len(hits)}/{len(malicious)} "
        f"= {100 * len(hits) / len(malicious):.1f}%"
    )
    flagged = {v.name for v in hits}
    per_campaign = [len(names & flagged) / len(names) for names in campaigns.values()]
    print(
        f"mean over the {len(campaigns)} campaigns of the share of their names flagged: "
        f"{100 * sum(per_campaign) / len(per_campaign):.1f}%"
    )
    print(
        f"other real names flagged (seed {args.seed}): {len(false)}/{len(sample)} "
        f"= {100 * len(false) / len(sample):.2f}%"
    )
    print(
        f"speed: {cpu_rate:,.0f} names/s of CPU time ({rate:,.0f} names/s wall clock on the "
        "shared machine), 200,000 real names, one process"
    )
    if args.show:
        for title, group in (("flagged malicious", hits), ("flagged others", false)):
            print(f"\n{title}:", file=sys.stderr)
            for v in group[: args.show]:
                print(
                    f"  {v.name} ~ {','.join(v.similar_to[:2])} {','.join(v.kinds)} {v.score}",
                    file=sys.stderr,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
