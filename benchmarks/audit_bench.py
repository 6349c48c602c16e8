"""Benchmark ``snakewarden audit`` against pip-audit 2.10.1 on the same OSV records.

What it does:

1. installs pip-audit 2.10.1 into a separate venv (``/tmp/pavenv``) unless it is there;
2. imports ``../shared/data/pypa-advisories.jsonl.gz`` into a fresh ``SNAKEWARDEN_HOME``;
3. starts ``snakewarden db serve`` on loopback and points pip-audit at it
   (``-s osv --osv-url http://127.0.0.1:PORT/v1/query --no-deps --disable-pip``);
4. compares the advisory ids package by package, then times both tools (median of N warm runs)
   on ``requirements-example.txt`` and on a generated file of a few hundred pins (most clean);
5. times ``db import`` of the full OSV PyPI export (downloaded when reachable, else a synthetic
   export of the same size and shape, which the output says).

Run: ``.venv/bin/python benchmarks/audit_bench.py [--runs 7] [--pins 400] [--records 18000]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
ADVISORIES = DATA / "pypa-advisories.jsonl.gz"
REQUIREMENTS = DATA / "requirements-example.txt"
PAVENV = Path("/tmp/pavenv")
PIP_AUDIT = PAVENV / "bin" / "pip-audit"
SNAKEWARDEN = [str(REPO / ".venv" / "bin" / "python"), "-m", "snakewarden"]
OSV_EXPORT_URL = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"


def ensure_pip_audit() -> None:
    if PIP_AUDIT.exists():
        return
    subprocess.run([sys.executable, "-m", "venv", str(PAVENV)], check=True)
    subprocess.run([str(PAVENV / "bin" / "pip"), "install", "-q", "pip-audit==2.10.1"], check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"the OSV endpoint did not come up on port {port}")


def timed(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float, list[float]]:
    """(median wall s, median CPU s of the process, wall times). CPU time (user + system, from
    getrusage of the child) is far less sensitive to other load on a shared machine."""
    subprocess.run(cmd, env=env, capture_output=True, check=False)  # warm-up
    times, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times), statistics.median(cpus), times


def pip_audit_cmd(req: Path, port: int, out: Path | None = None) -> list[str]:
    cmd = [
        str(PIP_AUDIT), "-r", str(req), "-s", "osv",
        "--osv-url", f"http://127.0.0.1:{port}/v1/query",
        "--no-deps", "--disable-pip", "--progress-spinner", "off",
    ]  # fmt: skip
    if out is not None:
        cmd += ["-f", "json", "-o", str(out)]
    return cmd


def pip_audit_findings(path: Path) -> dict[str, set[str]]:
    doc = json.loads(path.read_text())
    return {
        d["name"].lower(): {v["id"] for v in d.get("vulns", [])}
        for d in doc["dependencies"]
        if d.get("vulns")
    }


def our_findings(path: Path) -> dict[str, set[str]]:
    doc = json.loads(path.read_text())
    return {
        d["canonical_name"]: {f["id"] for f in d["findings"] if f["kind"] == "vulnerability"}
        for d in doc["dependencies"]
        if d["findings"]
    }


def compare(label: str, ours: dict[str, set[str]], theirs: dict[str, set[str]]) -> bool:
    n_ours = sum(len(v) for v in ours.values())
    n_theirs = sum(len(v) for v in theirs.values())
    same = ours == theirs
    print(
        f"[{label}] snakewarden: {n_ours} findings in {len(ours)} packages; "
        f"pip-audit: {n_theirs} findings in {len(theirs)} packages; identical ids: {same}"
    )
    if not same:
        for name in sorted(set(ours) | set(theirs)):
            a, b = ours.get(name, set()), theirs.get(name, set())
            if a != b:
                print(f"  {name}: only snakewarden {sorted(a - b)}, only pip-audit {sorted(b - a)}")
    return same


def generated_requirements(path: Path, pins: int) -> None:
    """``pins`` popular names; about one in ten pinned at a version an advisory affects."""
    rng = random.Random(1234)
    names = [
        line.split("\t")[1].strip()
        for line in (DATA / "top-pypi.tsv").read_text().splitlines()[1:]
        if "\t" in line
    ][: pins * 2]
    affected: dict[str, list[str]] = {}
    import gzip

    with gzip.open(ADVISORIES, "rt") as fh:
        for line in fh:
            rec = json.loads(line)
            for a in rec.get("affected", []):
                vs = a.get("versions") or []
                if vs:
                    affected.setdefault(a["package"]["name"].lower(), []).extend(vs)
    chosen = names[:pins]
    lines = []
    for name in chosen:
        key = name.lower().replace("_", "-").replace(".", "-")
        if key in affected and rng.random() < 0.35:
            lines.append(f"{name}=={rng.choice(affected[key])}")
        else:
            lines.append(f"{name}==999.0.{rng.randint(0, 9)}")  # newer than any advisory
    path.write_text("\n".join(lines) + "\n")


def synthetic_export(path: Path, records: int) -> None:
    """A zip of ``records`` OSV JSON files shaped like OSV's PyPI export."""
    rng = random.Random(42)
    words = ("parser", "request", "header", "buffer", "token", "session", "path", "cookie")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(records):
            prefix = ("PYSEC", "GHSA", "MAL")[i % 10 // 4] if i % 10 != 9 else "MAL"
            rid = f"{prefix}-2024-{i}"
            pkg = f"package-{rng.randint(0, 12000)}"
            major = rng.randint(0, 9)
            versions = [f"{major}.{m}.{p}" for m in range(3) for p in range(rng.randint(1, 8))]
            rec = {
                "schema_version": "1.6.0",
                "id": rid,
                "modified": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T00:00:00Z",
                "published": "2024-01-01T00:00:00Z",
                "aliases": [f"CVE-2024-{100000 + i}"] if prefix != "MAL" else [],
                "summary": f"{rng.choice(words)} handling flaw in {pkg}",
                "details": " ".join(rng.choice(words) for _ in range(150)),
                "affected": [
                    {
                        "package": {"ecosystem": "PyPI", "name": pkg, "purl": f"pkg:pypi/{pkg}"},
                        "ranges": [
                            {
                                "type": "ECOSYSTEM",
                                "events": [{"introduced": "0"}, {"fixed": f"{major}.3.0"}],
                            }
                        ],
                        "versions": versions,
                        "database_specific": {"source": "synthetic"},
                    }
                ],
                "references": [
                    {"type": "ADVISORY", "url": f"https://example.invalid/advisories/{rid}"},
                    {"type": "PACKAGE", "url": f"https://pypi.org/project/{pkg}"},
                ],
                "database_specific": {"severity": rng.choice(["LOW", "MODERATE", "HIGH"])},
            }
            zf.writestr(f"{rid}.json", json.dumps(rec, indent=2))


def osv_export(work: Path, records: int) -> tuple[Path, str]:
    target = work / "all.zip"
    try:
        import httpx

        timeout = httpx.Timeout(20.0, connect=10.0)
        with (
            httpx.Client(timeout=timeout, follow_redirects=True) as c,
            c.stream("GET", OSV_EXPORT_URL) as resp,
            target.open("wb") as fh,
        ):
            resp.raise_for_status()
            for chunk in resp.iter_bytes(1 << 20):
                fh.write(chunk)
        with zipfile.ZipFile(target) as zf:
            return target, f"the real OSV PyPI export ({len(zf.namelist())} records)"
    except Exception as exc:
        print(f"OSV export not downloadable ({type(exc).__name__}); generating a synthetic one")
        synthetic_export(target, records)
        return target, f"a synthetic OSV-shaped export of {records} records (real one unreachable)"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--pins", type=int, default=400)
    ap.add_argument("--records", type=int, default=18000)
    ap.add_argument("--skip-export", action="store_true", help="skip the export import timing")
    ns = ap.parse_args()
    ensure_pip_audit()
    work = Path(tempfile.mkdtemp(prefix="auditbench-"))
    # An installed snakewarden has compiled bytecode (pip compiles on install), as pip-audit in
    # its venv has. This checkout may run with PYTHONDONTWRITEBYTECODE=1, which would make every
    # run recompile snakewarden from source: give both tools a bytecode cache outside the tree.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(SNAKEWARDEN_HOME=str(work / "home"), PYTHONPYCACHEPREFIX=str(work / "pycache"))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"load average at start: {os.getloadavg()}")
    print("bytecode cache: on for both tools (PYTHONPYCACHEPREFIX under the work folder)")

    t = time.perf_counter()
    subprocess.run([*SNAKEWARDEN, "db", "import", str(ADVISORIES)], env=env, check=True)
    print(f"db import of the PyPA snapshot (2,661 records): {time.perf_counter() - t:.2f} s")

    port = free_port()
    server = subprocess.Popen(
        [*SNAKEWARDEN, "db", "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL
    )
    ok = True
    try:
        wait_port(port)
        generated = work / "requirements-generated.txt"
        generated_requirements(generated, ns.pins)
        for label, req in (("example", REQUIREMENTS), (f"{ns.pins} pins", generated)):
            pa_json, sw_json = work / "pa.json", work / "sw.json"
            subprocess.run(pip_audit_cmd(req, port, pa_json), env=env, capture_output=True)
            subprocess.run(
                [*SNAKEWARDEN, "audit", "-r", str(req), "-f", "json", "-o", str(sw_json)],
                env=env,
                capture_output=True,
            )
            ok &= compare(label, our_findings(sw_json), pip_audit_findings(pa_json))
            # Interleave the tools so both see the same background load.
            pa_w, pa_c, sw_w, sw_c = [], [], [], []
            for _ in range(ns.runs):
                w, c, _all = timed(pip_audit_cmd(req, port), env, 1)
                pa_w.append(w)
                pa_c.append(c)
                w, c, _all = timed([*SNAKEWARDEN, "audit", "-r", str(req)], env, 1)
                sw_w.append(w)
                sw_c.append(c)
            pw, pc = statistics.median(pa_w), statistics.median(pa_c)
            sw, sc = statistics.median(sw_w), statistics.median(sw_c)
            print(
                f"[{label}] wall median: pip-audit {pw:.3f} s, snakewarden {sw:.3f} s "
                f"({pw / sw:.1f}x); CPU median: pip-audit {pc:.3f} s, snakewarden {sc:.3f} s "
                f"({pc / sc:.1f}x); runs: pip-audit {[round(x, 2) for x in pa_w]}, "
                f"snakewarden {[round(x, 2) for x in sw_w]}; load {os.getloadavg()[0]:.1f}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)

    if ns.skip_export:
        shutil.rmtree(work, ignore_errors=True)
        return 0 if ok else 1
    export, what = osv_export(work, ns.records)
    env2 = dict(env, SNAKEWARDEN_HOME=str(work / "home2"))
    t = time.perf_counter()
    subprocess.run([*SNAKEWARDEN, "db", "import", str(export)], env=env2, check=True)
    print(f"db import of {what}: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    subprocess.run([*SNAKEWARDEN, "db", "import", str(export)], env=env2, check=True)
    print(f"re-import of the same export (nothing newer): {time.perf_counter() - t:.2f} s")
    print(f"load average at end: {os.getloadavg()}")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
