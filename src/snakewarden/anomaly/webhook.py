"""Alert notifications: POST each new alert as JSON to a webhook (httpx), with retries."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Protocol

import httpx

from snakewarden.anomaly.alerts import Alert
from snakewarden.errors import AnomalyError


class Notifier(Protocol):
    def notify(self, alerts: Iterable[Alert]) -> None: ...


class NullNotifier:
    def notify(self, alerts: Iterable[Alert]) -> None:
        return None


class InMemoryNotifier:
    def __init__(self) -> None:
        self.sent: list[Alert] = []

    def notify(self, alerts: Iterable[Alert]) -> None:
        self.sent.extend(alerts)


class WebhookError(AnomalyError):
    """A webhook could not be delivered after every retry."""


class WebhookNotifier:
    """``POST {"alert": {...}}`` per alert; retries 5xx, 429 and network errors with backoff.

    A 4xx other than 429 is not retried (the receiver rejected the payload).
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not url.startswith(("https://", "http://")):
            raise WebhookError(f"webhook URL must be http(s): {url!r}")
        self.url = url
        self.retries = max(0, retries)
        self.backoff = backoff
        self._sleep = sleep
        self._client = client or httpx.Client(timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def notify(self, alerts: Iterable[Alert]) -> None:
        failures = []
        for alert in alerts:
            try:
                self._send(alert)
            except WebhookError as exc:
                failures.append(exc.message)
        if failures:
            raise WebhookError(
                f"{len(failures)} alert(s) not delivered to the webhook: {failures[0]}",
                hint="the alerts are stored; check the receiver and run `snakewarden alerts`",
            )

    def _send(self, alert: Alert) -> None:
        payload = {"alert": alert.to_json()}
        last = ""
        for attempt in range(self.retries + 1):
            try:
                response = self._client.post(self.url, json=payload)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 300:
                    return
                last = f"HTTP {response.status_code}"
                if response.status_code < 500 and response.status_code != 429:
                    break
            if attempt < self.retries:
                self._sleep(self.backoff * (2**attempt))
        raise WebhookError(f"alert {alert.id}: {last}")
