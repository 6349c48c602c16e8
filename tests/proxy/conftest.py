"""Fixtures: a fake upstream index on loopback, and the proxy served by uvicorn in a thread."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette

from snakewarden.core.models import ScanResult
from snakewarden.proxy import ProxyConfig, create_proxy_app
from snakewarden.proxy.app import build_service
from snakewarden.proxy.policy import DEFAULT_POLICY, Policy
from snakewarden.proxy.scanner import AnalysisScanner
from snakewarden.proxy.stores import InMemoryDecisionLog

from .builders import BENIGN_SETUP, DROPPER_SETUP, make_sdist, make_wheel, metadata_text
from .fake_index import FakeIndex


@contextlib.contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Run ``app`` on a free loopback port; yield its base URL (no trailing slash)."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the proxy did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


class CountingScanner:
    """The real scanner, counting its calls (and optionally slowed down)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.inner = AnalysisScanner()
        self.calls = 0
        self.delay = delay
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return self.inner.version

    def scan(self, data: bytes, filename: str) -> ScanResult:
        with self._lock:
            self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        return self.inner.scan(data, filename)


@dataclass
class Proxy:
    url: str
    index: FakeIndex
    scanner: CountingScanner
    decisions: InMemoryDecisionLog
    data_dir: Path
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def simple(self) -> str:
        return f"{self.url}/simple/"


WHEEL = make_wheel("tinyclean", "1.0")
WHEEL_NEW = make_wheel("tinyclean", "1.1")
SDIST = make_sdist("plain-sdist", "1.0", BENIGN_SETUP)
DROPPER = make_sdist("dropper-demo", "0.1", DROPPER_SETUP)


@pytest.fixture
def fake_index() -> Iterator[FakeIndex]:
    index = FakeIndex()
    index.add("tinyclean", *WHEEL, metadata=metadata_text("tinyclean", "1.0").encode())
    index.add("plain-sdist", *SDIST)
    index.add("dropper-demo", *DROPPER)
    index.start()
    try:
        yield index
    finally:
        index.stop()


@pytest.fixture
def run_proxy(fake_index: FakeIndex, tmp_path: Path) -> Iterator[Any]:
    """``run_proxy(policy=..., **ports) -> Proxy`` starts a proxy; all stop at teardown."""
    stack = contextlib.ExitStack()

    def start(
        policy: Policy = DEFAULT_POLICY, *, scanner: CountingScanner | None = None, **ports: Any
    ) -> Proxy:
        scanner = scanner or CountingScanner()
        decisions = InMemoryDecisionLog()
        data_dir = tmp_path / f"proxy{len(stack._exit_callbacks)}"
        config = ProxyConfig(upstream_url=fake_index.url, data_dir=data_dir, policy=policy)
        app = create_proxy_app(
            config, build_service(config, scanner=scanner, decisions=decisions, **ports)
        )
        url = stack.enter_context(serve(app))
        return Proxy(url, fake_index, scanner, decisions, data_dir)

    with stack:
        yield start
