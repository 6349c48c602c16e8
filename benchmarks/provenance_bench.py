"""Provenance benchmark: offline PEP 740 verification throughput and CLI latency.

    .venv/bin/python benchmarks/provenance_bench.py [--rounds 200]

Reads the real vectors in ../shared/data/provenance. Reports: the first verification (trust root
loaded), the median and p99 of warm verifications of sigstore-3.6.1.tar.gz against its
provenance, the same for the index's upload check (``accept_attestations``), and the wall time of
``snakewarden verify`` as a fresh process.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from snakewarden.provenance.check import distribution_of, verify_distribution
from snakewarden.provenance.parse import parse_document
from snakewarden.provenance.upload import accept_attestations
from snakewarden.provenance.verify import SigstoreAttestationVerifier

VECTORS = Path(__file__).resolve().parents[2] / "shared" / "data" / "provenance"
SIGSTORE = "sigstore-3.6.1.tar.gz"
PYPI_ATT = "pypi_attestations-0.0.19.tar.gz"


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()
    data = (VECTORS / SIGSTORE).read_bytes()
    dist = distribution_of(SIGSTORE, data)
    raw = (VECTORS / f"{SIGSTORE}.provenance").read_bytes()
    verifier = SigstoreAttestationVerifier()

    t0 = time.perf_counter()
    assert verify_distribution(dist, parse_document(raw), verifier).verified
    print(f"first verification (loads the trust root): {(time.perf_counter() - t0) * 1000:.1f} ms")

    samples = []
    for _ in range(args.rounds):
        t = time.perf_counter()
        assert verify_distribution(dist, parse_document(raw), verifier).verified
        samples.append(time.perf_counter() - t)
    print(f"verify (parse + verify, warm), {args.rounds} rounds: {_ms(samples)}")

    field = "[" + (VECTORS / f"{PYPI_ATT}.publish.attestation").read_text() + "]"
    upload = distribution_of(PYPI_ATT, (VECTORS / PYPI_ATT).read_bytes())
    samples = []
    for _ in range(args.rounds):
        t = time.perf_counter()
        accept_attestations(field, upload, verifier)
        samples.append(time.perf_counter() - t)
    print(f"index upload check (accept_attestations), {args.rounds} rounds: {_ms(samples)}")

    cli = [
        str(Path(sys.executable).parent / "snakewarden"), "verify", str(VECTORS / SIGSTORE),
        "--provenance", str(VECTORS / f"{SIGSTORE}.provenance"),
        "--repository", "https://github.com/sigstore/sigstore-python",
    ]  # fmt: skip
    walls = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(cli, check=True, capture_output=True)
        walls.append(time.perf_counter() - t)
    print(f"snakewarden verify as a process, 5 runs: median {statistics.median(walls):.2f} s")


if __name__ == "__main__":
    main()
