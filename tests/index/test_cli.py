"""The CLI contract: user add / 2fa / token create / review, and serve surviving a kill."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyotp
import pytest

from index.conftest import PASSWORD
from index.packages import build_wheel, upload_fields, wheel_filename
from snakewarden.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def setup_publisher(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, loc: list[str]
) -> str:
    """user add, 2fa, 2fa --confirm, token create: returns the token."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    code, out, _ = run(capsys, "user", "add", "alice", "--email", "alice@example.invalid", *loc)
    assert code == 0, out
    code, out, _ = run(capsys, "user", "2fa", "alice", *loc)
    assert code == 0
    lines = dict(line.split(": ", 1) for line in out.strip().splitlines())
    assert lines["uri"].startswith("otpauth://totp/snakewarden:alice?secret=")
    secret = lines["secret"]
    code, out, _ = run(capsys, "user", "2fa", "alice", "--confirm", pyotp.TOTP(secret).now(), *loc)
    assert code == 0, out
    recovery = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    assert len(recovery) == 8
    code, out, err = run(
        capsys, "token", "create", "alice", "--otp", recovery[0], "--expires", "7", *loc
    )
    assert code == 0, err
    token = out.strip()
    assert token.startswith("sw-")
    assert "shown only now" in err
    return token


def test_user_2fa_and_token_commands(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loc = ["--data-dir", str(tmp_path / "idx")]
    setup_publisher(capsys, monkeypatch, loc)
    code, out, _ = run(capsys, "token", "list", "alice", *loc)
    assert code == 0
    assert "active" in out
    # a bad code, a user without 2FA, a missing user: exit 2 with a message
    code, _, err = run(capsys, "token", "create", "alice", "--otp", "000000", *loc)
    assert code == 2
    assert "2FA code is not valid" in err
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    run(capsys, "user", "add", "bob", "--email", "bob@example.invalid", *loc)
    code, _, err = run(capsys, "token", "create", "bob", "--otp", "123456", *loc)
    assert code == 2
    assert "two-factor authentication is required" in err
    code, _, err = run(capsys, "user", "2fa", "nobody", *loc)
    assert code == 2
    assert "no user named" in err
    code, out, _ = run(capsys, "token", "revoke", "1", *loc)
    assert code == 0
    code, out, _ = run(capsys, "review", "list", *loc)
    assert "empty" in out
    code, out, _ = run(capsys, "review", "events", *loc)
    tags = [line for line in out.splitlines() if '"account:token:revoked"' in line]
    assert len(tags) == 1


def test_environment_variables_choose_the_database(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SNAKEWARDEN_DATA_DIR", str(tmp_path / "envdata"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert run(capsys, "user", "add", "eve", "--email", "eve@example.invalid")[0] == 0
    assert (tmp_path / "envdata" / "index.sqlite3").exists()
    code, _, err = run(capsys, "user", "2fa", "eve", "--db", "mysql://nope")
    assert code == 2
    assert "unsupported database backend" in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(loc: list[str], port: int, workers: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable, "-m", "snakewarden", "serve", *loc, "--port", str(port),
            "--workers", str(workers), "--no-name-check",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ),
    )  # fmt: skip


def _wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise AssertionError(
                f"serve exited: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("serve did not come up")


@pytest.mark.slow
def test_serve_killed_with_pending_scans_resumes_them(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str
) -> None:
    loc = ["--data-dir", str(tmp_path / "idx"), "--db", db_url]
    token = setup_publisher(capsys, monkeypatch, loc)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start(loc, port, workers=0)  # accepts uploads, scans nothing
    try:
        _wait_up(url, proc)
        names = []
        for i in range(3):
            name = f"swkill-{i}"
            data = build_wheel(name, "1.0")
            filename = wheel_filename(name, "1.0")
            r = httpx.post(
                f"{url}/legacy/", data=upload_fields(name, "1.0", filename, data),
                files={"content": (filename, data)}, auth=("__token__", token), timeout=30,
            )  # fmt: skip
            assert r.status_code == 200, r.text
            names.append(name)
        assert httpx.get(f"{url}/health").json()["jobs"] == {"pending": 3}
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start(loc, port, workers=2)
    try:
        _wait_up(url, proc)
        for _ in range(300):
            if httpx.get(f"{url}/health").json()["jobs"] == {"done": 3}:
                break
            time.sleep(0.1)
        for name in names:
            assert httpx.get(f"{url}/simple/{name}/").status_code == 200
    finally:
        proc.terminate()
        proc.wait(15)
    code, out, _ = run(capsys, "review", "list", "--state", "published", "--format", "json", *loc)
    assert code == 0
    assert out.count('"state": "published"') == 3
