from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from snakewarden.cli.main import main

RECORD = {
    "id": "PYSEC-2099-1",
    "modified": "2024-01-01T00:00:00Z",
    "aliases": ["CVE-2099-1"],
    "summary": "a flaw",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "demo-lib"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}],
        }
    ],
}
MALICIOUS = {
    "id": "MAL-2099-7",
    "modified": "2024-01-01T00:00:00Z",
    "summary": "malicious code in evil-lib",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "evil-lib"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
        }
    ],
}


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    src = tmp_path / "records.json"
    src.write_text(json.dumps([RECORD, MALICIOUS]))
    assert main(["db", "import", str(src)]) == 0
    return src


def test_done_when_example_prints_98_findings_offline(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "import", str(shared_data / "pypa-advisories.jsonl.gz")]) == 0
    capsys.readouterr()
    req = str(shared_data / "requirements-example.txt")
    assert main(["audit", "-r", req]) == 1
    out = capsys.readouterr().out
    assert out.rstrip().endswith("98 findings in 22 of 40 packages")
    assert "PYSEC-2018-28" in out
    assert "Smallest version fixing all advisories" in out
    assert main(["audit", "-r", req, "-f", "json", "--no-names"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["findings"] == 98
    assert doc["summary"]["vulnerable"] == 22
    fixes = {d["canonical_name"]: d["fix_version"] for d in doc["dependencies"] if d["findings"]}
    assert fixes["requests"] == "2.31.0"
    assert fixes["urllib3"] == "1.26.18"
    assert fixes["py"] is None  # no fixed release is known for its advisory


def test_empty_database_is_an_error_not_a_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    req = tmp_path / "r.txt"
    req.write_text("six==1.16.0\n")
    assert main(["audit", "-r", str(req)]) == 2
    err = capsys.readouterr().err
    assert "advisory database" in err
    assert "is empty" in err
    assert main(["db", "status"]) == 2


def test_malicious_unpinned_ignore_and_formats(
    small_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("demo-lib==1.0\nevil-lib==0.1\nflask>=2\n")
    assert main(["audit", "-r", str(req), "--no-names"]) == 1
    out = capsys.readouterr().out
    assert "MALICIOUS: evil-lib==0.1" in out
    assert "Not checked (1):" in out
    sarif = tmp_path / "out.sarif"
    assert main(["audit", "-r", str(req), "-f", "sarif", "-o", str(sarif), "--no-names"]) == 1
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    cdx = tmp_path / "bom.json"
    assert main(["audit", "-r", str(req), "-f", "cyclonedx", "-o", str(cdx), "--no-names"]) == 1
    assert json.loads(cdx.read_text())["specVersion"] == "1.6"
    # Ignoring both advisories leaves the unpinned line: exit 2, never a silent pass.
    args = ["audit", "-r", str(req), "--ignore-vuln", "CVE-2099-1", "--ignore-vuln", "MAL-2099-7"]
    assert main([*args, "--no-names"]) == 2


def test_fix_rewrites_the_requirements_file(
    small_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("demo-lib==1.0  # pinned\n")
    assert main(["audit", "-r", str(req), "--fix", "--no-names"]) == 1
    assert req.read_text() == "demo-lib==2.0  # pinned\n"
    assert "fixed: demo-lib==1.0 -> 2.0" in capsys.readouterr().err
    assert main(["audit", "-r", str(req), "--no-names"]) == 0


def test_confusable_names_are_flagged(small_db: Path, tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("reqeusts==2.31.0\n")
    out = tmp_path / "r.json"
    assert main(["audit", "-r", str(req), "-f", "json", "-o", str(out)]) == 1
    (finding,) = json.loads(out.read_text())["dependencies"][0]["findings"]
    assert finding["kind"] == "confusable"
    assert "requests" in finding["title"]


def test_db_status_and_update_from_path(
    small_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "status", "--format", "json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["records"] == 2
    assert status["malicious"] == 1
    assert main(["db", "update", "--source", "pypa", "--path", str(small_db)]) == 0
    assert main(["db", "update", "--source", "pypi"]) == 2
    assert main(["db", "import", str(tmp_path / "missing.json")]) == 2
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    assert main(["db", "import", str(empty)]) == 2


def test_environment_inputs(small_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--env", "-f", "json", "--no-names"]) in (0, 1)
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["dependencies"] > 5
    assert main(["audit", "--python", sys.executable, "-f", "json", "--no-names"]) in (0, 1)
    assert main(["audit", "--python", "/nonexistent/python"]) == 2


def test_usage_errors(tmp_path: Path) -> None:
    assert main(["audit", "--fix", "--env"]) == 2
    assert main(["audit", "-r", str(tmp_path / "missing.txt")]) == 2
    assert main(["audit", "--format", "xml"]) == 2


def test_serve_refuses_an_empty_database_and_bad_ports(small_db: Path, tmp_path: Path) -> None:
    assert main(["db", "serve", "--port", "0"]) == 2
    assert main(["db", "serve", "--db", str(tmp_path / "empty.db")]) == 2


def test_global_options_before_the_command(small_db: Path) -> None:
    # main() builds only the parser of the command named first; -v before it must still work.
    assert main(["-v", "db", "status"]) == 0
    assert main(["db", "--help"]) == 0


def test_stale_database_draws_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime

    from snakewarden.adapters.home import home_dir
    from snakewarden.advisories.parse import parse_advisory
    from snakewarden.advisories.store import SqliteAdvisoryStore

    store = SqliteAdvisoryStore(
        home_dir() / "advisories.db", clock=lambda: datetime(2020, 1, 1, tzinfo=UTC)
    )
    store.import_advisories([parse_advisory(RECORD)], source="old", location="x")
    store.close()
    req = tmp_path / "r.txt"
    req.write_text("demo-lib==3.0\n")
    assert main(["audit", "-r", str(req), "--no-names"]) == 0
    assert "last updated 2020-01-01" in capsys.readouterr().err


def test_audit_against_a_served_database(
    small_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end on loopback: the OSV app served by uvicorn, audited with --osv-url from a
    client whose own database is empty."""
    import socket
    import threading
    import time

    import uvicorn

    from snakewarden.adapters.home import home_dir
    from snakewarden.advisories.service import create_osv_app
    from snakewarden.advisories.store import SqliteAdvisoryStore

    store = SqliteAdvisoryStore(home_dir() / "advisories.db")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_osv_app(store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        monkeypatch.setenv("SNAKEWARDEN_HOME", str(tmp_path / "client-home"))
        req = tmp_path / "requirements.txt"
        req.write_text("demo-lib==1.0\nevil-lib==0.1\nsafe-lib==1.0\n")
        out = tmp_path / "r.json"
        url = f"http://127.0.0.1:{port}/v1/query"
        args = ["audit", "-r", str(req), "--osv-url", url, "--no-names", "-f", "json", "-o"]
        assert main([*args, str(out)]) == 1
        found = {d["canonical_name"]: [f["id"] for f in d["findings"]]
                 for d in json.loads(out.read_text())["dependencies"]}  # fmt: skip
        assert found == {"demo-lib": ["PYSEC-2099-1"], "evil-lib": ["MAL-2099-7"], "safe-lib": []}
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()
