"""End to end with real clients against a server on 127.0.0.1: twine uploads, pip installs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from index.conftest import PASSWORD, OffsetClock, Publisher, make_publisher
from index.packages import (
    DROPPER_SETUP,
    build_sdist,
    build_wheel,
    sdist_filename,
    upload_fields,
    wheel_filename,
)
from snakewarden.index.app import create_app
from snakewarden.index.models import User
from snakewarden.index.review import ReviewAction
from snakewarden.index.server import BackgroundServer
from snakewarden.index.web import IndexServices

BIN = Path(sys.executable).parent
CLIENT_ENV = {
    **os.environ,
    "PIP_NO_CACHE_DIR": "1",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "PIP_NO_INPUT": "1",
    "PIP_CONFIG_FILE": os.devnull,
    "TWINE_NON_INTERACTIVE": "1",
}


@pytest.fixture
def server(services: IndexServices) -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(services)) as srv:
        yield srv


def wait_state(services: IndexServices, filename: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = services.review.file_state(filename)
        if state != "pending":
            return state
        time.sleep(0.05)
    raise AssertionError(f"{filename} still pending after {timeout}s")


def twine(
    url: str, files: list[Path], user: str, password: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(BIN / "twine"), "upload", "--disable-progress-bar", "--non-interactive",
            "--repository-url", f"{url}/legacy/", "-u", user, "-p", password,
            *map(str, files),
        ],
        capture_output=True, text=True, timeout=120, env=CLIENT_ENV, check=False,
    )  # fmt: skip


def write(tmp_path: Path, filename: str, data: bytes) -> Path:
    path = tmp_path / "dist" / filename
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def post(
    server: BackgroundServer,
    name: str,
    version: str,
    filename: str,
    data: bytes,
    auth: tuple[str, str],
) -> httpx.Response:
    return httpx.post(
        f"{server.url}/legacy/",
        data=upload_fields(name, version, filename, data),
        files={"content": (filename, data)},
        auth=auth,
        timeout=30,
    )


def test_twine_upload_then_pip_install(
    services: IndexServices, server: BackgroundServer, publisher: Publisher, tmp_path: Path
) -> None:
    wheel = write(tmp_path, wheel_filename("swdemo-pkg", "1.0"), build_wheel("swdemo-pkg", "1.0"))
    sdist = write(tmp_path, sdist_filename("swdemo-pkg", "1.0"), build_sdist("swdemo-pkg", "1.0"))
    done = twine(server.url, [wheel, sdist], "__token__", publisher.token)
    assert done.returncode == 0, done.stdout + done.stderr
    assert wait_state(services, wheel.name) == "published"
    assert wait_state(services, sdist.name) == "published"

    target = tmp_path / "target"
    pip = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--index-url", f"{server.url}/simple/",
            "--no-deps", "--target", str(target), "swdemo-pkg==1.0",
        ],
        capture_output=True, text=True, timeout=180, env=CLIENT_ENV, check=False,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stdout + pip.stderr
    assert (target / "swdemo_pkg" / "__init__.py").read_text() == "VALUE = 1\n"

    doc = httpx.get(f"{server.url}/pypi/swdemo-pkg/json").json()
    assert doc["info"]["version"] == "1.0"
    assert {u["filename"] for u in doc["urls"]} == {wheel.name, sdist.name}


@pytest.mark.skipif(not (shutil.which("uv") or (BIN / "uv").exists()), reason="uv is not installed")
def test_uv_publish_then_uv_pip_install(
    services: IndexServices, server: BackgroundServer, publisher: Publisher, tmp_path: Path
) -> None:
    filename = wheel_filename("swdemo-uv", "2.0")
    wheel = write(tmp_path, filename, build_wheel("swdemo-uv", "2.0"))
    uv = str(BIN / "uv") if (BIN / "uv").exists() else shutil.which("uv") or "uv"
    published = subprocess.run(
        [
            uv, "publish", "--publish-url", f"{server.url}/legacy/", "--token", publisher.token,
            str(wheel),
        ],
        capture_output=True, text=True, timeout=120, env=CLIENT_ENV, check=False,
    )  # fmt: skip
    assert published.returncode == 0, published.stdout + published.stderr
    assert wait_state(services, filename) == "published"
    target = tmp_path / "uvtarget"
    done = subprocess.run(
        [
            uv, "pip", "install", "--no-cache", "--index-url", f"{server.url}/simple/",
            "--no-deps", "--target", str(target), "swdemo-uv==2.0",
        ],
        capture_output=True, text=True, timeout=120, env=CLIENT_ENV, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert (target / "swdemo_uv" / "__init__.py").exists()


def test_twine_shows_why_password_alone_is_refused(
    services: IndexServices, server: BackgroundServer, publisher: Publisher, tmp_path: Path
) -> None:
    wheel = write(tmp_path, wheel_filename("swdemo-pw", "1.0"), build_wheel("swdemo-pw", "1.0"))
    done = twine(server.url, [wheel], publisher.username, PASSWORD)
    assert done.returncode != 0
    out = " ".join((done.stdout + done.stderr).split())
    assert "403" in out
    assert "use an API token" in out


def test_twine_refuses_a_filename_twice_even_after_deletion(
    services: IndexServices, server: BackgroundServer, publisher: Publisher, tmp_path: Path
) -> None:
    wheel = write(
        tmp_path, wheel_filename("swdemo-twice", "1.0"), build_wheel("swdemo-twice", "1.0")
    )
    assert twine(server.url, [wheel], "__token__", publisher.token).returncode == 0
    wait_state(services, wheel.name)
    services.review.act(wheel.name, ReviewAction.DELETE, actor="admin")
    # different bytes, same filename
    wheel.write_bytes(build_wheel("swdemo-twice", "1.0", code="VALUE = 2\n"))
    again = twine(server.url, [wheel], "__token__", publisher.token)
    assert again.returncode != 0
    out = " ".join((again.stdout + again.stderr).split())
    assert "File already exists" in out
    assert "never be reused" in out


def test_refusals_have_clear_messages(
    services: IndexServices, server: BackgroundServer, clock: OffsetClock, publisher: Publisher
) -> None:
    def upload(name: str, token: str, version: str = "1.0") -> httpx.Response:
        data = build_wheel(name, version)
        return post(
            server, name, version, wheel_filename(name, version), data, ("__token__", token)
        )

    # no credentials at all
    r = httpx.post(f"{server.url}/legacy/", data={":action": "file_upload"})
    assert r.status_code == 401
    # an account without 2FA cannot get a token, and a token whose owner lost 2FA is refused
    services.accounts.create_user("bob", "bob@example.invalid", PASSWORD)
    with pytest.raises(Exception, match="two-factor authentication is required"):
        services.accounts.create_token("bob", "123456")
    carol = make_publisher(services, clock, "carol")
    with services.db.write() as s:
        s.execute(update(User).where(User.username == "carol").values(totp_enabled=False))
    r = upload("swdemo-carol", carol.token)
    assert r.status_code == 403
    assert "Two-factor authentication is required" in r.text
    assert "Two-factor authentication is required" in r.reason_phrase
    # a token scoped to another project
    scoped = make_publisher(services, clock, "dave", projects=("swdemo-dave",))
    assert upload("swdemo-dave", scoped.token).is_success
    r = upload("swdemo-other", scoped.token)
    assert r.status_code == 403
    assert "scoped to the project(s) swdemo-dave" in r.text
    # someone else's project
    r = upload("swdemo-dave", publisher.token, version="2.0")
    assert r.status_code == 403
    assert "isn't allowed to upload to project 'swdemo-dave'" in r.text
    # an expired token
    short = make_publisher(services, clock, "erin", expires_days=1)
    clock.advance(timedelta(days=2))
    r = upload("swdemo-erin", short.token)
    assert r.status_code == 403
    assert "expired" in r.text
    # a revoked token
    token_id = services.accounts.list_tokens("alice")[0].id
    services.accounts.revoke_token(token_id, actor="alice", reason="leaked")
    r = upload("swdemo-alice", publisher.token)
    assert r.status_code == 403
    assert "revoked (leaked)" in r.text
    # garbage token
    r = upload("swdemo-alice", "sw-not-a-real-token")
    assert r.status_code == 403


def test_a_new_name_confusable_with_a_popular_one_is_refused(
    services: IndexServices, server: BackgroundServer, publisher: Publisher
) -> None:
    data = build_wheel("reqeusts", "1.0")
    r = post(
        server,
        "reqeusts",
        "1.0",
        wheel_filename("reqeusts", "1.0"),
        data,
        ("__token__", publisher.token),
    )
    assert r.status_code == 400
    assert "too similar to the popular project 'requests'" in r.text


def test_a_dropper_is_quarantined_never_served_and_its_token_revoked(
    services: IndexServices, server: BackgroundServer, publisher: Publisher, tmp_path: Path
) -> None:
    from snakewarden.analysis.registry import builtin_rules

    if not builtin_rules():
        pytest.skip("the scanner has no rules installed")
    sdist = write(
        tmp_path,
        sdist_filename("swdemo-drop", "1.0"),
        build_sdist("swdemo-drop", "1.0", DROPPER_SETUP),
    )
    done = twine(server.url, [sdist], "__token__", publisher.token)
    assert done.returncode == 0, done.stdout + done.stderr  # accepted, then scanned
    # not visible while pending, nor after the verdict
    assert httpx.get(f"{server.url}/simple/swdemo-drop/").status_code == 404
    state = wait_state(services, sdist.name)
    assert state in ("quarantined", "held")
    assert httpx.get(f"{server.url}/simple/swdemo-drop/").status_code == 404
    assert "swdemo-drop" not in httpx.get(f"{server.url}/simple/").text
    assert httpx.get(f"{server.url}/packages/{sdist.name}").status_code == 404
    assert httpx.get(f"{server.url}/pypi/swdemo-drop/json").status_code == 404
    if state == "quarantined":
        again = post(
            server, "swdemo-drop", "1.1", wheel_filename("swdemo-drop", "1.1"),
            build_wheel("swdemo-drop", "1.1"), ("__token__", publisher.token),
        )  # fmt: skip
        assert again.status_code == 403
        assert "revoked" in again.text
