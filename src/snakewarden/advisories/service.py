"""An OSV-compatible query API over the local advisory store (ASGI, Starlette).

Endpoints, as api.osv.dev answers them:

* ``POST /v1/query``: ``{"package": {"name", "ecosystem"} | {"purl"}, "version"?}`` →
  ``{"vulns": [full records]}``, or ``{}`` when nothing matches;
* ``POST /v1/querybatch``: ``{"queries": [...]}`` → ``{"results": [{"vulns": [{"id",
  "modified"}]} | {}]}`` (ids only, in query order);
* ``GET /v1/vulns/{id}``: one full record, or 404.

Records are served byte-for-byte as imported. Withdrawn records never match a query. Errors use
OSV's shape ``{"code": N, "message": "..."}`` (3 = invalid argument, 5 = not found).
:func:`create_osv_app` is a factory so that the index server can mount the same app.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from packaging.utils import canonicalize_name
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from snakewarden.advisories.interfaces import AdvisoryStore
from snakewarden.advisories.matching import affects
from snakewarden.advisories.model import PYPI, Advisory

MAX_BODY = 4 * 1024 * 1024
MAX_BATCH = 1000


class _BadRequest(Exception):
    pass


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def _raw_json(records: Sequence[Advisory]) -> Response:
    body = '{"vulns":[' + ",".join(a.raw for a in records) + "]}" if records else "{}"
    return Response(body, media_type="application/json")


async def _body(request: Request) -> Any:
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > MAX_BODY:
            raise _BadRequest(f"request body is larger than {MAX_BODY} bytes")
    try:
        return json.loads(bytes(data) or b"{}")
    except ValueError as exc:
        raise _BadRequest(f"invalid JSON: {exc}") from None


def _parse_purl(purl: str) -> tuple[str, str, str | None]:
    """``pkg:pypi/name@version`` → (ecosystem, name, version)."""
    if not purl.startswith("pkg:"):
        raise _BadRequest("invalid purl")
    body = purl[4:].split("#", 1)[0].split("?", 1)[0]
    ptype, _, rest = body.partition("/")
    if not rest:
        raise _BadRequest("invalid purl")
    name, _, version = rest.rpartition("@") if "@" in rest else (rest, "", "")
    ecosystem = {"pypi": PYPI}.get(ptype.lower(), ptype)
    return ecosystem, unquote(name.rsplit("/", 1)[-1]), unquote(version) or None


def _parse_query(obj: object) -> tuple[str, str, str | None]:
    if not isinstance(obj, dict):
        raise _BadRequest("a query must be a JSON object")
    if "commit" in obj:
        raise _BadRequest("commit queries are not supported by this server")
    package = obj.get("package")
    version = obj.get("version")
    if version is not None and not isinstance(version, str):
        raise _BadRequest("'version' must be a string")
    if not isinstance(package, dict):
        raise _BadRequest("a query needs a 'package'")
    purl = package.get("purl")
    if purl:
        if not isinstance(purl, str):
            raise _BadRequest("'purl' must be a string")
        ecosystem, name, pversion = _parse_purl(purl)
        if pversion and version:
            raise _BadRequest("version given both in the purl and in 'version'")
        return ecosystem, name, version or pversion
    raw_name, raw_ecosystem = package.get("name"), package.get("ecosystem")
    if not isinstance(raw_name, str) or not raw_name:
        raise _BadRequest("'package.name' is required")
    if not isinstance(raw_ecosystem, str) or not raw_ecosystem:
        raise _BadRequest("'package.ecosystem' is required")
    return raw_ecosystem, raw_name, version


def _match(
    store: AdvisoryStore, queries: Sequence[tuple[str, str, str | None]]
) -> list[list[Advisory]]:
    by_eco: dict[str, set[str]] = {}
    for eco, name, _v in queries:
        by_eco.setdefault(eco, set()).add(name)
    found = {
        eco: store.advisories_for([canonicalize_name(n) for n in names], eco)
        for eco, names in by_eco.items()
    }
    out: list[list[Advisory]] = []
    for eco, name, version in queries:
        cname = canonicalize_name(name)
        candidates = found[eco].get(cname, ())
        if version is None:
            out.append([a for a in candidates if not a.is_withdrawn])
        else:
            out.append([a for a in candidates if affects(a, cname, version, eco)])
    return out


def create_osv_app(store: AdvisoryStore) -> Starlette:
    """The OSV query API over ``store``, as an ASGI app (mountable under any prefix)."""

    async def query(request: Request) -> Response:
        try:
            q = _parse_query(await _body(request))
        except _BadRequest as exc:
            return _error(400, 3, str(exc))
        (records,) = await run_in_threadpool(_match, store, [q])
        return _raw_json(records)

    async def querybatch(request: Request) -> Response:
        try:
            body = await _body(request)
            raw_queries = body.get("queries") if isinstance(body, dict) else None
            if not isinstance(raw_queries, list):
                raise _BadRequest("'queries' must be a list")
            if len(raw_queries) > MAX_BATCH:
                raise _BadRequest(f"too many queries: {len(raw_queries)} (limit {MAX_BATCH})")
            queries = [_parse_query(q) for q in raw_queries]
        except _BadRequest as exc:
            return _error(400, 3, str(exc))
        results = await run_in_threadpool(_match, store, queries)
        return JSONResponse(
            {
                "results": [
                    {"vulns": [{"id": a.id, "modified": a.modified} for a in recs]} if recs else {}
                    for recs in results
                ]
            }
        )

    async def get_vuln(request: Request) -> Response:
        vid = str(request.path_params["vuln_id"])
        record = await run_in_threadpool(store.get, vid)
        if record is None:
            return _error(404, 5, "Bug not found.")
        return Response(record.raw, media_type="application/json")

    return Starlette(
        routes=[
            Route("/v1/query", query, methods=["POST"]),
            Route("/v1/querybatch", querybatch, methods=["POST"]),
            Route("/v1/vulns/{vuln_id:str}", get_vuln, methods=["GET"]),
        ]
    )
