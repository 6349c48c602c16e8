"""Running the ASGI app on uvicorn, with error reasons in the HTTP status line.

twine prints the reason phrase of a failed upload's status line (PyPI puts its message there),
and ASGI has no way to set it. ``ReasonH11Protocol`` copies the ``x-snakewarden-reason`` header
of an error response into the status line, so ``twine upload`` shows *why* it was refused.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import h11
import uvicorn
from starlette.applications import Starlette
from uvicorn.protocols.http.h11_impl import H11Protocol

from snakewarden.index.web import REASON_HEADER

_REASON_BYTES = REASON_HEADER.encode()
_UNPRINTABLE = re.compile(rb"[^\x20-\x7e]+")


class _ReasonConnection:
    """An ``h11.Connection`` whose error responses carry the app's reason phrase."""

    def __init__(self, conn: h11.Connection) -> None:
        object.__setattr__(self, "_conn", conn)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._conn, name, value)

    def send(self, event: Any) -> bytes | None:
        if isinstance(event, h11.Response) and event.status_code >= 400:
            for key, value in event.headers:
                if key == _REASON_BYTES:
                    reason = _UNPRINTABLE.sub(b" ", bytes(value))[:300].strip()
                    if reason:
                        event = h11.Response(
                            status_code=event.status_code,
                            headers=list(event.headers),
                            reason=reason,
                            http_version=event.http_version,
                        )
                    break
        out: bytes | None = self._conn.send(event)
        return out


class ReasonH11Protocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = _ReasonConnection(self.conn)  # type: ignore[assignment]


def uvicorn_config(
    app: Starlette, host: str, port: int, *, log_level: str = "info"
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=ReasonH11Protocol,
        lifespan="on",
        log_level=log_level,
        access_log=log_level == "debug",
        timeout_keep_alive=30,
        limit_concurrency=1000,
        server_header=False,
    )


def serve_forever(app: Starlette, host: str, port: int, *, log_level: str = "info") -> None:
    uvicorn.Server(uvicorn_config(app, host, port, log_level=log_level)).run()


class BackgroundServer:
    """The app on a free loopback port in a thread (tests, benchmarks)."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = uvicorn_config(app, host, port, log_level="warning")
        self.server = uvicorn.Server(self.config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.host = host
        self.port = port

    def __enter__(self) -> BackgroundServer:
        import socket

        if self.port == 0:
            with socket.socket() as sock:
                sock.bind((self.host, 0))
                self.port = sock.getsockname()[1]
            self.config.port = self.port
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                break
            if not self.thread.is_alive():
                raise RuntimeError("the index server did not start")
            threading.Event().wait(0.02)
        else:
            raise RuntimeError("the index server did not start in 10 s")
        return self

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)
