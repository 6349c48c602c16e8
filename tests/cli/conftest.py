"""Fixtures for the CLI tests: inert packages built here, and a loopback package index."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from scan_packages import EVIL_SETUP, sdist_bytes


@pytest.fixture
def evil_sdist(tmp_path: Path) -> Path:
    path = tmp_path / "evildemo-1.0.tar.gz"
    path.write_bytes(sdist_bytes("evildemo", "1.0", EVIL_SETUP))
    return path


@pytest.fixture
def benign_sdist(tmp_path: Path) -> Path:
    path = tmp_path / "gooddemo-1.0.tar.gz"
    path.write_bytes(sdist_bytes("gooddemo", "1.0"))
    return path


Route = tuple[int, str, bytes]


class FakeIndex:
    """A tiny HTTP server on 127.0.0.1 answering from ``routes`` (path -> status, type, body)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        routes, requests = self.routes, self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                status, ctype, body = routes.get(self.path, (404, "text/plain", b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def add_file(self, path: str, data: bytes) -> str:
        self.routes[path] = (200, "application/octet-stream", data)
        return hashlib.sha256(data).hexdigest()


@pytest.fixture
def fake_index() -> Iterator[FakeIndex]:
    index = FakeIndex()
    index.thread.start()
    try:
        yield index
    finally:
        index.server.shutdown()
        index.server.server_close()


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    from snakewarden.cli.main import main

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["scan", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
