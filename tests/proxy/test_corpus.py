"""Real malware from the dev corpus, served as files only by the fake upstream, never installed.

The samples are read from the encrypted zip at run time (never written to disk) and go through the
whole proxy path: listing, download, sha256 check, scan, refusal. A file the scanner judges
malicious or suspicious must be refused with its reason; nothing is ever executed.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import httpx
import pytest

from snakewarden.core.models import Verdict
from snakewarden.proxy.scanner import AnalysisScanner
from snakewarden.proxy.simple import JSON_V1

from .fake_index import FakeIndex

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

SAMPLES = 12


def _samples() -> list[tuple[str, str, bytes]]:
    tsv, archive = CORPUS / "malicious-dev.tsv", CORPUS / "malicious-dev.zip"
    if not tsv.is_file() or not archive.is_file():
        pytest.skip("../shared/corpus is not beside the repository")
    with tsv.open(newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    first: dict[str, dict[str, str]] = {}
    for row in rows:
        if int(row["size"]) < 512 * 1024:
            first.setdefault(row["campaign"], row)
    picked = [first[c] for c in sorted(first)][:SAMPLES]
    out = []
    with zipfile.ZipFile(archive) as zf:
        members = zf.namelist()
        for row in picked:
            member = next(m for m in members if m.endswith(row["path"]))
            data = zf.read(member, pwd=b"infected")
            out.append((row["name"], row["path"].rsplit("/", 1)[-1], data))
    return out


@pytest.mark.corpus
def test_dev_corpus_samples_are_refused(run_proxy, fake_index: FakeIndex) -> None:
    samples = _samples()
    for name, filename, data in samples:
        fake_index.add(name, filename, data)
    proxy = run_proxy()
    scanner = AnalysisScanner()
    refused = 0
    for name, filename, data in samples:
        doc = httpx.get(
            proxy.simple + f"{name}/", headers={"Accept": JSON_V1}, follow_redirects=True
        )
        entry = next(f for f in doc.json()["files"] if f["filename"] == filename)
        r = httpx.get(entry["url"], follow_redirects=True)
        expected = scanner.scan(data, filename).verdict
        if expected in (Verdict.MALICIOUS, Verdict.SUSPICIOUS, Verdict.ERROR):
            assert r.status_code == 403, (filename, expected)
            assert expected.value in r.text or "could not be scanned" in r.text
            refused += 1
        else:
            assert r.status_code == 200
            assert r.content == data
    assert refused >= len(samples) // 2, f"only {refused} of {len(samples)} refused"
