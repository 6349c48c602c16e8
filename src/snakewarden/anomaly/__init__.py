"""Anomaly detection over the index's security event stream.

Pure: ``detectors`` (``Engine``: streaming ``feed(event)`` and batch ``scan(events)``),
``alerts`` (the ``Alert`` model and the ``uploads_held`` policy), ``importer`` (the JSON-lines
format), ``generator`` and ``scenarios`` (evaluation). Adapters: ``store`` (SQLAlchemy),
``webhook`` (httpx), ``http`` (Starlette routes), ``watcher`` and ``gate`` (the index's upload
gate), ``service`` (import and replay).
"""

from snakewarden.anomaly.alerts import Alert, AlertId, AlertState, SubjectKind, uploads_held
from snakewarden.anomaly.detectors import DetectorConfig, Engine

__all__ = [
    "Alert",
    "AlertId",
    "AlertState",
    "DetectorConfig",
    "Engine",
    "SubjectKind",
    "uploads_held",
]
