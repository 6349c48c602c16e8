"""``snakewarden proxy``: policy validation, argument errors, and the real server as a process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from snakewarden.cli.main import main

from .conftest import DROPPER


def test_check_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "policy.toml"
    good.write_text("[scan]\nsuspicious = 'warn'\n[releases]\ncooldown-hours = 24\n")
    assert main(["proxy", "check-policy", str(good)]) == 0
    out = capsys.readouterr().out
    assert "valid" in out
    assert "suspicious files: warn" in out
    assert "cool-down: 24 h" in out
    bad = tmp_path / "bad.toml"
    bad.write_text("[scan]\nsuspicious = 'maybe'\n")
    assert main(["proxy", "check-policy", str(bad)]) == 2
    assert "suspicious must be one of" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--upstream", "ftp://x"], "not an http(s) URL"),
        (["--port", "70000"], "not a TCP port"),
        (["--policy", "/nonexistent/p.toml"], "cannot read the policy file"),
    ],
)
def test_serve_argument_errors(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["proxy", "serve", *args]) == 2
    assert message in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_proxy_serve_process(fake_index, tmp_path: Path) -> None:
    port = _free_port()
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "snakewarden",
            "proxy",
            "serve",
            "--upstream",
            fake_index.url,
            "--data-dir",
            str(data),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SNAKEWARDEN_HOME": str(tmp_path / "home")},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/-/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "the proxy did not start"
            time.sleep(0.1)
        files = httpx.get(
            base + "/simple/dropper-demo/",
            headers={"Accept": "application/vnd.pypi.simple.v1+json"},
        ).json()["files"]
        r = httpx.get(files[0]["url"], follow_redirects=True)
        assert r.status_code == 403
        assert "malicious" in r.text
        log = (data / "decisions.jsonl").read_text()
        assert DROPPER[0] in log
        assert '"action": "block"' in log
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_decisions_lists_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime

    from snakewarden.proxy.interfaces import DecisionRecord
    from snakewarden.proxy.stores import JsonlDecisionLog

    log = JsonlDecisionLog(tmp_path / "decisions.jsonl")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    log.record(DecisionRecord(now, "file", "allow", "good", filename="good-1.0.tar.gz"))
    log.record(
        DecisionRecord(now, "file", "block", "bad", filename="bad-1.0.tar.gz", reason="malicious")
    )
    with (tmp_path / "decisions.jsonl").open("a") as fh:
        fh.write("{torn line\n")
    assert main(["proxy", "decisions", "--data-dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "block  bad-1.0.tar.gz" in out
    assert "malicious" in out
    assert "good" not in out
    args = ["proxy", "decisions", "--data-dir", str(tmp_path), "--all", "--format", "json"]
    assert main(args) == 1
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert main(["proxy", "decisions", "--data-dir", str(tmp_path / "nope")]) == 2


def test_serve_policy_needs_upstream(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["serve", "--data-dir", str(tmp_path), "--policy", str(tmp_path / "p.toml")]
    assert main(args) == 2
    assert "--policy applies to --upstream" in capsys.readouterr().err
