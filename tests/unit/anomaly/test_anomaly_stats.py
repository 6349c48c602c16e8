from __future__ import annotations

from datetime import UTC, datetime, timedelta

from snakewarden.anomaly.detectors.state import AsOfSet, agent_family, network_of
from snakewarden.anomaly.detectors.stats import (
    BurstTracker,
    Ewma,
    HourlyCounter,
    RobustBaseline,
    SeasonalRate,
    median,
)

T = datetime(2026, 3, 2, tzinfo=UTC)


def test_median_and_robust_threshold_ignore_outliers() -> None:
    assert median([]) == 0.0
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 2, 3]) == 2.5
    base = RobustBaseline(size=10, warmup=3)
    assert base.threshold(6, floor=8) == 8  # cold: the floor
    for v in (2, 3, 2, 3, 2, 100):
        base.add(v)
    assert base.warm
    assert len(base) == 6
    # the outlier barely moves median/MAD: threshold stays near the usual values
    assert 8 <= base.threshold(6, floor=8) < 20


def test_ewma_warms_up_and_tracks() -> None:
    e = Ewma(alpha=0.5, warmup=3)
    for v in (10, 10, 10):
        e.add(v)
    assert e.warm
    assert e.mean == 10
    assert e.upper(3) == 10
    e.add(20)
    assert 10 < e.mean < 20
    assert e.upper(3) > e.mean


def test_hourly_counter_fills_quiet_hours_with_zero() -> None:
    h = HourlyCounter(alpha=0.5, warmup=2)
    h.add(T, 10)
    h.add(T + timedelta(hours=3))
    assert h.ewma.count == 3  # hour 0 (10), hours 1 and 2 (0)
    assert h.ewma.mean < 10


def test_seasonal_rate_learns_per_hour_of_week() -> None:
    rate = SeasonalRate(alpha=0.5, warmup=2)
    for week in range(3):
        start = T + timedelta(weeks=week)
        rate.add(start + timedelta(minutes=5), 4)
        rate.touch(start + timedelta(hours=1, minutes=1))
    expected, warm = rate.expected(T + timedelta(weeks=3, minutes=10))
    assert warm
    assert 3 <= expected <= 4
    quiet, _ = rate.expected(T + timedelta(weeks=3, hours=5))
    assert quiet == 0
    assert rate.current() == 0


def test_burst_tracker_counts_distinct_keys_in_window_and_learns_runs() -> None:
    b = BurstTracker(timedelta(hours=1))
    assert b.add(T, "a") == 1
    assert b.add(T + timedelta(minutes=1), "a") == 1
    assert b.add(T + timedelta(minutes=2), "b") == 2
    assert sorted(b.names()) == ["a", "b"]
    assert b.add(T + timedelta(hours=3), "c") == 1
    assert len(b.baseline) == 1
    assert b.baseline.median() == 2


def test_network_prefixes() -> None:
    assert network_of("192.0.2.77") == "192.0.2.0/24"
    assert network_of("2001:db8:1:2::5") == "2001:db8:1::/48"
    assert network_of("::ffff:192.0.2.9") == "192.0.2.0/24"
    assert network_of("not an ip") is None
    assert network_of(None) is None


def test_agent_family_drops_versions() -> None:
    a = agent_family("twine/5.1.1 requests/2.32.3 CPython/3.12.4 Darwin/23.5.0")
    b = agent_family("twine/5.0.0 requests/2.31.0 CPython/3.11.2 Darwin/22.1.0")
    assert a == b == "twine requests cpython darwin"
    assert agent_family('pip/24.2 {"ci":null}') == "pip"
    assert agent_family("") is None
    firefox = agent_family("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
    chrome = agent_family("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0.0.0")
    assert firefox != chrome


def test_as_of_set_hides_same_time_additions() -> None:
    s = AsOfSet()
    s.add("x", T)
    assert not s.seen_before("x", T)
    assert s.seen_before("x", T + timedelta(seconds=1))
    assert s.size_before(T + timedelta(seconds=1)) == 1
