"""Wiring: the services of an index from its configuration, and the ASGI application.

``create_app(config)`` is what ``snakewarden serve`` runs; tests pass their own clock, scanner,
store or gates. The scan workers start and stop with the application's lifespan.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

from starlette.applications import Starlette
from starlette.middleware import Middleware

from snakewarden.adapters.storage import FileStore, LocalFileStore
from snakewarden.anomaly.http import alert_routes
from snakewarden.anomaly.store import LazyAlertStore, alerts_url_for_index
from snakewarden.errors import SnakewardenError
from snakewarden.index.accounts import AccountService
from snakewarden.index.config import IndexConfig
from snakewarden.index.db import Database
from snakewarden.index.errors import IndexRequestError
from snakewarden.index.interfaces import Clock, NameChecker, Scanner, SystemClock, UploadGate
from snakewarden.index.pipeline import CoreScanner, JobQueue, ProcessScanner, ScanWorkers
from snakewarden.index.repository import LocalProjectSource
from snakewarden.index.review import ReviewService
from snakewarden.index.security import PasswordHashing
from snakewarden.index.uploads import UploadService
from snakewarden.index.web import (
    BodyLimit,
    IndexServices,
    admin_authorized,
    handle_index_error,
    handle_service_error,
    handle_unexpected,
    routes,
)
from snakewarden.provenance.service import IndexProvenance

log = logging.getLogger("snakewarden.index")


def default_name_checker() -> NameChecker:
    """Confusable with a popular PyPI project (the shipped list) or a local one."""
    from snakewarden.adapters.home import home_dir
    from snakewarden.index.naming import ConfusableNameChecker
    from snakewarden.names import load_default_checker

    return ConfusableNameChecker(load_default_checker(home_dir()))


#: Entry points of upload gates: each names a callable ``factory(config: IndexConfig) ->
#: UploadGate`` (e.g. the anomaly detectors' "hold uploads of projects with open alerts").
GATES_ENTRY_POINT_GROUP = "snakewarden.index_gates.v1"


def load_gates(config: IndexConfig) -> tuple[UploadGate, ...]:
    """The upload gates installed as entry points, built for ``config``."""
    from importlib.metadata import entry_points

    gates: list[UploadGate] = []
    for ep in sorted(entry_points(group=GATES_ENTRY_POINT_GROUP), key=lambda e: e.name):
        factory = ep.load()
        gates.append(factory(config))
        log.info("upload gate %s enabled", ep.name)
    return tuple(gates)


def build_services(
    config: IndexConfig,
    *,
    db: Database | None = None,
    store: FileStore | None = None,
    clock: Clock | None = None,
    scanner: Scanner | None = None,
    name_checker: NameChecker | None = None,
    gates: Sequence[UploadGate] | None = None,
    workers: int | None = None,
    passwords: PasswordHashing | None = None,
    provenance: IndexProvenance | None = None,
) -> IndexServices:
    db = db or Database.open(config.db_url)
    store = store or LocalFileStore(config.data_dir / "files")
    clock = clock or SystemClock()
    if name_checker is None and config.check_names:
        name_checker = default_name_checker()
    if gates is None:
        gates = load_gates(config)
    accounts = AccountService(db, clock, passwords)
    queue = JobQueue(
        db,
        clock,
        accounts,
        gates=gates,
        lease=timedelta(seconds=config.lease_seconds),
        max_attempts=config.max_attempts,
    )
    uploads = UploadService(db, store, clock, accounts, name_checker=name_checker, gates=gates)
    local = LocalProjectSource(db)
    n = config.workers if workers is None else workers
    if scanner is None:
        scanner = (
            ProcessScanner(config.scan_processes, timeout=config.scan_timeout)
            if config.scan_processes > 0
            else CoreScanner()
        )
    pool = ScanWorkers(queue, store, scanner, workers=n) if n > 0 else None
    return IndexServices(
        config=config,
        db=db,
        store=store,
        clock=clock,
        accounts=accounts,
        uploads=uploads,
        queue=queue,
        review=ReviewService(db, store, clock),
        local=local,
        source=local,
        workers=pool,
        provenance=provenance or IndexProvenance.local(config.data_dir / "provenance"),
    )


def create_app(services: IndexServices) -> Starlette:
    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if services.workers is not None:
            services.workers.start()
            services.workers.notify()  # resume jobs left by a previous run
        try:
            yield
        finally:
            if services.workers is not None:
                services.workers.stop()
                close = getattr(services.workers.scanner, "close", None)
                if callable(close):
                    close()
            alerts.close()
            if proxy is not None:
                await proxy.service.aclose()

    proxy = services.proxy  # snakewarden serve --upstream: the proxy's file routes
    # The anomaly detectors' alerts (GET /admin/alerts, POST /admin/alerts/{id}/ack|close).
    alerts = LazyAlertStore(alerts_url_for_index(services.config.db_url, services.config.data_dir))
    app = Starlette(
        routes=[
            *routes(),
            *alert_routes(alerts, admin_authorized),
            *(proxy.routes(simple=False) if proxy is not None else ()),
        ],
        lifespan=lifespan,
        middleware=[Middleware(BodyLimit, upload_limit=services.config.max_upload_size)],
        exception_handlers={
            IndexRequestError: handle_index_error,
            SnakewardenError: handle_service_error,
            Exception: handle_unexpected,
        },
    )
    app.state.services = services
    return app
