"""Every scripted incident raises its expected alert within 5 of its events, with evidence,
when replayed into a small generated background; the background itself stays quiet."""

from __future__ import annotations

import itertools

import pytest

from snakewarden.anomaly.generator import GeneratorConfig, Population, generate
from snakewarden.anomaly.scenarios import Evaluation, build_scenarios, evaluate
from snakewarden.core.events import Event

SMALL = GeneratorConfig(seed=11, accounts=250, days=14, downloads_per_day=800, history_days=60)


@pytest.fixture(scope="module")
def world() -> tuple[Population, list[Event]]:
    return generate(SMALL)


@pytest.fixture(scope="module")
def evaluation(world: tuple[Population, list[Event]]) -> Evaluation:
    population, background = world
    return evaluate(background, build_scenarios(population, seed=3))


def test_generator_is_deterministic_and_sorted(world: tuple[Population, list[Event]]) -> None:
    _, events = world
    again = generate(SMALL)[1]
    assert [e.id for e in events[:500]] == [e.id for e in again[:500]]
    assert all(a.time <= b.time for a, b in itertools.pairwise(events))
    tags = {e.tag.value for e in events}
    assert {"account:session:login", "project:file:uploaded", "project:file:downloaded"} <= tags


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("expired-domain-takeover", ["session new to account"]),
        ("stolen-token-upload", ["new for the account", "198.1"]),
        ("mass-upload-campaign", ["accounts registered within the hour"]),
        ("typosquat-flood", ["named like popular ones", "(like "]),
        ("dormant-project-release", ["session new to account"]),
        ("new-maintainer-takeover", ["added to", "days old"]),
    ],
)
def test_scenario_caught_within_five_events(
    evaluation: Evaluation, name: str, words: list[str]
) -> None:
    result = next(r for r in evaluation.results if r.name == name)
    assert result.detected, name
    assert result.events_until_alert is not None
    assert result.events_until_alert <= 5
    assert result.alert is not None
    for word in words:
        assert word in result.alert.explanation
    assert result.alert.event_ids


def test_background_raises_at_most_the_target(evaluation: Evaluation) -> None:
    # target: at most 1 false alert per 100,000 background events
    assert evaluation.background_events > 20_000
    assert len(evaluation.false_alerts) <= max(1, evaluation.background_events // 100_000)
