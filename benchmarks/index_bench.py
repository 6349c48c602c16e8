"""Benchmark of ``snakewarden serve``: upload-to-verdict latency and simple-page throughput.

For each backend (SQLite in the data folder, PostgreSQL on 127.0.0.1:5432 in a throwaway
database), it starts ``snakewarden serve`` as a subprocess on loopback, then

1. uploads N distributions (3 wheels to 1 sdist, tiny inert packages built here) one after the
   other through ``POST /legacy/`` and measures, per file, the time from the start of its upload
   to its verdict appearing in the event log (polled through ``GET /admin/events``);
2. loads ``/simple/PROJECT/`` (a project with N files) with ``wrk`` when installed, else a small
   asyncio httpx load generator, in HTML and in PEP 691 JSON.

    .venv/bin/python benchmarks/index_bench.py [--backend sqlite|postgres|both] [--uploads 200]
        [--duration 10] [--connections 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import pyotp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from index.packages import (  # noqa: E402
    build_sdist,
    build_wheel,
    sdist_filename,
    upload_fields,
    wheel_filename,
)
from snakewarden.index.app import build_services  # noqa: E402
from snakewarden.index.config import IndexConfig  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PROJECT = "swbench-pkg"
PASSWORD = "benchmark password 1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def prepare(data_dir: Path, db_url: str) -> tuple[str, str]:
    """An admin with 2FA and a token; returns (token, a recovery code for logging in)."""
    services = build_services(
        IndexConfig(data_dir=data_dir, db_url=db_url, check_names=False), workers=0
    )
    services.accounts.create_user("bench", "bench@example.invalid", PASSWORD, admin=True)
    secret, _ = services.accounts.begin_two_factor("bench")
    codes = services.accounts.confirm_two_factor("bench", pyotp.TOTP(secret).now())
    token, _ = services.accounts.create_token("bench", codes[0])
    services.db.close()
    return token, codes[1]


def start_server(data_dir: Path, db_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "snakewarden", "serve", "--data-dir", str(data_dir),
            "--db", db_url, "--port", str(port), "--workers", str(workers), "--no-name-check",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the index did not start")


def bench_uploads(url: str, token: str, recovery: str, n: int) -> dict[str, float]:
    files: list[tuple[str, str, bytes]] = []
    for i in range(n):
        version = f"1.0.{i}"
        if i % 4 == 3:
            files.append((version, sdist_filename(PROJECT, version), build_sdist(PROJECT, version)))
        else:
            code = f"VALUE = {i}\n\ndef f():\n    return VALUE * 2\n"
            data = build_wheel(PROJECT, version, code=code)
            files.append((version, wheel_filename(PROJECT, version), data))
    session = httpx.post(
        f"{url}/api/login", json={"username": "bench", "password": PASSWORD, "otp": recovery}
    ).json()["session"]
    headers = {"Authorization": f"Bearer {session}"}
    started: dict[str, float] = {}
    verdicts: dict[str, float] = {}
    outcome: dict[str, str] = {}
    stop = threading.Event()

    def poll() -> None:
        after = 0
        with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
            while not stop.is_set():
                doc = c.get("/admin/events", params={"after": after, "limit": 5000}).json()
                now = time.perf_counter()
                for e in doc["events"]:
                    if e["tag"] == "project:file:verdict" and e["filename"] not in verdicts:
                        verdicts[e["filename"]] = now
                        outcome[e["filename"]] = e["details"].get("action", "")
                after = doc["last"]
                if len(verdicts) >= n:
                    return
                time.sleep(0.01)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    t_start = time.perf_counter()
    with httpx.Client(base_url=url, auth=("__token__", token), timeout=60) as c:
        for version, filename, data in files:
            started[filename] = time.perf_counter()
            r = c.post(
                "/legacy/",
                data=upload_fields(PROJECT, version, filename, data),
                files={"content": (filename, data)},
            )
            if r.status_code != 200:
                raise SystemExit(f"upload of {filename} failed: {r.status_code} {r.text}")
    t_uploaded = time.perf_counter()
    poller.join(300)
    stop.set()
    missing = [f for f in started if f not in verdicts]
    if missing:
        raise SystemExit(f"{len(missing)} uploads got no verdict in time")
    latencies = [verdicts[f] - started[f] for f in started]
    published = sum(1 for f in started if outcome[f] == "publish")
    return {
        "uploads": n,
        "published": published,
        "upload_seconds": t_uploaded - t_start,
        "total_seconds": max(verdicts.values()) - t_start,
        "median_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": max(latencies) * 1000,
    }


def run_wrk(url: str, accept: str | None, duration: int, connections: int) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if accept:
        cmd += ["-H", f"Accept: {accept}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def ms(label: str) -> float:
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", out)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps, "p50_ms": ms("50"), "p99_ms": ms("99"),
        "errors": float(errors.group(1)) if errors else 0.0,
    }  # fmt: skip


async def _httpx_load(
    url: str, accept: str | None, duration: int, connections: int
) -> dict[str, float]:
    headers = {"Accept": accept} if accept else {}
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30) as client:

        async def one() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                r = await client.get(url)
                latencies.append(time.perf_counter() - t)
                errors += r.status_code != 200

        t0 = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(connections)))
        elapsed = time.perf_counter() - t0
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "errors": float(errors),
    }


def bench_simple(url: str, duration: int, connections: int) -> dict[str, dict[str, float]]:
    page = f"{url}/simple/{PROJECT}/"
    results = {}
    for label, accept in (("html", None), ("json", "application/vnd.pypi.simple.v1+json")):
        if shutil.which("wrk"):
            results[label] = run_wrk(page, accept, duration, connections)
        else:
            results[label] = asyncio.run(_httpx_load(page, accept, duration, connections))
    size = len(httpx.get(page).content)
    results["page"] = {"bytes": float(size)}
    return results


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="swbench-"))
    pg_name = None
    if backend == "postgres":
        import psycopg

        pg_name = f"swbench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        db_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_name}"
    else:
        db_url = f"sqlite:///{tmp / 'index.sqlite3'}"
    try:
        token, recovery = prepare(tmp, db_url)
        port = free_port()
        proc = start_server(tmp, db_url, port, args.workers)
        try:
            url = f"http://127.0.0.1:{port}"
            uploads = bench_uploads(url, token, recovery, args.uploads)
            print(f"[{backend}] uploads: {json.dumps(uploads)}", file=sys.stderr)
            simple = bench_simple(url, args.duration, args.connections)
            print(f"[{backend}] simple: {json.dumps(simple)}", file=sys.stderr)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
        return {"backend": backend, "uploads": uploads, "simple": simple}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if pg_name:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = [run_backend(b, args) for b in backends]
    tool = "wrk" if shutil.which("wrk") else "httpx-asyncio"
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}"
    )
    print(f"load generator: {tool}, {args.connections} connections, {args.duration} s per run")
    print()
    print("| backend | uploads | median upload→verdict | p99 | max | all verdicts in |")
    print("|---|---|---|---|---|---|")
    for r in results:
        u = r["uploads"]
        assert isinstance(u, dict)
        print(
            f"| {r['backend']} | {u['uploads']} ({u['published']} published) | "
            f"{u['median_ms']:.0f} ms | {u['p99_ms']:.0f} ms | {u['max_ms']:.0f} ms | "
            f"{u['total_seconds']:.1f} s |"
        )
    print()
    print("| backend | page | requests/s | p50 | p99 | errors |")
    print("|---|---|---|---|---|---|")
    for r in results:
        s = r["simple"]
        assert isinstance(s, dict)
        kb = s["page"]["bytes"] / 1024
        for label in ("html", "json"):
            m = s[label]
            print(
                f"| {r['backend']} | {label}, {args.uploads} files ({kb:.0f} KiB html) | "
                f"{m['rps']:.0f} | {m['p50_ms']:.1f} ms | {m['p99_ms']:.1f} ms "
                f"| {m['errors']:.0f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
