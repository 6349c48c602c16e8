"""Import and replay: events in, detectors over the whole history, new alerts stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from snakewarden.anomaly.alerts import Alert
from snakewarden.anomaly.detectors import DetectorConfig, Engine
from snakewarden.anomaly.store import AlertStore, EventStore
from snakewarden.anomaly.webhook import Notifier, NullNotifier
from snakewarden.core.events import Event


@dataclass(frozen=True, slots=True)
class ImportReport:
    received: int
    new_events: int
    alerts: tuple[Alert, ...]
    new_alerts: tuple[Alert, ...]


def scan_history(events: EventStore, config: DetectorConfig | None = None) -> list[Alert]:
    """Every alert the detectors raise over the stored history (batch, canonical order)."""
    return Engine(config).scan(events.events())


def import_events(
    incoming: Iterable[Event],
    events: EventStore,
    alerts: AlertStore,
    *,
    notifier: Notifier | None = None,
    config: DetectorConfig | None = None,
) -> ImportReport:
    """Store new events (idempotent by id), replay the history, store and notify new alerts.

    Alert ids are deterministic, so replaying the same history raises no alert twice.
    """
    batch = list(incoming)
    new_events = events.add_events(batch)
    found = scan_history(events, config)
    new_alerts = alerts.add(found)
    if new_alerts:
        (notifier or NullNotifier()).notify(new_alerts)
    return ImportReport(len(batch), new_events, tuple(found), tuple(new_alerts))
