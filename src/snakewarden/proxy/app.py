"""The proxy as a Starlette app: ``create_proxy_app(config, ...)``.

Routes (all GET/HEAD):

- ``/simple/`` and ``/simple/NAME/``: PEP 503 HTML or PEP 691 JSON by content negotiation
  (``Accept``, or ``?format=``); file URLs point at the proxy, hashes are kept.
- ``/files/NAME/SHA256/FILENAME``: the file, downloaded, verified, scanned and cached on first
  request; refused with HTTP 403 and the reason when the policy blocks it.
  ``FILENAME.metadata`` (PEP 658) and ``FILENAME.provenance`` (PEP 740) sit beside it.
- ``/-/blocked/SUBJECT/REASON`` and ``/-/unavailable/STATUS/SUBJECT/REASON``: where refusals
  and upstream failures redirect, so that installers show the reason. pip and uv print only the
  status line and the final URL of a failed download (never the body, and ASGI servers send
  the standard reason phrase), so the reason travels in the URL; the body and the
  ``X-Snakewarden-Reason`` header carry it in full.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import anyio.to_thread
from packaging.utils import canonicalize_name
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from snakewarden.adapters.home import home_dir
from snakewarden.adapters.storage import FileStore, LocalFileStore, iter_chunks
from snakewarden.errors import SnakewardenError
from snakewarden.proxy.errors import ProxyError, UpstreamError, UpstreamNotFound
from snakewarden.proxy.interfaces import (
    AttestationVerifier,
    Clock,
    DecisionLog,
    LocalProjects,
    NameChecker,
    Scanner,
    UpstreamClient,
    VerdictStore,
    VulnerabilityLookup,
)
from snakewarden.proxy.model import Action, UpstreamFile
from snakewarden.proxy.scanner import AnalysisScanner
from snakewarden.proxy.service import Blocked, Client, NotServed, ProxyConfig, ProxyService
from snakewarden.proxy.simple import (
    JSON_V1,
    TEXT_HTML,
    negotiate,
    render_html,
    render_json,
    render_root_html,
    render_root_json,
)
from snakewarden.proxy.stores import JsonlDecisionLog, JsonVerdictStore, SystemClock
from snakewarden.proxy.upstream import HttpxUpstreamClient

log = logging.getLogger("snakewarden.proxy")
_SHA256 = re.compile(r"\A[0-9a-f]{64}\Z")
_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9._~+=-]+")
_INLINE_LIMIT = 16 * 1024 * 1024
REASON_HEADER = "X-Snakewarden-Reason"
WARNING_HEADER = "X-Snakewarden-Warning"


def slug(text: str, limit: int = 180) -> str:
    """A URL path segment that reads as the text: runs of other characters become '-'."""
    return _SLUG_UNSAFE.sub("-", text).strip("-.")[:limit].rstrip("-.") or "refused"


def _header(text: str) -> str:
    return (
        text.encode("latin-1", "replace")
        .decode("latin-1")
        .replace("\r", " ")
        .replace("\n", " ")[:1000]
    )


class _Reasons:
    """Recent refusal reasons, so the redirect target can show the full text (bounded LRU)."""

    def __init__(self, size: int = 4096) -> None:
        self._items: OrderedDict[str, str] = OrderedDict()
        self._size = size

    def put(self, key: str, reason: str) -> None:
        self._items[key] = reason
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def get(self, key: str) -> str | None:
        return self._items.get(key)


class ProxyViews:
    """The HTTP adapter over a ``ProxyService``; ``routes()`` can be mounted by the index."""

    def __init__(self, service: ProxyService, *, files_prefix: str = "/files") -> None:
        self.service = service
        self.files_prefix = files_prefix.rstrip("/")
        self._reasons = _Reasons()

    def routes(self, *, simple: bool = True) -> list[BaseRoute]:
        routes: list[BaseRoute] = []
        if simple:
            routes += [
                Route("/simple/", self.root, methods=["GET"]),
                Route("/simple/{name}/", self.project, methods=["GET"]),
            ]
        routes += [
            Route(self.files_prefix + "/{name}/{sha256}/{filename}", self.file, methods=["GET"]),
            Route("/-/blocked/{subject}/{reason}", self.blocked, methods=["GET"]),
            Route(
                "/-/unavailable/{status:int}/{subject}/{reason}", self.unavailable, methods=["GET"]
            ),
        ]
        return routes

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _client(request: Request) -> Client:
        return Client(
            ip=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
        )

    def file_url(self, request: Request, project: str) -> Callable[[UpstreamFile], str]:
        base = str(request.base_url).rstrip("/") + self.files_prefix
        return lambda f: f"{base}/{project}/{f.sha256}/{quote(f.filename)}"

    def refuse(self, request: Request, subject: str, reason: str) -> Response:
        """403 by way of a redirect whose URL carries the reason (see the module docstring)."""
        text = f"{subject}: blocked by snakewarden policy: {reason}"
        key = f"{slug(subject, 120)}/{slug(reason.split('; ', 1)[0])}"  # the main reason
        self._reasons.put(key, text)
        url = f"{str(request.base_url).rstrip('/')}/-/blocked/{key}"
        return RedirectResponse(url, status_code=303, headers={REASON_HEADER: _header(text)})

    def fail(self, request: Request, subject: str, exc: UpstreamError) -> Response:
        status = exc.status if 500 <= exc.status <= 599 else 502
        text = exc.message
        key = f"{slug(subject, 120)}/{slug(text)}"
        self._reasons.put(f"{status}/{key}", text)
        url = f"{str(request.base_url).rstrip('/')}/-/unavailable/{status}/{key}"
        return RedirectResponse(url, status_code=303, headers={REASON_HEADER: _header(text)})

    @staticmethod
    def not_found(text: str) -> Response:
        return PlainTextResponse(
            text + "\n", status_code=404, headers={REASON_HEADER: _header(text)}
        )

    # -- endpoints ----------------------------------------------------------------------------

    async def blocked(self, request: Request) -> Response:
        key = f"{request.path_params['subject']}/{request.path_params['reason']}"
        # unknown keys get a generic text: never echo a URL's words as the proxy's own
        text = self._reasons.get(key) or "blocked by snakewarden policy (request the file again)"
        return PlainTextResponse(
            text + "\n", status_code=403, headers={REASON_HEADER: _header(text)}
        )

    async def unavailable(self, request: Request) -> Response:
        status = int(request.path_params["status"])
        if not 500 <= status <= 599:
            status = 502
        key = f"{status}/{request.path_params['subject']}/{request.path_params['reason']}"
        text = self._reasons.get(key) or "upstream unavailable (request the file again)"
        return PlainTextResponse(
            text + "\n", status_code=status, headers={REASON_HEADER: _header(text)}
        )

    async def root(self, request: Request) -> Response:
        media = negotiate(request.headers.get("accept"), request.query_params.get("format"))
        if media is None:
            return PlainTextResponse("not acceptable\n", status_code=406)
        names = self.service.cached_projects()
        if media == JSON_V1:
            body = render_root_json(names)
        else:
            body = render_root_html(names, lambda n: f"{n}/")
        return Response(body, media_type=media, headers={"Vary": "Accept"})

    async def project(self, request: Request) -> Response:
        name: str = request.path_params["name"]
        canon = canonicalize_name(name)
        if name != canon:
            target = str(request.url.path)[: -len(name) - 1] + f"{canon}/"
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(target + query, status_code=301)
        return await self.project_response(request, canon)

    async def project_response(self, request: Request, canon: str) -> Response:
        """The upstream page of the normalized name ``canon`` (the index delegates here)."""
        media = negotiate(request.headers.get("accept"), request.query_params.get("format"))
        if media is None:
            return PlainTextResponse(
                "not acceptable: ask for application/vnd.pypi.simple.v1+json or text/html\n",
                status_code=406,
            )
        client = self._client(request)
        project_block = None
        try:
            try:
                self.service.check_project(canon, client)
            except Blocked as exc:
                if exc.decision.rule == "internal":
                    raise
                # list the files anyway, each refused on download: pip shows a refused download
                # with its URL at error level, but a failed index page only in its debug log
                project_block = exc.decision
            page = await self.service.page(canon)
        except Blocked as exc:
            return self.refuse(request, canon, exc.decision.reason)
        except (NotServed, UpstreamNotFound) as exc:
            return self.not_found(exc.message)
        except UpstreamError as exc:
            return self.fail(request, canon, exc)
        served = self.service.served_page(
            page, self.file_url(request, canon), project_block=project_block
        )
        body = render_json(served) if media == JSON_V1 else render_html(served)
        return Response(
            body,
            media_type=media if media != TEXT_HTML else "text/html",
            headers={"Vary": "Accept", "Cache-Control": "max-age=600, public"},
        )

    async def file(self, request: Request) -> Response:
        name: str = request.path_params["name"]
        sha256: str = request.path_params["sha256"].lower()
        filename: str = request.path_params["filename"]
        if not _SHA256.match(sha256):
            return self.not_found("not a sha256 digest")
        client = self._client(request)
        try:
            if filename.endswith(".metadata"):
                data = await self.service.fetch_metadata(
                    name, sha256, filename[: -len(".metadata")], client
                )
                return Response(data, media_type="text/plain; charset=utf-8")
            if filename.endswith(".provenance"):
                data = await self.service.fetch_provenance(
                    name, sha256, filename[: -len(".provenance")], client
                )
                return Response(data, media_type="application/json")
            outcome = await self.service.fetch_file(name, sha256, filename, client)
        except Blocked as exc:
            return self.refuse(request, filename, exc.decision.reason)
        except (NotServed, UpstreamNotFound) as exc:
            return self.not_found(exc.message)
        except UpstreamError as exc:
            return self.fail(request, filename, exc)
        if outcome.decision.blocked:
            return self.refuse(request, filename, outcome.decision.reason)
        headers = {
            "ETag": f'"{sha256}"',
            "Cache-Control": "max-age=31536000, immutable",
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        }
        if outcome.decision.action is Action.WARN:
            headers[WARNING_HEADER] = _header(outcome.decision.reason)
        size = outcome.size
        if size <= _INLINE_LIMIT:
            data = await anyio.to_thread.run_sync(self.service.open_file, sha256)
            return Response(data, media_type="application/octet-stream", headers=headers)
        headers["Content-Length"] = str(size)
        chunks: Iterator[bytes] = iter_chunks(self.service.files, sha256)
        return StreamingResponse(chunks, media_type="application/octet-stream", headers=headers)


def build_service(
    config: ProxyConfig,
    *,
    upstream: UpstreamClient | None = None,
    files: FileStore | None = None,
    verdicts: VerdictStore | None = None,
    decisions: DecisionLog | None = None,
    scanner: Scanner | None = None,
    clock: Clock | None = None,
    names: NameChecker | None = None,
    vulnerabilities: VulnerabilityLookup | None = None,
    attestations: AttestationVerifier | None = None,
    local: LocalProjects | None = None,
) -> ProxyService:
    """Wire a ``ProxyService``: every port not given gets its real implementation.

    The data folder (``config.data_dir``, default ``$SNAKEWARDEN_HOME/proxy``) holds
    ``files/`` (content-addressed cache), ``verdicts/`` and ``decisions.jsonl``.
    """
    data_dir: Path = config.data_dir or home_dir() / "proxy"
    data_dir.mkdir(parents=True, exist_ok=True)
    return ProxyService(
        config,
        upstream=upstream or HttpxUpstreamClient(config.upstream_url),
        files=files if files is not None else LocalFileStore(data_dir / "files"),
        verdicts=verdicts if verdicts is not None else JsonVerdictStore(data_dir / "verdicts"),
        decisions=decisions
        if decisions is not None
        else JsonlDecisionLog(data_dir / "decisions.jsonl"),
        scanner=scanner or AnalysisScanner(),
        clock=clock or SystemClock(),
        names=names,
        vulnerabilities=vulnerabilities,
        attestations=attestations,
        local=local,
    )


def create_proxy_app(config: ProxyConfig, service: ProxyService | None = None) -> Starlette:
    """The standalone proxy app over ``service`` (default: ``build_service(config)``, every port
    real; tests and the CLI pass a service built with their own ports)."""
    svc = service or build_service(config)
    views = ProxyViews(svc)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await svc.aclose()

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def on_error(request: Request, exc: Exception) -> Response:
        text = exc.diagnostics() if isinstance(exc, SnakewardenError) else str(exc)
        log.error("%s %s: %s", request.method, request.url.path, text)
        return PlainTextResponse(
            text + "\n", status_code=503, headers={REASON_HEADER: _header(text)}
        )

    app = Starlette(
        routes=[*views.routes(), Route("/-/health", health)],
        lifespan=lifespan,
        exception_handlers={SnakewardenError: on_error},
    )
    app.state.proxy = svc
    return app


__all__ = ["ProxyError", "ProxyViews", "build_service", "create_proxy_app"]
