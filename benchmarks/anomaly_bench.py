"""Anomaly detection benchmark: scripted incidents inside a generated month of background.

    .venv/bin/python benchmarks/anomaly_bench.py [--accounts 3000] [--days 30] [--seed N]

Reports, per scenario, whether it was detected and after how many of its own events, and the
false alerts per 100,000 background events (every alert that links no scenario event is false).
Targets: every scenario within 5 of its events; at most 1 false alert per 100,000 events.
"""

from __future__ import annotations

import argparse
import collections
import json
import platform
import resource
import sys
import time
from pathlib import Path

from snakewarden.anomaly.detectors import Engine
from snakewarden.anomaly.generator import GeneratorConfig, generate
from snakewarden.anomaly.scenarios import build_scenarios, evaluate
from snakewarden.core.events import Event, EventTag


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=3000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=GeneratorConfig().seed)
    parser.add_argument("--downloads-per-day", type=int, default=20_000)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--show-false", type=int, default=10, help="print this many false alerts")
    parser.add_argument(
        "--import-events",
        type=int,
        default=0,
        metavar="N",
        help="also time `snakewarden events import` of the first N background events (SQLite)",
    )
    args = parser.parse_args()

    config = GeneratorConfig(
        seed=args.seed,
        accounts=args.accounts,
        days=args.days,
        downloads_per_day=args.downloads_per_day,
    )
    t0 = time.perf_counter()
    population, background = generate(config)
    t1 = time.perf_counter()
    scenarios = build_scenarios(population, seed=args.seed)
    engine = Engine()
    t2 = time.perf_counter()
    result = evaluate(background, scenarios, engine, measure_from=population.start)
    t3 = time.perf_counter()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    tags = collections.Counter(e.tag for e in background)
    downloads = tags[EventTag.FILE_DOWNLOADED]
    in_month = sum(1 for e in background if e.time >= population.start)
    print(f"background: {len(background):,} events ({in_month:,} in the month, "
          f"{downloads:,} downloads), {len(population.accounts):,} accounts, "
          f"{len(population.projects):,} projects; generated in {t1 - t0:.1f} s")  # fmt: skip
    total = len(background) + sum(len(s.events) for s in scenarios)
    print(f"detectors: {total:,} events in {t3 - t2:.1f} s "
          f"({total / (t3 - t2):,.0f} events/s), peak RSS {rss_mib:,.0f} MiB\n")  # fmt: skip
    print(f"{'scenario':26} {'detected':8} {'events until alert':>18}  first alert")
    ok = True
    rows = []
    for r in result.results:
        until = (
            f"{r.events_until_alert} of {r.total_events}"
            if r.detected
            else f"- of {r.total_events}"
        )
        first = f"{r.alert.detector} ({r.alert.severity.value})" if r.alert else "-"
        print(f"{r.name:26} {'yes' if r.detected else 'NO':8} {until:>18}  {first}")
        ok &= r.detected and (r.events_until_alert or 99) <= 5
        rows.append({"scenario": r.name, "detected": r.detected,
                     "events_until_alert": r.events_until_alert, "events": r.total_events,
                     "alert": r.alert.to_json() if r.alert else None})  # fmt: skip
    false = result.false_alerts
    month_downloads = sum(
        1 for e in background if e.time >= population.start and e.tag is EventTag.FILE_DOWNLOADED
    )
    non_download = result.background_events - month_downloads
    print(f"\nfalse alerts in the month: {len(false)} over {result.background_events:,} "
          f"background events = {result.false_per_100k:.2f} per 100,000 "
          f"({100_000 * len(false) / max(1, non_download):.2f} per 100,000 "
          "non-download events)")  # fmt: skip
    warm = result.warmup_false_alerts
    print(f"(warm-up history before the month: {len(warm)} false alerts over "
          f"{result.warmup_events:,} events = "
          f"{100_000 * len(warm) / max(1, result.warmup_events):.2f} per 100,000)")  # fmt: skip
    warm_by = collections.Counter(a.detector for a in warm)
    if warm_by:
        print("  warm-up by detector: " + ", ".join(f"{d} {n}" for d, n in warm_by.most_common()))
    by_detector = collections.Counter(a.detector for a in false)
    if by_detector:
        print("  by detector: " + ", ".join(f"{d} {n}" for d, n in by_detector.most_common()))
    for alert in false[: args.show_false]:
        print(f"  - [{alert.severity.value}] {alert.explanation[:220]}")
    ok &= result.false_per_100k <= 1.0
    print(
        f"\ntargets (all scenarios within 5 events, <= 1 false / 100k): {'MET' if ok else 'MISSED'}"
    )
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")  # fmt: skip
    if args.import_events:
        _time_import(background[: args.import_events])
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "config": {"accounts": args.accounts, "days": args.days, "seed": args.seed,
                       "downloads_per_day": args.downloads_per_day},
            "background_events": len(background), "downloads": downloads,
            "month_events": result.background_events, "scenarios": rows,
            "false_alerts": len(false), "warmup_false_alerts": len(warm),
            "false_per_100k": result.false_per_100k,
            "false_by_detector": dict(by_detector),
            "seconds": {"generate": t1 - t0, "detect": t3 - t2}, "peak_rss_mib": rss_mib,
        }, indent=2))  # fmt: skip
    return 0 if ok else 1


def _time_import(events: list[Event]) -> None:
    """Write events as JSON lines, then time the CLI's import (store, replay, store alerts)."""
    import tempfile

    from snakewarden.anomaly.importer import event_to_json
    from snakewarden.cli.main import main as cli

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        with path.open("w") as fh:
            for event in events:
                fh.write(json.dumps(event_to_json(event)) + "\n")
        db = f"sqlite:///{tmp}/alerts.db"
        start = time.perf_counter()
        cli(["events", "import", str(path), "--db", db, "--format", "jsonl"])
        first = time.perf_counter() - start
        start = time.perf_counter()
        cli(["events", "import", str(path), "--db", db, "--format", "jsonl"])
        again = time.perf_counter() - start
        size = path.stat().st_size
    print(f"\nsnakewarden events import of {len(events):,} events ({size / 2**20:.0f} MiB of "
          f"JSON lines, SQLite): first {first:.1f} s, "
          f"again (all present) {again:.1f} s")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
