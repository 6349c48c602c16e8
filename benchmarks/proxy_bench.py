"""Proxy benchmark: ``pip install`` of 20 packages through the proxy vs straight from upstream.

Run::

    .venv/bin/python benchmarks/proxy_bench.py            # prints the report
    .venv/bin/python benchmarks/proxy_bench.py --write    # ... and writes BENCHMARKS.md's section

What it does:

1. downloads 20 small pure-Python wheels from PyPI once (``pip download --only-binary :all:``)
   into ``~/.cache/snakewarden-bench/proxy-wheels`` (skipped when they are there);
2. serves them from a local PEP 691/503 upstream on loopback (stdlib ``ThreadingHTTPServer``);
3. starts the real proxy (``snakewarden proxy serve --upstream LOCAL``, a separate process, fresh
   data folder) and runs ``pip install --no-deps --no-cache-dir --target T`` of the 20 packages:
   - ``direct``: against the upstream itself (median of ``--runs``),
   - ``cold``: through the proxy with an empty cache (every file downloaded, verified, scanned),
   - ``warm``: through the proxy again (median of ``--runs``): files and verdicts from the cache;
4. reports warm/direct (target <= 1.2x) and the cold-cache cost in seconds per MB scanned
   ((cold - warm) / MB of wheels), plus the proxy's own scan time per MB from its decision log.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CACHE = Path.home() / ".cache" / "snakewarden-bench" / "proxy-wheels"
PACKAGES = [
    "six==1.16.0",
    "idna==3.7",
    "attrs==23.2.0",
    "packaging==24.0",
    "pyparsing==3.1.2",
    "tomli==2.0.1",
    "typing-extensions==4.11.0",
    "click==8.1.7",
    "itsdangerous==2.2.0",
    "colorama==0.4.6",
    "decorator==5.1.1",
    "zipp==3.18.1",
    "iniconfig==2.0.0",
    "pluggy==1.5.0",
    "tabulate==0.9.0",
    "termcolor==2.4.0",
    "more-itertools==10.2.0",
    "jmespath==1.0.1",
    "sniffio==1.3.1",
    "h11==0.14.0",
]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def fetch_wheels() -> list[Path]:
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = sorted(CACHE.glob("*.whl"))
    if len(wheels) >= len(PACKAGES):
        return wheels
    print(f"downloading {len(PACKAGES)} wheels from PyPI into {CACHE}", file=sys.stderr)
    subprocess.run(
        [
            PYTHON,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--dest",
            str(CACHE),
            *PACKAGES,
        ],
        check=True,
    )
    return sorted(CACHE.glob("*.whl"))


def start_upstream(wheels: list[Path]) -> ThreadingHTTPServer:
    projects: dict[str, list[Path]] = {}
    for w in wheels:
        projects.setdefault(canonical(w.name.split("-", 1)[0]), []).append(w)
    digests = {w.name: hashlib.sha256(w.read_bytes()).hexdigest() for w in wheels}
    blobs = {w.name: w.read_bytes() for w in wheels}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else keep-alive + delayed ACKs stall every response

        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            if path.startswith("/simple/"):
                name = canonical(path.removeprefix("/simple/").strip("/"))
                files = projects.get(name)
                if files is None:
                    self._send(404, b"not found", "text/plain")
                    return
                if "application/vnd.pypi.simple.v1+json" in self.headers.get("Accept", ""):
                    doc = {
                        "meta": {"api-version": "1.1"},
                        "name": name,
                        "files": [
                            {
                                "filename": w.name,
                                "url": f"/files/{w.name}",
                                "hashes": {"sha256": digests[w.name]},
                                "size": len(blobs[w.name]),
                            }
                            for w in files
                        ],
                    }
                    self._send(200, json.dumps(doc).encode(), "application/vnd.pypi.simple.v1+json")
                else:
                    links = "".join(
                        f'<a href="/files/{w.name}#sha256={digests[w.name]}">{w.name}</a><br>'
                        for w in files
                    )
                    self._send(200, f"<html><body>{links}</body></html>".encode(), "text/html")
            elif path.startswith("/files/") and path[7:] in blobs:
                self._send(200, blobs[path[7:]], "application/octet-stream")
            else:
                self._send(404, b"not found", "text/plain")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pip_install(index: str, names: list[str], target: Path) -> float:
    shutil.rmtree(target, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    start = time.perf_counter()
    subprocess.run(
        [
            PYTHON,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-cache-dir",
            "--retries",
            "0",
            "--index-url",
            index,
            "--target",
            str(target),
            *names,
        ],
        check=True,
        env=env,
    )
    return time.perf_counter() - start


def scan_only(wheels: list[Path]) -> float:
    """Seconds the scanner alone takes over the wheels (in this process, one thread)."""
    sys.path.insert(0, str(ROOT / "src"))
    from snakewarden.proxy.scanner import AnalysisScanner

    scanner = AnalysisScanner()
    blobs = [(w.name, w.read_bytes()) for w in wheels]
    scanner.scan(blobs[0][1], blobs[0][0])  # load the rules once
    start = time.perf_counter()
    for name, data in blobs:
        scanner.scan(data, name)
    return time.perf_counter() - start


def request_latency(index: str, names: list[str], rounds: int = 5) -> tuple[float, float]:
    """Median milliseconds per project page and per file request (one keep-alive client)."""
    import httpx

    accept = {"Accept": "application/vnd.pypi.simple.v1+json"}
    pages, files = [], []
    with httpx.Client() as client:
        for _ in range(rounds):
            for name in names:
                start = time.perf_counter()
                r = client.get(f"{index}{name}/", headers=accept)
                pages.append(time.perf_counter() - start)
                url = r.url.join(r.json()["files"][0]["url"])
                start = time.perf_counter()
                client.get(url).raise_for_status()
                files.append(time.perf_counter() - start)
    return statistics.median(pages) * 1000, statistics.median(files) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()

    wheels = fetch_wheels()
    total_mb = sum(w.stat().st_size for w in wheels) / 1e6
    names = [p.split("==")[0] for p in PACKAGES]
    upstream = start_upstream(wheels)
    up_url = f"http://127.0.0.1:{upstream.server_address[1]}/simple/"
    work = Path(tempfile.mkdtemp(prefix="sw-proxy-bench-"))
    port = free_port()
    proxy = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "snakewarden",
            "proxy",
            "serve",
            "--upstream",
            up_url,
            "--data-dir",
            str(work / "data"),
            "--port",
            str(port),
        ],
        env={**os.environ, "SNAKEWARDEN_HOME": str(work / "home")},
        stderr=subprocess.DEVNULL,
    )
    try:
        proxy_url = f"http://127.0.0.1:{port}/simple/"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urlopen(f"http://127.0.0.1:{port}/-/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proxy.poll() is not None:
                    raise SystemExit("the proxy did not start") from None
                time.sleep(0.2)
        pip_install(up_url, names, work / "t")  # warm pip's own imports and the page cache
        cold = pip_install(proxy_url, names, work / "t")
        direct, warm = [], []
        for _ in range(args.runs):  # interleave, so that machine noise hits both alike
            direct.append(pip_install(up_url, names, work / "t"))
            warm.append(pip_install(proxy_url, names, work / "t"))
        lat_direct = request_latency(up_url, names)
        lat_proxy = request_latency(proxy_url, names)
    finally:
        proxy.terminate()
        proxy.wait(timeout=30)
        upstream.shutdown()
    scan_s = scan_only(wheels)
    decisions = [
        json.loads(x) for x in (work / "data" / "decisions.jsonl").read_text().splitlines()
    ]
    shutil.rmtree(work, ignore_errors=True)
    blocked = [d for d in decisions if d["action"] != "allow"]
    d_med, w_med = statistics.median(direct), statistics.median(warm)
    ratio = w_med / d_med
    ratio_min = min(warm) / min(direct)
    per_mb = (cold - w_med) / total_mb
    report = {
        "packages": len(wheels),
        "megabytes": round(total_mb, 3),
        "direct_median_s": round(d_med, 3),
        "warm_median_s": round(w_med, 3),
        "cold_s": round(cold, 3),
        "warm_over_direct": round(ratio, 3),
        "warm_over_direct_best": round(ratio_min, 3),
        "direct_runs_s": [round(x, 2) for x in direct],
        "warm_runs_s": [round(x, 2) for x in warm],
        "page_ms": [round(lat_direct[0], 2), round(lat_proxy[0], 2)],
        "file_ms": [round(lat_direct[1], 2), round(lat_proxy[1], 2)],
        "load": round(os.getloadavg()[0], 1),
        "cold_s_per_mb": round(per_mb, 3),
        "runs": args.runs,
        "blocked": len(blocked),
        "scan_only_s_per_mb": round(scan_s / total_mb, 3),
    }
    print(json.dumps(report, indent=2))
    if args.write:
        write_section(report)
    return 0 if ratio <= 1.2 else 1


def write_section(r: dict[str, object]) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text()
    machine = (
        f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
        f"CPython {platform.python_version()}"
    )
    body = f"""## Proxy

Command: `.venv/bin/python benchmarks/proxy_bench.py --write`
Machine: {machine}, shared with other engineers' jobs (load average
{r["load"]} at the end of the run), so absolute times are noisy; direct and proxied runs are
interleaved.

`pip install --no-deps --no-cache-dir --target T` of {r["packages"]} real pure-Python wheels
({r["megabytes"]} MB, downloaded once from PyPI) from a local upstream on loopback, straight and
through `snakewarden proxy serve` (a separate process, as deployed):

| run | seconds |
|---|---|
| straight from the upstream (median of {r["runs"]}) | {r["direct_median_s"]} |
| through the proxy, warm cache (median of {r["runs"]}) | {r["warm_median_s"]} |
| through the proxy, cold cache (download + sha256 check + scan of every file) | {r["cold_s"]} |

- warm-cache overhead: **{r["warm_over_direct"]}×** on the medians, {r["warm_over_direct_best"]}×
  on the best runs (target ≤ 1.2×)
- every run, direct: {r["direct_runs_s"]}
- every run, warm proxy: {r["warm_runs_s"]}
- per request (median, one keep-alive client): project page {r["page_ms"][0]} ms direct,
  {r["page_ms"][1]} ms through the warm proxy; file {r["file_ms"][0]} ms direct,
  {r["file_ms"][1]} ms through the warm proxy
- cold-cache cost: **{r["cold_s_per_mb"]} s per MB scanned** ((cold − warm) / MB: first page
  fetch, download, sha256 check, scan and caching of every file, as pip sees it); the scanner
  alone takes {r["scan_only_s_per_mb"]} s per MB of these wheels
- files refused: {r["blocked"]} (all {r["packages"]} are benign)

The upstream is Python's `http.server` (threaded, HTTP/1.1, Nagle off). On a warm cache the
proxy's own work (policy checks, cached verdict, decision-log line, file from disk) is about a
millisecond per request, lost in pip's own time; the noise of the shared machine moves single
runs by more than the whole difference.
"""
    start = text.index("## Proxy")
    end = text.find("\n## ", start + 1)
    text = text[:start] + body + (text[end:] if end != -1 else "")
    path.write_text(text)


if __name__ == "__main__":
    raise SystemExit(main())
