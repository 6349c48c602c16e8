"""Streaming detection over a live event log: pull new events, score them, store new alerts."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from snakewarden.anomaly.alerts import Alert
from snakewarden.anomaly.detectors import Engine
from snakewarden.anomaly.store import AlertStore
from snakewarden.anomaly.webhook import Notifier, NullNotifier
from snakewarden.core.events import Event

log = logging.getLogger(__name__)

#: Reads events whose numeric id is above ``after``, oldest first, at most ``limit``.
EventSource = Callable[[int, int], Sequence[Event]]


class EventLogWatcher:
    """Feeds an append-only log with increasing integer ids (the index's) to one ``Engine``.

    The first ``catch_up`` replays the whole log (the detectors' baselines); alert ids are
    deterministic, so alerts already stored (and perhaps closed) are not raised again.
    Thread-safe: request handlers and scan workers may call it concurrently.
    """

    def __init__(
        self,
        source: EventSource,
        store: AlertStore,
        *,
        engine: Engine | None = None,
        notifier: Notifier | None = None,
        batch: int = 1000,
    ) -> None:
        self._source = source
        self._store = store
        self._engine = engine or Engine()
        self._notifier = notifier or NullNotifier()
        self._batch = batch
        self._after = 0
        self._lock = threading.Lock()

    def catch_up(self) -> list[Alert]:
        """Score every event appended since the last call; returns the newly stored alerts."""
        with self._lock:
            new: list[Alert] = []
            while True:
                events = self._source(self._after, self._batch)
                if not events:
                    break
                raised: list[Alert] = []
                for event in events:
                    raised.extend(self._engine.feed(event))
                    try:
                        self._after = max(self._after, int(event.id))
                    except ValueError:
                        log.warning("event id %r is not an integer; skipped", event.id)
                new.extend(self._store.add(raised))
                if len(events) < self._batch:
                    break
        if new:
            self._notifier.notify(new)
        return new
