"""Real pip through the proxy: benign packages install, a malicious one is refused with reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Proxy


def pip_install(
    proxy: Proxy, target: Path, *requirements: str, verbose: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--index-url",
            proxy.simple,
            "--no-deps",
            "--no-cache-dir",
            "--retries",
            "0",
            "--timeout",
            "60",
            "--target",
            str(target),
            *(["-vv"] if verbose else []),
            *requirements,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


@pytest.mark.slow
def test_pip_installs_benign_and_refuses_malicious(run_proxy, tmp_path: Path) -> None:
    proxy = run_proxy()
    ok = pip_install(proxy, tmp_path / "ok", "tinyclean")
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "ok" / "tinyclean" / "__init__.py").is_file()

    # the second install is served from the cache: upstream sees no new file request
    again = pip_install(proxy, tmp_path / "again", "tinyclean==1.0")
    assert again.returncode == 0, again.stderr
    assert proxy.index.hits["/packages/tinyclean-1.0-py3-none-any.whl"] == 1
    assert proxy.scanner.calls == 1

    bad = pip_install(proxy, tmp_path / "bad", "dropper-demo")
    assert bad.returncode != 0
    assert "403" in bad.stderr
    assert "blocked/dropper_demo-0.1.tar.gz/malicious-score" in bad.stderr
    assert "-setup.py-" in bad.stderr  # the main finding, as the URL spells it
    assert not (tmp_path / "bad").exists() or not any((tmp_path / "bad").iterdir())


@pytest.mark.slow
def test_pip_reports_an_upstream_outage(run_proxy, fake_index, tmp_path: Path) -> None:
    proxy = run_proxy()
    fake_index.stop()
    out = pip_install(proxy, tmp_path / "t", "tinyclean", verbose=True)
    assert out.returncode != 0
    # pip logs a failed index page only at debug level (-vv); the reason is in the URL it prints
    assert "/-/unavailable/502/tinyclean/cannot-reach-upstream" in out.stdout + out.stderr


@pytest.mark.slow
def test_uv_installs_benign_and_refuses_malicious(run_proxy, tmp_path: Path) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed")
    proxy = run_proxy()

    def install(package: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                uv,
                "pip",
                "install",
                "--python",
                sys.executable,
                "--index-url",
                proxy.simple,
                "--no-deps",
                "--no-cache",
                "--target",
                str(tmp_path / package),
                package,
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "UV_NO_CONFIG": "1"},
            timeout=180,
            check=False,
        )

    ok = install("tinyclean")
    assert ok.returncode == 0, ok.stderr
    bad = install("dropper-demo")
    assert bad.returncode != 0
    assert "403 Forbidden" in bad.stderr
    assert "/-/blocked/dropper_demo-0.1.tar.gz/malicious-score-" in bad.stderr


@pytest.mark.slow
def test_pip_cooldown_picks_the_older_release(run_proxy, fake_index, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from snakewarden.proxy.policy import parse_policy

    from .conftest import WHEEL_NEW

    fake_index.projects["tinyclean"][0].upload_time = datetime.now(UTC) - timedelta(days=9)
    fake_index.add("tinyclean", *WHEEL_NEW, upload_time=datetime.now(UTC) - timedelta(hours=1))
    proxy = run_proxy(parse_policy("[releases]\ncooldown-hours = 48"))
    latest = pip_install(proxy, tmp_path / "latest", "tinyclean")
    assert latest.returncode == 0, latest.stderr
    assert "tinyclean-1.0" in latest.stdout
    pinned = pip_install(proxy, tmp_path / "pinned", "tinyclean==1.1")
    assert pinned.returncode != 0
    assert "younger-than-the-48-h-cool-down" in pinned.stderr
