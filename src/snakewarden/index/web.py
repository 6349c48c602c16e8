"""HTTP endpoints (Starlette): the repository API, the upload API, the account API, admin.

Handlers parse the request, call the services in a worker thread (they are synchronous and talk
to the database) and format the answer. ``IndexRequestError`` becomes its status with the message
as the body (plain text for clients like twine and pip, JSON under ``/api`` and ``/admin``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar

from packaging.utils import canonicalize_name
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from snakewarden.adapters.storage import BlobNotFound, FileStore, iter_chunks
from snakewarden.core.events import EventTag
from snakewarden.errors import SnakewardenError
from snakewarden.index import simple
from snakewarden.index.accounts import AccountService, Principal
from snakewarden.index.config import IndexConfig
from snakewarden.index.db import Database
from snakewarden.index.errors import (
    BadRequest,
    Forbidden,
    IndexRequestError,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)
from snakewarden.index.events import RequestMeta, read_events, record
from snakewarden.index.interfaces import Clock, ProjectSource
from snakewarden.index.models import FileState, Role
from snakewarden.index.pipeline import JobQueue, ScanWorkers
from snakewarden.index.repository import FILES_PATH, LocalProjectSource
from snakewarden.index.review import ReviewAction, ReviewService
from snakewarden.index.uploads import UploadService
from snakewarden.index.validation import PROJECT_NAME_RE, parse_upload
from snakewarden.provenance.model import (
    PROVENANCE_MEDIA_TYPE,
    AttestationRejected,
    ProvenanceUnavailable,
)
from snakewarden.provenance.service import IndexProvenance

if TYPE_CHECKING:
    from snakewarden.proxy.app import ProxyViews

log = logging.getLogger("snakewarden.index.web")
T = TypeVar("T")

MAX_JSON_BODY = 64 * 1024
MAX_FORM_PART = 5 * 1024 * 1024
REASON_HEADER = "x-snakewarden-reason"


class BodyTooLarge(IndexRequestError):
    status = 413


class BodyLimit:
    """ASGI middleware: a request body larger than its bound fails with 413 as it streams in,
    whether or not it declared a Content-Length."""

    def __init__(self, app: ASGIApp, *, upload_limit: int, other_limit: int = 1024 * 1024) -> None:
        self.app = app
        self.upload_limit = upload_limit
        self.other_limit = other_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = (
            self.upload_limit + MAX_FORM_PART
            if str(scope.get("path", "")).startswith("/legacy")
            else self.other_limit
        )
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(
                        f"The request body is too large (the limit is {limit} bytes)"
                    )
            return message

        await self.app(scope, limited, send)


class PageCache:
    """Rendered project pages by (name, media type), valid while the project's serial holds."""

    def __init__(self, size: int = 4096) -> None:
        self._items: OrderedDict[tuple[str, str], tuple[int, bytes]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> tuple[int, bytes] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[str, str], serial: int, body: bytes) -> None:
        with self._lock:
            self._items[key] = (serial, body)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


@dataclass
class IndexServices:
    """Everything a request needs; built by ``app.build_services``."""

    config: IndexConfig
    db: Database
    store: FileStore
    clock: Clock
    accounts: AccountService
    uploads: UploadService
    queue: JobQueue
    review: ReviewService
    local: LocalProjectSource
    source: ProjectSource
    workers: ScanWorkers | None = None
    page_cache: PageCache = field(default_factory=lambda: PageCache())
    provenance: IndexProvenance | None = None  # PEP 740: attestations on upload, Integrity API
    proxy: ProxyViews | None = None  # serve --upstream: projects not hosted here (proxy.mount)


def _meta(request: Request, services: IndexServices) -> RequestMeta:
    ip = request.client.host if request.client else None
    if services.config.trust_proxy_headers:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            ip = forwarded.split(",")[0].strip()[:64] or ip
    return RequestMeta(ip=ip, user_agent=request.headers.get("user-agent", "")[:300] or None)


def _services(request: Request) -> IndexServices:
    services: IndexServices = request.app.state.services
    return services


async def _call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await run_in_threadpool(fn, *args, **kwargs)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/admin/"))


def error_response(request: Request, exc: IndexRequestError) -> Response:
    headers = {REASON_HEADER: exc.message.replace("\r", " ").replace("\n", " ")[:500]}
    if isinstance(exc, TooManyRequests):
        headers["retry-after"] = str(exc.retry_after)
    if isinstance(exc, Unauthenticated) and request.url.path.startswith("/legacy"):
        headers["www-authenticate"] = 'Basic realm="snakewarden"'
    if _wants_json(request):
        body: dict[str, Any] = {"error": exc.message}
        if exc.hint:
            body["hint"] = exc.hint
        return JSONResponse(body, status_code=exc.status, headers=headers)
    phrase = HTTPStatus(exc.status).phrase
    text = f"{exc.status} {phrase}: {exc.message}\n"
    return PlainTextResponse(text, status_code=exc.status, headers=headers)


async def handle_index_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IndexRequestError)
    return error_response(request, exc)


async def handle_service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SnakewardenError)
    log.error("request %s failed: %s", request.url.path, exc.message)
    return error_response(
        request, IndexRequestError(f"the index could not do that: {exc.message}", status=503)
    )


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("internal error on %s", request.url.path)
    return error_response(request, IndexRequestError("internal error", status=500))


# -- repository API -------------------------------------------------------------------------


def _negotiated(request: Request) -> str:
    media = simple.negotiate(request.headers.get("accept"), request.query_params.get("format"))
    if media is None:
        raise IndexRequestError(
            "not acceptable: ask for application/vnd.pypi.simple.v1+json, "
            "application/vnd.pypi.simple.v1+html or text/html",
            status=406,
        )
    return media


def _simple_response(media: str, doc: dict[str, Any] | None, html_text: str) -> Response:
    headers = {"vary": "Accept", "cache-control": "max-age=60"}
    if media == simple.JSON_V1:
        assert doc is not None
        return Response(simple.dumps(doc), media_type=media, headers=headers)
    return HTMLResponse(
        html_text, headers=headers, media_type=media if media != "text/html" else None
    )


async def simple_index(request: Request) -> Response:
    media = _negotiated(request)
    names = await _call(_services(request).source.project_names)
    return _simple_response(media, simple.index_json(names), simple.index_html(names))


async def simple_project(request: Request) -> Response:
    raw = request.path_params["project"]
    name = canonicalize_name(raw)
    if raw != name or not request.url.path.endswith("/"):
        target = f"/simple/{name}/"
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(target, status_code=301)
    media = _negotiated(request)
    services = _services(request)
    page = await _call(services.source.project, name)
    if page is None and services.proxy is not None:  # not hosted here, not even without files
        return await services.proxy.project_response(request, name)
    if page is None or not page.files:
        raise NotFound(f"no project named {name!r} on this index")
    key = (name, media)
    cached = services.page_cache.get(key)
    if cached is not None and cached[0] == page.serial:
        body = cached[1]
    elif media == simple.JSON_V1:
        doc = simple.project_json(page)
        if services.provenance is not None:  # PEP 740 "provenance" URLs of attested files
            doc = await _call(services.provenance.annotate_project_json, doc)
        body = simple.dumps(doc)
        services.page_cache.put(key, page.serial, body)
    else:
        body = simple.project_html(page).encode()
        services.page_cache.put(key, page.serial, body)
    headers = {
        "vary": "Accept",
        "cache-control": "max-age=60",
        "x-pypi-last-serial": str(page.serial),
        "etag": f'"{page.serial}-{hashlib.sha256(body).hexdigest()[:16]}"',
    }
    if request.headers.get("if-none-match") == headers["etag"]:
        return Response(status_code=304, headers=headers)
    content_type = media if media != simple.TEXT_HTML else "text/html; charset=utf-8"
    return Response(body, media_type=content_type, headers=headers)


def _download(
    services: IndexServices, filename: str, meta: RequestMeta
) -> tuple[str, int | None, bool]:
    """(blob key, size if known, is a metadata file) of a served file or its PEP 658 metadata."""
    want_metadata = filename.endswith(".metadata")
    dist = filename.removesuffix(".metadata") if want_metadata else filename
    found = services.local.published_file(dist)
    if found is None:
        raise NotFound(f"no file named {dist[:200]!r} is served here")
    if want_metadata:
        if found.metadata_sha256 is None:
            raise NotFound(f"no metadata file for {dist!r}")
        return found.metadata_sha256, None, True
    if services.config.record_downloads:
        with services.db.write() as s:
            record(
                s,
                EventTag.FILE_DOWNLOADED,
                time=services.clock.now(),
                meta=meta,
                filename=dist,
                project=found.project,
                version=found.version,
            )
    return found.sha256, found.size, False


async def package_file(request: Request) -> Response:
    services = _services(request)
    filename = request.path_params["filename"]
    key, size, is_metadata = await _call(_download, services, filename, _meta(request, services))
    if is_metadata:
        media = "text/plain; charset=utf-8"
    elif filename.endswith((".whl", ".zip")):
        media = "application/zip"
    else:
        media = "application/gzip"
    try:
        exists = await _call(services.store.exists, key)
    except BlobNotFound:
        exists = False
    if not exists:
        raise IndexRequestError(f"the stored file {filename!r} is missing", status=500)
    headers = {"cache-control": "max-age=31536000, immutable", "x-sha256": key}
    if size is not None:
        headers["content-length"] = str(size)
    return StreamingResponse(iter_chunks(services.store, key), media_type=media, headers=headers)


async def pypi_json(request: Request) -> Response:
    services = _services(request)
    name = canonicalize_name(request.path_params["project"])
    version = request.path_params.get("version")
    page = await _call(services.source.project, name)
    base = services.config.base_url or str(request.base_url)
    doc = None
    if page is not None and page.files:
        doc = (
            simple.pypi_release_json(page, version, base)
            if version
            else simple.pypi_project_json(page, base)
        )
    if doc is None:
        raise NotFound(f"no project {name!r}" + (f" version {version!r}" if version else ""))
    return JSONResponse(doc, headers={"cache-control": "max-age=60"})


async def integrity_provenance(request: Request) -> Response:
    """PEP 740 Integrity API: the provenance object of a served file."""
    services = _services(request)
    params = request.path_params
    if services.provenance is None:
        raise NotFound("this index does not serve provenance")

    def published(filename: str) -> bool:
        return services.local.published_file(filename) is not None

    try:
        body = await _call(
            services.provenance.serve,
            params["project"],
            params["version"],
            params["filename"],
            published,
        )
    except ProvenanceUnavailable as exc:
        raise NotFound(exc.message) from exc
    return Response(body, media_type=PROVENANCE_MEDIA_TYPE, headers={"cache-control": "max-age=60"})


# -- uploads --------------------------------------------------------------------------------


def _basic_auth(request: Request) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        raise Unauthenticated(
            "Authentication required: upload with user name __token__ and an API token"
        )
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest("Malformed Basic authorization header") from exc
    user, sep, password = decoded.partition(":")
    if not sep:
        raise BadRequest("Malformed Basic authorization header")
    return user, password


async def legacy_upload(request: Request) -> Response:
    services = _services(request)
    meta = _meta(request, services)
    user, password = _basic_auth(request)
    principal = await _call(services.accounts.authenticate_upload, user, password, meta)
    limit = services.config.max_upload_size
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + MAX_FORM_PART:
        raise IndexRequestError(f"The upload is too large (the limit is {limit} bytes)", status=413)
    try:
        form = await request.form(max_files=2, max_fields=2000, max_part_size=MAX_FORM_PART)
    except IndexRequestError:
        raise
    except Exception as exc:  # multipart errors of every kind: the body is hostile input
        raise BadRequest(f"Malformed multipart form: {exc}") from exc
    try:
        content = form.get("content")
        if not isinstance(content, UploadFile):
            raise BadRequest("The upload carries no file: send it in the 'content' field")
        if content.size is not None and content.size > limit:
            raise IndexRequestError(
                f"The file is too large ({content.size} bytes; the limit is {limit} bytes)",
                status=413,
            )
        data = await content.read(limit + 1)
        fields: dict[str, list[str]] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                fields.setdefault(key, []).append(value)
        filename = content.filename or ""
    finally:
        await form.close()
    parsed = await _call(parse_upload, fields, filename, data, max_size=limit)
    attested = None
    if services.provenance is not None and fields.get("attestations"):
        try:  # PEP 740: every attestation must verify against this very file, or no upload
            attested = await _call(
                services.provenance.accept_upload,
                fields["attestations"],
                parsed.filename,
                parsed.sha256,
            )
        except AttestationRejected as exc:
            raise BadRequest(f"Invalid attestations: {exc.reason}", hint=exc.hint) from exc
    receipt = await _call(services.uploads.accept, principal, parsed, data, meta)
    # An identical re-upload keeps the provenance recorded the first time (never rewritten).
    if attested is not None and services.provenance is not None and not receipt.duplicate:
        await _call(services.provenance.save, receipt.filename, attested)
        await _call(services.local.touch, receipt.project)  # cached pages gain the provenance
    if services.workers is not None:
        services.workers.notify()
    if receipt.duplicate:
        return PlainTextResponse(f"OK: {receipt.filename} was already uploaded (identical)\n")
    return PlainTextResponse(
        f"OK: {receipt.filename} received; it will be served once its scan is clean\n"
    )


# -- the account API ------------------------------------------------------------------------


async def _json_body(request: Request) -> dict[str, Any]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_JSON_BODY:
            raise IndexRequestError("request body too large", status=413)
    if not body:
        return {}
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the body is not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise BadRequest("the body must be a JSON object")
    return doc


def _str(doc: dict[str, Any], key: str, *, required: bool = True, limit: int = 1024) -> str:
    value = doc.get(key)
    if value is None:
        if required:
            raise BadRequest(f"missing field {key!r}")
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise BadRequest(f"field {key!r} must be a string of at most {limit} characters")
    return value


def _bearer(request: Request) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated("log in first (POST /api/login) and send Authorization: Bearer TOKEN")
    return value.strip()


async def _session(request: Request, *, two_factor: bool = False, admin: bool = False) -> Principal:
    services = _services(request)
    principal = await _call(services.accounts.authenticate_session, _bearer(request))
    if (two_factor or admin) and not principal.session_two_factor:
        raise Forbidden("this needs a session opened with a 2FA code: enable 2FA and log in again")
    if admin and not principal.account.is_admin:
        raise Forbidden("this needs an administrator account")
    return principal


async def api_login(request: Request) -> Response:
    services = _services(request)
    doc = await _json_body(request)
    token, account = await _call(
        services.accounts.login,
        _str(doc, "username", limit=64),
        _str(doc, "password"),
        _str(doc, "otp", required=False, limit=64) or None,
        meta=_meta(request, services),
    )
    return JSONResponse(
        {"session": token, "username": account.username, "two_factor": account.two_factor}
    )


async def api_logout(request: Request) -> Response:
    await _call(_services(request).accounts.logout, _bearer(request))
    return JSONResponse({"ok": True})


async def api_create_user(request: Request) -> Response:
    services = _services(request)
    actor = None
    if not services.config.open_registration:
        actor = (await _session(request, admin=True)).account.username
    doc = await _json_body(request)
    account = await _call(
        services.accounts.create_user,
        _str(doc, "username", limit=64),
        _str(doc, "email", limit=254),
        _str(doc, "password"),
        meta=_meta(request, services),
        actor=actor,
    )
    return JSONResponse({"username": account.username, "email": account.email}, status_code=201)


async def api_2fa_begin(request: Request) -> Response:
    principal = await _session(request)
    secret, uri = await _call(
        _services(request).accounts.begin_two_factor, principal.account.username
    )
    return JSONResponse({"secret": secret, "uri": uri})


async def api_2fa_confirm(request: Request) -> Response:
    services = _services(request)
    principal = await _session(request)
    doc = await _json_body(request)
    codes = await _call(
        services.accounts.confirm_two_factor,
        principal.account.username,
        _str(doc, "code", limit=64),
        meta=_meta(request, services),
    )
    return JSONResponse({"enabled": True, "recovery_codes": codes})


async def api_password(request: Request) -> Response:
    services = _services(request)
    principal = await _session(request, two_factor=True)
    doc = await _json_body(request)
    await _call(
        services.accounts.set_password,
        principal.account.username,
        _str(doc, "new_password"),
        old_password=_str(doc, "old_password"),
        actor=principal.account.username,
        meta=_meta(request, services),
    )
    return JSONResponse({"ok": True, "hint": "every session was closed: log in again"})


async def api_email(request: Request) -> Response:
    services = _services(request)
    principal = await _session(request, two_factor=True)
    doc = await _json_body(request)
    await _call(
        services.accounts.set_email,
        principal.account.username,
        _str(doc, "email", limit=254),
        actor=principal.account.username,
        meta=_meta(request, services),
    )
    return JSONResponse({"ok": True})


async def api_tokens(request: Request) -> Response:
    services = _services(request)
    if request.method == "GET":
        principal = await _session(request)
        tokens = await _call(services.accounts.list_tokens, principal.account.username)
        return JSONResponse(
            [
                {
                    "id": t.id,
                    "prefix": t.prefix,
                    "description": t.description,
                    "projects": list(t.projects),
                    "created_at": t.created_at.isoformat(),
                    "expires_at": t.expires_at.isoformat() if t.expires_at else None,
                    "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                    "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                }
                for t in tokens
            ]
        )
    principal = await _session(request, two_factor=True)
    doc = await _json_body(request)
    projects = doc.get("projects") or []
    if not isinstance(projects, list) or not all(isinstance(p, str) for p in projects):
        raise BadRequest("'projects' must be a list of project names")
    if len(projects) > 100:
        raise BadRequest("at most 100 projects per token")
    expires = doc.get("expires_days")
    if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int | float)):
        raise BadRequest("'expires_days' must be a number")
    token, info = await _call(
        services.accounts.create_token,
        principal.account.username,
        "",
        projects=projects,
        expires_days=expires,
        description=_str(doc, "description", required=False, limit=200),
        meta=_meta(request, services),
        verified_session=True,
    )
    return JSONResponse(
        {
            "token": token,
            "id": info.id,
            "projects": list(info.projects),
            "expires_at": info.expires_at.isoformat() if info.expires_at else None,
        },
        status_code=201,
    )


async def api_revoke_token(request: Request) -> Response:
    services = _services(request)
    principal = await _session(request)
    try:
        token_id = int(request.path_params["token_id"])
    except ValueError as exc:
        raise NotFound("no such token") from exc
    await _call(
        services.accounts.revoke_token,
        token_id,
        actor=principal.account.username,
        reason="revoked by its owner",
        owner=None if principal.account.is_admin else principal.account.username,
        meta=_meta(request, services),
    )
    return JSONResponse({"revoked": token_id})


async def api_yank(request: Request) -> Response:
    services = _services(request)
    principal = await _session(request, two_factor=True)
    doc = await _json_body(request)
    await _call(
        services.review.yank,
        principal,
        request.path_params["project"],
        request.path_params["version"],
        reason=_str(doc, "reason", required=False, limit=500),
        undo=bool(doc.get("undo", False)),
        meta=_meta(request, services),
    )
    return JSONResponse({"ok": True})


async def api_roles(request: Request) -> Response:
    services = _services(request)
    principal = await _session(request, two_factor=True)
    project = request.path_params["project"]
    if not PROJECT_NAME_RE.match(project):
        raise BadRequest("invalid project name")
    doc = await _json_body(request)
    role_text = _str(doc, "role", required=False, limit=16) or "maintainer"
    if role_text not in ("owner", "maintainer", "none"):
        raise BadRequest("'role' must be owner, maintainer or none")

    def change() -> None:
        name = canonicalize_name(project)
        if not principal.account.is_admin:
            with services.db.read() as s:
                from sqlalchemy import select

                from snakewarden.index.models import Project

                proj = s.scalar(select(Project).where(Project.normalized_name == name))
                if proj is None:
                    raise NotFound(f"no project {name!r}")
                if services.accounts.role_of(s, proj.id, principal.account.id) is not Role.OWNER:
                    raise Forbidden(f"only owners of {name!r} can change its roles")
        services.accounts.set_role(
            name,
            _str(doc, "username", limit=64),
            None if role_text == "none" else Role(role_text),
            actor=principal.account.username,
            meta=_meta(request, services),
        )

    await _call(change)
    return JSONResponse({"ok": True})


# -- admin ----------------------------------------------------------------------------------


async def admin_authorized(request: Request) -> bool:
    """True for a 2FA session of an administrator (the anomaly alert routes ask this)."""
    try:
        await _session(request, admin=True)
    except IndexRequestError:
        return False
    return True


async def admin_queue(request: Request) -> Response:
    await _session(request, admin=True)
    raw = request.query_params.get("state", "held")
    try:
        states = tuple(FileState(s) for s in raw.split(",") if s)
    except ValueError as exc:
        raise BadRequest(f"unknown state in {raw!r}") from exc
    items = await _call(_services(request).review.queue, states)
    return JSONResponse([i.to_dict() for i in items])


async def admin_action(request: Request) -> Response:
    services = _services(request)
    principal = await _session(request, admin=True)
    try:
        action = ReviewAction(request.path_params["action"])
    except ValueError as exc:
        raise NotFound("unknown action: use approve, quarantine or delete") from exc
    doc = await _json_body(request)
    state = await _call(
        services.review.act,
        request.path_params["filename"],
        action,
        actor=principal.account.username,
        reason=_str(doc, "reason", required=False, limit=500),
        meta=_meta(request, services),
    )
    return JSONResponse({"filename": request.path_params["filename"], "state": state})


async def admin_events(request: Request) -> Response:
    await _session(request, admin=True)
    try:
        after = int(request.query_params.get("after", "0"))
        limit = int(request.query_params.get("limit", "1000"))
    except ValueError as exc:
        raise BadRequest("'after' and 'limit' must be integers") from exc
    events = await _call(read_events, _services(request).db, after=after, limit=limit)
    return JSONResponse(
        {
            "events": [
                {
                    "id": int(e.id),
                    "time": e.time.isoformat(),
                    "tag": e.tag.value,
                    "actor": e.actor,
                    "project": e.project,
                    "version": e.version,
                    "filename": e.filename,
                    "ip": e.ip,
                    "user_agent": e.user_agent,
                    "details": dict(e.details),
                }
                for e in events
            ],
            "last": int(events[-1].id) if events else after,
        }
    )


async def health(request: Request) -> Response:
    services = _services(request)
    counts = await _call(services.queue.counts)
    return JSONResponse({"ok": True, "backend": services.db.backend, "jobs": counts})


async def home(request: Request) -> Response:
    return HTMLResponse(
        "<!DOCTYPE html><html><head><title>snakewarden index</title></head><body>"
        '<h1>snakewarden index</h1><p>Simple API: <a href="/simple/">/simple/</a>. '
        "Uploads: <code>/legacy/</code>.</p></body></html>"
    )


Handler = Callable[[Request], Awaitable[Response]]


def routes() -> list[Route]:
    return [
        Route("/", home),
        Route("/health", health),
        Route("/simple/", simple_index),
        Route("/simple", _to_simple),
        Route("/simple/{project}/", simple_project),
        Route("/simple/{project}", simple_project),
        Route(FILES_PATH + "{filename}", package_file),
        Route("/pypi/{project}/json", pypi_json),
        Route("/pypi/{project}/{version}/json", pypi_json),
        Route("/integrity/{project}/{version}/{filename}/provenance", integrity_provenance),
        Route("/legacy/", legacy_upload, methods=["POST"]),
        Route("/legacy", legacy_upload, methods=["POST"]),
        Route("/api/login", api_login, methods=["POST"]),
        Route("/api/logout", api_logout, methods=["POST"]),
        Route("/api/users", api_create_user, methods=["POST"]),
        Route("/api/2fa/begin", api_2fa_begin, methods=["POST"]),
        Route("/api/2fa/confirm", api_2fa_confirm, methods=["POST"]),
        Route("/api/password", api_password, methods=["POST"]),
        Route("/api/email", api_email, methods=["POST"]),
        Route("/api/tokens", api_tokens, methods=["GET", "POST"]),
        Route("/api/tokens/{token_id}", api_revoke_token, methods=["DELETE"]),
        Route("/api/projects/{project}/releases/{version}/yank", api_yank, methods=["POST"]),
        Route("/api/projects/{project}/roles", api_roles, methods=["POST"]),
        Route("/admin/queue", admin_queue),
        Route("/admin/files/{filename}/{action}", admin_action, methods=["POST"]),
        Route("/admin/events", admin_events),
    ]


async def _to_simple(request: Request) -> Response:
    return RedirectResponse("/simple/", status_code=301)
