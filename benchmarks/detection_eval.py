"""Detection quality of the analysis engine on the dev corpus and the benign corpus.

Scans every malicious sample under /tmp/maldev (unzipped ``malicious-dev.zip``; campaigns from
``malicious-dev.tsv``) and every benign sdist in the benign cache, in-process with a pool of 2,
then prints recall (per sample and campaign-mean, suspicious-or-worse and malicious alone), the
false-positive rate with the rules behind each false positive, and the missed samples with their
top findings. Samples are only read as bytes.

    .venv/bin/python benchmarks/detection_eval.py [--jobs 2] [--json results.json] [--cv 5]

``--cv K`` adds a grouped cross-validation of the two verdict thresholds: campaigns and benign
packages are split in K folds; thresholds are chosen on K-1 folds (highest campaign-mean recall
within the FPR targets) and measured on the held-out fold, i.e. on unseen campaigns.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import multiprocessing
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

MALDEV = Path(os.environ.get("SNAKEWARDEN_MALDEV", "/tmp/maldev"))
TSV = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "malicious-dev.tsv"
BENIGN = (
    Path(os.environ.get("SNAKEWARDEN_CORPUS_CACHE", str(Path.home() / ".cache/snakewarden-corpus")))
    / "benign"
)

Row = dict[str, Any]


#: ``--package-signals``: also pass the pure metadata findings (no name list) through ``extra``,
#: to measure what wiring them into normal scans would bring. Set before the pool forks.
PACKAGE_SIGNALS = False


def _metadata_extra(artifact: Any) -> list[Any]:
    from snakewarden.metadata.heuristics import MetadataContext, metadata_findings

    if artifact.metadata is None:
        return []
    members = tuple(artifact.relative(m.path) for m in artifact.members)
    return list(metadata_findings(MetadataContext(artifact.metadata, members=members)))


def scan_one(job: tuple[str, str]) -> Row:
    """Scan one file (bytes only) and return a JSON-able summary."""
    from snakewarden.analysis import analyze
    from snakewarden.analysis.scoring import rule_strengths
    from snakewarden.artifacts import read_artifact
    from snakewarden.errors import ArtifactError

    label, path = job
    t0 = time.perf_counter()
    data = Path(path).read_bytes()
    try:
        artifact = read_artifact(data, Path(path).name)
    except ArtifactError as exc:
        return {
            "label": label,
            "path": path,
            "verdict": "error",
            "score": 0.0,
            "error": str(exc),
            "findings": [],
            "strengths": {},
            "seconds": time.perf_counter() - t0,
        }
    extra = _metadata_extra(artifact) if PACKAGE_SIGNALS else []
    result = analyze(artifact, target=path, extra=extra)
    return {
        "label": label,
        "path": path,
        "verdict": str(result.verdict),
        "score": result.score,
        "strengths": rule_strengths(result.findings),
        "findings": [
            [f.rule, f.weight, str(f.phase), f.file, f.line, f.evidence[:120]]
            for f in result.findings[:8]
        ],
        "seconds": time.perf_counter() - t0,
        "bytes": len(data),
    }


def load_jobs(limit: int | None) -> tuple[list[tuple[str, str]], dict[str, str]]:
    campaigns: dict[str, str] = {}
    jobs: list[tuple[str, str]] = []
    with TSV.open(newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            p = MALDEV / row["path"]
            if p.is_file():
                campaigns[str(p)] = row["campaign"]
                jobs.append(("malicious", str(p)))
    benign = sorted(str(p) for p in BENIGN.iterdir() if p.is_file()) if BENIGN.is_dir() else []
    jobs.extend(("benign", p) for p in benign)
    if limit:
        random.Random(0).shuffle(jobs)
        jobs = jobs[:limit]
    return jobs, campaigns


def metrics(rows: list[Row], campaigns: dict[str, str], sus: float, mal: float) -> dict[str, float]:
    """Recall/FPR at score thresholds ``sus`` and ``mal``."""
    per_campaign: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    benign = [r for r in rows if r["label"] == "benign"]
    for r in rows:
        if r["label"] == "malicious":
            per_campaign[campaigns[r["path"]]].append((r["score"] >= sus, r["score"] >= mal))
    mal_rows = [x for v in per_campaign.values() for x in v]

    def mean(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else 0.0

    return {
        "recall_sus": mean([float(a) for a, _ in mal_rows]),
        "recall_mal": mean([float(b) for _, b in mal_rows]),
        "camp_recall_sus": mean([mean([float(a) for a, _ in v]) for v in per_campaign.values()]),
        "camp_recall_mal": mean([mean([float(b) for _, b in v]) for v in per_campaign.values()]),
        "fpr_sus": mean([float(r["score"] >= sus) for r in benign]),
        "fpr_mal": mean([float(r["score"] >= mal) for r in benign]),
        "n_mal": len(mal_rows),
        "n_campaigns": len(per_campaign),
        "n_benign": len(benign),
    }


def cross_validate(rows: list[Row], campaigns: dict[str, str], k: int) -> None:
    rng = random.Random(1)
    camps = sorted(set(campaigns.values()))
    rng.shuffle(camps)
    fold_of = {c: i % k for i, c in enumerate(camps)}
    benign = [r["path"] for r in rows if r["label"] == "benign"]
    rng.shuffle(benign)
    bfold = {p: i % k for i, p in enumerate(benign)}

    def fold(r: Row) -> int:
        return fold_of[campaigns[r["path"]]] if r["label"] == "malicious" else bfold[r["path"]]

    grid = [x / 100 for x in range(20, 100)]
    held: list[dict[str, float]] = []
    for i in range(k):
        train = [r for r in rows if fold(r) != i]
        test = [r for r in rows if fold(r) == i]
        best_s = max(
            (t for t in grid if metrics(train, campaigns, t, 1.1)["fpr_sus"] <= 0.01),
            key=lambda t: (metrics(train, campaigns, t, 1.1)["camp_recall_sus"], -t),
            default=0.5,
        )
        best_m = max(
            (t for t in grid if metrics(train, campaigns, 1.1, t)["fpr_mal"] <= 0.002),
            key=lambda t: (metrics(train, campaigns, 1.1, t)["camp_recall_mal"], -t),
            default=0.8,
        )
        m = metrics(test, campaigns, best_s, best_m)
        m["sus_at"], m["mal_at"] = best_s, best_m
        held.append(m)
        print(
            f"fold {i}: thresholds {best_s:.2f}/{best_m:.2f}  camp-recall sus "
            f"{m['camp_recall_sus']:.3f} mal {m['camp_recall_mal']:.3f}  FPR sus "
            f"{m['fpr_sus']:.3%} mal {m['fpr_mal']:.3%}"
        )
    for key in ("camp_recall_sus", "camp_recall_mal", "fpr_sus", "fpr_mal"):
        print(f"cv mean {key}: {sum(h[key] for h in held) / k:.4f}")


def bare_loop_comparison(n: int) -> None:
    """CPU seconds, one process: open each archive and ast.parse every .py (the bare loop) vs
    read_artifact + analyze, on the same n random benign sdists."""
    import ast
    import io
    import tarfile
    import zipfile

    from snakewarden.analysis import analyze
    from snakewarden.artifacts import read_artifact

    files = sorted(p for p in BENIGN.iterdir() if p.is_file())
    random.Random(5).shuffle(files)
    files = files[:n]

    def bare(data: bytes) -> None:
        sources: list[bytes] = []
        if data[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                sources = [zf.read(name) for name in zf.namelist() if name.endswith(".py")]
        else:
            with tarfile.open(fileobj=io.BytesIO(data)) as tf:
                for member in tf:
                    fh = tf.extractfile(member) if member.isfile() else None
                    if fh is not None and member.name.endswith(".py"):
                        sources.append(fh.read())
        for src in sources:
            with contextlib.suppress(SyntaxError, ValueError, RecursionError):
                ast.parse(src)

    t0 = time.process_time()
    for p in files:
        bare(p.read_bytes())
    t1 = time.process_time()
    for p in files:
        analyze(read_artifact(p.read_bytes(), p.name), target=p.name)
    t2 = time.process_time()
    print(
        f"{len(files)} benign sdists, one process, CPU seconds: bare loop {t1 - t0:.1f}, "
        f"read_artifact + analyze {t2 - t1:.1f}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, help="scan a random subset (quick iterations)")
    ap.add_argument("--json", help="write every result row to this file")
    ap.add_argument("--load", help="re-use rows from a --json file instead of scanning")
    ap.add_argument("--cv", type=int, default=0, help="grouped K-fold CV of the thresholds")
    ap.add_argument("--missed", type=int, default=60, help="how many missed samples to list")
    ap.add_argument(
        "--bare",
        type=int,
        default=0,
        help="only compare CPU time with the bare "
        "loop (open + ast.parse every .py) on N random benign sdists",
    )
    ap.add_argument(
        "--package-signals",
        action="store_true",
        help="add the pure metadata findings via analyze(extra=...) (not wired into scans)",
    )
    args = ap.parse_args()
    global PACKAGE_SIGNALS
    PACKAGE_SIGNALS = args.package_signals
    if args.bare:
        bare_loop_comparison(args.bare)
        return 0

    from snakewarden.analysis.scoring import MALICIOUS_AT, SUSPICIOUS_AT

    jobs, campaigns = load_jobs(args.limit)
    t0 = time.perf_counter()
    if args.load:
        rows = json.loads(Path(args.load).read_text())
    else:
        with multiprocessing.get_context("fork").Pool(args.jobs, maxtasksperchild=200) as pool:
            rows = list(pool.imap_unordered(scan_one, jobs, chunksize=4))
    wall = time.perf_counter() - t0
    if args.json:
        Path(args.json).write_text(json.dumps(rows))

    m = metrics(rows, campaigns, SUSPICIOUS_AT, MALICIOUS_AT)
    print(
        f"scanned {len(rows)} files in {wall:.1f}s with {args.jobs} jobs "
        f"({m['n_mal']} malicious in {m['n_campaigns']} campaigns, {m['n_benign']} benign)"
    )
    print(f"thresholds: suspicious >= {SUSPICIOUS_AT}, malicious >= {MALICIOUS_AT}")
    print(
        f"recall (suspicious or worse): per sample {m['recall_sus']:.4f}, "
        f"campaign-mean {m['camp_recall_sus']:.4f}"
    )
    print(
        f"recall (malicious):           per sample {m['recall_mal']:.4f}, "
        f"campaign-mean {m['camp_recall_mal']:.4f}"
    )
    print(f"FPR on benign: suspicious-or-worse {m['fpr_sus']:.4%}, malicious {m['fpr_mal']:.4%}")
    errors = [r for r in rows if r["verdict"] == "error"]
    if errors:
        print(f"errors: {len(errors)}")
        for r in errors[:10]:
            print(f"  {r['label']} {r['path']}: {r.get('error')}")

    print("\nfalse positives (benign at suspicious or worse):")
    for r in sorted(rows, key=lambda r: -r["score"]):
        if r["label"] == "benign" and r["score"] >= SUSPICIOUS_AT:
            rules = ", ".join(
                f"{k}={v:.2f}" for k, v in sorted(r["strengths"].items(), key=lambda kv: -kv[1])[:5]
            )
            print(f"  {r['verdict']:10} {r['score']:.3f} {Path(r['path']).name}: {rules}")
            for f in r["findings"][:3]:
                print(f"      {f[0]} {f[1]} {f[2]} {f[3]}:{f[4]} {f[5][:100]}")

    print(f"\nmissed malicious samples (clean), first {args.missed}:")
    missed = [r for r in rows if r["label"] == "malicious" and r["score"] < SUSPICIOUS_AT]
    for r in sorted(missed, key=lambda r: r["path"])[: args.missed]:
        print(f"  {r['score']:.3f} {campaigns[r['path']]} {r['path'].removeprefix(str(MALDEV))}")
        for f in r["findings"][:3]:
            print(f"      {f[0]} {f[1]} {f[2]} {f[3]}:{f[4]} {f[5][:100]}")
    print(f"missed: {len(missed)}")

    secs = sorted(r["seconds"] for r in rows)
    if secs:
        print(
            f"\nper-file scan time: median {secs[len(secs) // 2] * 1000:.1f} ms, "
            f"p99 {secs[int(len(secs) * 0.99)] * 1000:.0f} ms, max {secs[-1] * 1000:.0f} ms"
        )
    if args.cv:
        print()
        cross_validate(rows, campaigns, args.cv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
