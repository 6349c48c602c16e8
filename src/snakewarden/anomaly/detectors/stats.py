"""Robust running statistics for baselines: median/MAD, EWMA with warm-up, seasonal rates.

Everything here is pure and bounded: each structure keeps a fixed number of samples.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime, timedelta

#: MAD of a normal distribution times this constant estimates its standard deviation.
MAD_TO_SIGMA = 1.4826


def median(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2.0


class RobustBaseline:
    """The last ``size`` samples; thresholds are ``median + k * sigma`` with sigma from the MAD.

    A baseline with fewer than ``warmup`` samples is *cold*: callers fall back to a floor.
    """

    __slots__ = ("_samples", "warmup")

    def __init__(self, size: int = 64, warmup: int = 5) -> None:
        self._samples: deque[float] = deque(maxlen=size)
        self.warmup = warmup

    def add(self, value: float) -> None:
        self._samples.append(value)

    def __len__(self) -> int:
        return len(self._samples)

    @property
    def warm(self) -> bool:
        return len(self._samples) >= self.warmup

    def median(self) -> float:
        return median(list(self._samples))

    def sigma(self) -> float:
        values = list(self._samples)
        med = median(values)
        return MAD_TO_SIGMA * median([abs(v - med) for v in values])

    def threshold(self, k: float, floor: float) -> float:
        """``max(floor, median + k * sigma)``; just ``floor`` while cold."""
        if not self.warm:
            return floor
        return max(floor, self.median() + k * max(self.sigma(), 1.0))


class Ewma:
    """Exponentially weighted mean and variance with a warm-up count."""

    __slots__ = ("alpha", "count", "mean", "var", "warmup")

    def __init__(self, alpha: float = 0.1, warmup: int = 24) -> None:
        self.alpha = alpha
        self.warmup = warmup
        self.count = 0
        self.mean = 0.0
        self.var = 0.0

    def add(self, value: float) -> None:
        self.count += 1
        if self.count == 1:
            self.mean = value
            return
        diff = value - self.mean
        incr = self.alpha * diff
        self.mean += incr
        self.var = (1 - self.alpha) * (self.var + diff * incr)

    @property
    def warm(self) -> bool:
        return self.count >= self.warmup

    def upper(self, k: float) -> float:
        return self.mean + k * math.sqrt(max(self.var, 0.0))


class HourlyCounter:
    """Counts per whole hour for one subject, feeding closed hours into an EWMA (zeros included).

    Gaps are filled with zeros up to ``max_gap_hours`` so quiet hours lower the baseline.
    """

    __slots__ = ("current", "ewma", "hour", "max_gap_hours")

    def __init__(self, alpha: float = 0.1, warmup: int = 24, max_gap_hours: int = 24 * 14) -> None:
        self.ewma = Ewma(alpha, warmup)
        self.hour: int | None = None
        self.current = 0
        self.max_gap_hours = max_gap_hours

    def add(self, time: datetime, amount: int = 1) -> None:
        hour = int(time.timestamp() // 3600)
        if self.hour is None:
            self.hour = hour
        elif hour > self.hour:
            self.ewma.add(float(self.current))
            for _ in range(min(hour - self.hour - 1, self.max_gap_hours)):
                self.ewma.add(0.0)
            self.hour = hour
            self.current = 0
        self.current += amount


class SeasonalRate:
    """A platform-wide rate with one EWMA per hour of the week (168 buckets).

    ``expected(t)`` is the learned count for ``t``'s hour-of-week; it is warm once that bucket
    has been seen ``warmup`` times.
    """

    __slots__ = ("_buckets", "_current", "_hour", "alpha", "warmup")

    def __init__(self, alpha: float = 0.3, warmup: int = 1) -> None:
        self.alpha = alpha
        self.warmup = warmup
        self._buckets: list[Ewma] = [Ewma(alpha, warmup) for _ in range(168)]
        self._hour: int | None = None
        self._current = 0

    @staticmethod
    def _bucket(hour: int) -> int:
        # 1970-01-01 was a Thursday; shift so bucket 0 is Monday 00:00 UTC.
        return (hour + 72) % 168

    def add(self, time: datetime, amount: int = 1) -> None:
        hour = int(time.timestamp() // 3600)
        self._roll(hour)
        self._current += amount

    def touch(self, time: datetime) -> None:
        """Advance the clock without counting (closes finished hours)."""
        self._roll(int(time.timestamp() // 3600))

    def _roll(self, hour: int) -> None:
        if self._hour is None:
            self._hour = hour
            return
        if hour <= self._hour:
            return
        self._buckets[self._bucket(self._hour)].add(float(self._current))
        for h in range(self._hour + 1, min(hour, self._hour + 168)):
            self._buckets[self._bucket(h)].add(0.0)
        self._hour = hour
        self._current = 0

    def current(self) -> int:
        return self._current

    def expected(self, time: datetime) -> tuple[float, bool]:
        """(expected count for this hour-of-week, whether that bucket is warm)."""
        bucket = self._buckets[self._bucket(int(time.timestamp() // 3600))]
        return bucket.mean, bucket.warm


class SlidingTimes:
    """Timestamps of recent occurrences inside a window, bounded by ``maxlen``."""

    __slots__ = ("_items", "window")

    def __init__(self, window: timedelta, maxlen: int = 4096) -> None:
        self.window = window
        self._items: deque[tuple[datetime, str, str]] = deque(maxlen=maxlen)

    def add(self, time: datetime, key: str, ref: str) -> None:
        self._items.append((time, key, ref))

    def prune(self, now: datetime) -> None:
        start = now - self.window
        while self._items and self._items[0][0] < start:
            self._items.popleft()

    def items(self, now: datetime) -> list[tuple[datetime, str, str]]:
        self.prune(now)
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)


class BurstTracker:
    """Occurrences in a sliding window, plus a robust baseline of the sizes of past bursts.

    A *run* is a series of occurrences each less than ``window`` after the previous one; when a
    run ends its size becomes a baseline sample, so an account's usual release-day volume is
    learned rather than hard-coded.
    """

    __slots__ = ("_keys", "_last", "_run", "_times", "baseline", "window")

    def __init__(self, window: timedelta, maxlen: int = 4096) -> None:
        self.window = window
        self._times: deque[tuple[datetime, str]] = deque(maxlen=maxlen)
        self._keys: dict[str, int] = {}
        self._run = 0
        self._last: datetime | None = None
        self.baseline = RobustBaseline(size=32, warmup=3)

    def idle(self, time: datetime) -> bool:
        """Whether an occurrence at ``time`` would start a new run."""
        return self._last is None or time - self._last > self.window

    def add(self, time: datetime, key: str) -> int:
        """Count one occurrence; returns the number of distinct keys inside the window."""
        if self._last is not None and time - self._last > self.window:
            self.baseline.add(float(self._run))
            self._run = 0
        self._last = time if self._last is None else max(self._last, time)
        start = time - self.window
        while self._times and self._times[0][0] < start:
            _, old = self._times.popleft()
            left = self._keys.get(old, 0) - 1
            if left <= 0:
                self._keys.pop(old, None)
            else:
                self._keys[old] = left
        if len(self._times) == self._times.maxlen:
            _, old = self._times[0]
            left = self._keys.get(old, 0) - 1
            if left <= 0:
                self._keys.pop(old, None)
            else:
                self._keys[old] = left
        self._times.append((time, key))
        if key not in self._keys:
            self._run += 1
        self._keys[key] = self._keys.get(key, 0) + 1
        return len(self._keys)

    def names(self) -> list[str]:
        return list(self._keys)
