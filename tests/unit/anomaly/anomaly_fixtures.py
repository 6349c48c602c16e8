"""Constants and builders of the anomaly tests (inert: addresses from documentation ranges)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from snakewarden.core.events import Event

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
TWINE = "twine/5.1.1 requests/2.32.3 CPython/3.12.4 Darwin/23.5.0"
CI = "twine/5.1.1 requests/2.32.3 CPython/3.12.4 Linux/6.5.0-1025-azure"
HOME = "192.0.2.10"  # TEST-NET-1
OFFICE = "198.51.100.20"  # TEST-NET-2
THIEF = "203.0.113.66"  # TEST-NET-3
CLOUD = "20.40.1.2"  # inside the default cloud ranges

EventFactory = Callable[..., Event]
