"""The index's upload gate: uploads of a project with an open high-severity alert are held.

Installed through the index's ``snakewarden.index_gates.v1`` entry point and switched on with
``SNAKEWARDEN_ANOMALY_GATE=on``. Before an upload is
accepted and again when its verdict is in, the gate scores the events the index logged since
its last look (streaming detection), then holds the file for review while an open or
acknowledged alert of severity high or above concerns the project (``uploads_held``). The
second look matters: an upload that itself completes a pattern (a stolen token's first upload)
is held before it is ever served.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from snakewarden.anomaly.alerts import HOLDING_STATES, Alert
from snakewarden.anomaly.store import AlertStore, SqlAlertStore, alerts_url_for_index
from snakewarden.anomaly.watcher import EventLogWatcher
from snakewarden.core.models import ScanResult, Severity
from snakewarden.errors import SnakewardenError

if TYPE_CHECKING:
    from snakewarden.index.config import IndexConfig
    from snakewarden.index.policy import Decision, UploadContext


log = logging.getLogger(__name__)


class AnomalyGate:
    def __init__(self, watcher: EventLogWatcher | None, store: AlertStore) -> None:
        self._watcher = watcher
        self._store = store

    def _decide(self, project: str) -> Decision | None:
        from snakewarden.index.policy import Action, Decision

        if self._watcher is not None:
            try:
                self._watcher.catch_up()
            except SnakewardenError as exc:
                # Detection must not take uploads down; stored alerts still apply below.
                log.warning("anomaly detection could not catch up: %s", exc.diagnostics())
        if not self._store.uploads_held(project):
            return None
        holding = [a for a in self._store.list(None, 1000) if _holds(a, project)]
        ids = ", ".join(a.id for a in holding[:3]) or "see `snakewarden alerts`"
        return Decision(
            Action.HOLD,
            f"held for review: open high-severity anomaly alert on {project} ({ids})",
            "anomaly",
        )

    def before_upload(self, ctx: UploadContext) -> Decision | None:
        return self._decide(ctx.project)

    def after_scan(self, ctx: UploadContext, result: ScanResult) -> Decision | None:
        return self._decide(ctx.project)


def _holds(alert: Alert, project: str) -> bool:
    return (
        alert.state in HOLDING_STATES
        and alert.severity.rank >= Severity.HIGH.rank
        and (alert.subject == project or project in alert.projects)
    )


class NullGate:
    """The gate when holding is off: abstains."""

    def before_upload(self, ctx: UploadContext) -> Decision | None:
        return None

    def after_scan(self, ctx: UploadContext, result: ScanResult) -> Decision | None:
        return None


#: ``on`` enables the hold in ``snakewarden serve`` (read once, when the index starts).
ENABLE_VARIABLE = "SNAKEWARDEN_ANOMALY_GATE"


def index_gate(
    config: IndexConfig, environ: Mapping[str, str] | None = None
) -> AnomalyGate | NullGate:
    """Entry point (``snakewarden.index_gates.v1``): the gate over the index's event log, when
    ``SNAKEWARDEN_ANOMALY_GATE=on``; alerts are stored where ``alerts_url_for_index`` says (the
    same place ``snakewarden alerts`` looks). Off by default: a private index whose users all
    sit behind one address, or publish families of packages from new accounts, should decide
    to hold on these alerts, not find out."""
    env = os.environ if environ is None else environ
    if env.get(ENABLE_VARIABLE, "").strip().lower() not in {"1", "on", "true", "yes"}:
        log.info("anomaly upload hold off (set %s=on to enable)", ENABLE_VARIABLE)
        return NullGate()
    from snakewarden.index.db import Database
    from snakewarden.index.events import read_events

    config.data_dir.mkdir(parents=True, exist_ok=True)
    store = SqlAlertStore(alerts_url_for_index(config.db_url, config.data_dir))
    db = Database.open(config.db_url, run_migrations=False)
    watcher = EventLogWatcher(lambda after, limit: read_events(db, after=after, limit=limit), store)
    return AnomalyGate(watcher, store)
