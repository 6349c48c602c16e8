"""A small PEP 503/691 index served on loopback (stdlib http.server), with hit counters."""

from __future__ import annotations

import hashlib
import html
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from packaging.utils import canonicalize_name


@dataclass
class Entry:
    filename: str
    data: bytes
    upload_time: datetime | None = None
    yanked: str | None = None
    metadata: bytes | None = None
    provenance: bytes | None = None
    requires_python: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class FakeIndex:
    projects: dict[str, list[Entry]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    json_api: bool = True  # False: an HTML-only (PEP 503) index
    corrupt: set[str] = field(default_factory=set)  # filenames served with wrong bytes
    fail_status: int | None = None  # every request answers this status
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    def add(self, name: str, filename: str, data: bytes, **kw: object) -> Entry:
        entry = Entry(filename, data, **kw)  # type: ignore[arg-type]
        self.projects.setdefault(canonicalize_name(name), []).append(entry)
        return entry

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/simple/"

    def count(self, prefix: str) -> int:
        with self.lock:
            return sum(n for path, n in self.hits.items() if path.startswith(prefix))

    def start(self) -> FakeIndex:
        index = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = unquote(urlsplit(self.path).path)
                with index.lock:
                    index.hits[path] += 1
                if index.fail_status:
                    self._send(index.fail_status, b"upstream trouble\n", "text/plain")
                    return
                if path.startswith("/simple/"):
                    self._page(path)
                elif path.startswith("/packages/"):
                    self._file(path.removeprefix("/packages/"))
                else:
                    self._send(404, b"not found\n", "text/plain")

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _page(self, path: str) -> None:
                name = canonicalize_name(path.removeprefix("/simple/").strip("/"))
                entries = index.projects.get(name)
                if entries is None:
                    self._send(404, b"no such project\n", "text/plain")
                    return
                accept = self.headers.get("Accept", "")
                if index.json_api and "application/vnd.pypi.simple.v1+json" in accept:
                    self._send(
                        200, _json_page(name, entries), "application/vnd.pypi.simple.v1+json"
                    )
                else:
                    self._send(200, _html_page(name, entries), "text/html")

            def _file(self, filename: str) -> None:
                for entries in index.projects.values():
                    for e in entries:
                        if filename == e.filename:
                            data = e.data + (b"tampered" if e.filename in index.corrupt else b"")
                            self._send(200, data, "application/octet-stream")
                            return
                        if filename == e.filename + ".metadata" and e.metadata is not None:
                            self._send(200, e.metadata, "text/plain")
                            return
                        if filename == e.filename + ".provenance" and e.provenance is not None:
                            self._send(200, e.provenance, "application/json")
                            return
                self._send(404, b"no such file\n", "text/plain")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def _json_page(name: str, entries: list[Entry]) -> bytes:
    files = []
    for e in entries:
        doc: dict[str, object] = {
            "filename": e.filename,
            "url": f"../../packages/{e.filename}",
            "hashes": {"sha256": e.sha256},
            "yanked": e.yanked if e.yanked else False,
            "size": len(e.data),
        }
        if e.requires_python:
            doc["requires-python"] = e.requires_python
        if e.metadata is not None:
            doc["core-metadata"] = {"sha256": hashlib.sha256(e.metadata).hexdigest()}
        if e.upload_time is not None:
            doc["upload-time"] = e.upload_time.isoformat().replace("+00:00", "Z")
        if e.provenance is not None:
            doc["provenance"] = f"../../packages/{e.filename}.provenance"
        files.append(doc)
    return json.dumps({"meta": {"api-version": "1.3"}, "name": name, "files": files}).encode()


def _html_page(name: str, entries: list[Entry]) -> bytes:
    lines = ["<!DOCTYPE html><html><body>"]
    for e in entries:
        attrs = f' href="../../packages/{e.filename}#sha256={e.sha256}"'
        if e.requires_python:
            attrs += f' data-requires-python="{html.escape(e.requires_python)}"'
        if e.yanked is not None:
            attrs += f' data-yanked="{html.escape(e.yanked)}"'
        if e.metadata is not None:
            attrs += f' data-dist-info-metadata="sha256={hashlib.sha256(e.metadata).hexdigest()}"'
        lines.append(f"<a{attrs}>{e.filename}</a><br>")
    lines.append("</body></html>")
    return "\n".join(lines).encode()
