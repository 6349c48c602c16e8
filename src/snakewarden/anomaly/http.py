"""HTTP endpoints for alerts, as Starlette routes the index mounts behind its admin check.

``GET /admin/alerts?state=open&limit=100`` lists alerts as JSON; ``POST
/admin/alerts/{id}/ack`` and ``/close`` change their state.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from snakewarden.anomaly.alerts import AlertState
from snakewarden.anomaly.store import AlertStore, UnknownAlertError

#: Decides whether a request may see and change alerts (the index passes its admin check);
#: may be async. Raising an exception (e.g. the index's Unauthorized) is fine too.
Authorize = Callable[[Request], "bool | Awaitable[bool]"]


async def _allowed(authorize: Authorize, request: Request) -> bool:
    verdict = authorize(request)
    if inspect.isawaitable(verdict):
        verdict = await verdict
    return bool(verdict)


def alert_routes(
    store: AlertStore, authorize: Authorize, prefix: str = "/admin/alerts"
) -> list[Route]:
    def _denied() -> JSONResponse:
        return JSONResponse({"error": "admin rights required"}, status_code=403)

    async def list_alerts(request: Request) -> JSONResponse:
        if not await _allowed(authorize, request):
            return _denied()
        raw_state = request.query_params.get("state", "open")
        state = None
        if raw_state != "all":
            try:
                state = AlertState(raw_state)
            except ValueError:
                return JSONResponse(
                    {"error": "state must be open, acknowledged, closed or all"}, status_code=400
                )
        try:
            limit = min(1000, max(1, int(request.query_params.get("limit", "100"))))
        except ValueError:
            return JSONResponse({"error": "limit must be an integer"}, status_code=400)
        alerts = store.list(state, limit)
        return JSONResponse({"alerts": [a.to_json() for a in alerts]})

    def _transition(state: AlertState) -> Callable[[Request], object]:
        async def handler(request: Request) -> JSONResponse:
            if not await _allowed(authorize, request):
                return _denied()
            alert_id = str(request.path_params["alert_id"])[:64]
            try:
                alert = store.set_state(alert_id, state)
            except UnknownAlertError:
                return JSONResponse({"error": f"no alert {alert_id}"}, status_code=404)
            return JSONResponse({"alert": alert.to_json()})

        return handler

    return [
        Route(prefix, list_alerts, methods=["GET"]),
        Route(prefix + "/{alert_id}/ack", _transition(AlertState.ACKNOWLEDGED), methods=["POST"]),
        Route(prefix + "/{alert_id}/close", _transition(AlertState.CLOSED), methods=["POST"]),
    ]


def alerts_app(store: AlertStore, authorize: Authorize) -> Starlette:
    """A standalone app with the same routes (for tests and small deployments)."""
    return Starlette(routes=alert_routes(store, authorize))
