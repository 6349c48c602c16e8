"""The anomaly gate inside a real index: a stolen token's upload is held before it is served."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the index tests' helpers

from index.conftest import (  # type: ignore[import-not-found]
    CHEAP_PASSWORDS,
    FakeScanner,
    OffsetClock,
    make_publisher,
)
from index.packages import build_wheel, upload_fields, wheel_filename  # type: ignore[import-not-found]
from snakewarden.adapters.storage import LocalFileStore
from snakewarden.anomaly.alerts import AlertState
from snakewarden.anomaly.gate import AnomalyGate, NullGate, index_gate
from snakewarden.index.app import build_services
from snakewarden.index.config import IndexConfig
from snakewarden.index.events import RequestMeta
from snakewarden.index.validation import parse_upload
from snakewarden.index.web import IndexServices

HOME = RequestMeta(ip="192.0.2.7", user_agent="twine/6.0.1 CPython/3.12.4 Darwin/23.5.0")
THIEF = RequestMeta(ip="203.0.113.99", user_agent="python-requests/2.31.0")


@pytest.fixture
def index(tmp_path: Path) -> Iterator[tuple[IndexServices, OffsetClock, AnomalyGate]]:
    config = IndexConfig(data_dir=tmp_path / "data", db_url=f"sqlite:///{tmp_path / 'i.db'}")
    clock = OffsetClock()
    services = build_services(
        config,
        store=LocalFileStore(config.data_dir / "files"),
        clock=clock,
        scanner=FakeScanner(),
        gates=(),
        passwords=CHEAP_PASSWORDS,
    )
    gate = index_gate(config, {"SNAKEWARDEN_ANOMALY_GATE": "on"})
    assert isinstance(gate, AnomalyGate)
    assert isinstance(index_gate(config, {}), NullGate)
    services.uploads.gates = (gate,)
    services.queue.gates = (gate,)
    try:
        yield services, clock, gate
    finally:
        if services.workers is not None:
            services.workers.stop()
        services.db.close()


def _upload(services: IndexServices, token: str, name: str, version: str, meta: RequestMeta) -> str:
    data = build_wheel(name, version, code="VALUE = 1\n")
    filename = wheel_filename(name, version)
    fields = {k: [v] for k, v in upload_fields(name, version, filename, data).items()}
    form = parse_upload(fields, filename, data, max_size=10_000_000)
    principal = services.accounts.authenticate_upload("__token__", token, meta)
    return str(services.uploads.accept(principal, form, data, meta).filename)


def _drain(services: IndexServices) -> None:
    assert services.workers is not None
    while services.workers.run_once("test-worker"):
        pass


def test_stolen_token_upload_is_held(index: tuple[IndexServices, OffsetClock, AnomalyGate]) -> None:
    services, clock, gate = index
    alice = make_publisher(services, clock, "alice")
    first = _upload(services, alice.token, "swgate-demo", "1.0", HOME)
    _drain(services)
    assert services.review.file_state(first) == "published"

    clock.advance(timedelta(days=20))
    stolen = _upload(services, alice.token, "swgate-demo", "1.1", THIEF)
    _drain(services)
    assert services.review.file_state(stolen) != "published"
    held = gate._store.list(AlertState.OPEN)
    assert any(a.detector == "suspicious-session" and a.subject == "swgate-demo" for a in held)

    # once a reviewer closes the alert, the owner's next upload is published again
    for alert in held:
        gate._store.set_state(alert.id, AlertState.CLOSED)
    clock.advance(timedelta(hours=1))
    later = _upload(services, alice.token, "swgate-demo", "1.2", HOME)
    _drain(services)
    assert services.review.file_state(later) == "published"


def test_cli_replays_the_index_log(
    index: tuple[IndexServices, OffsetClock, AnomalyGate],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from snakewarden.cli.main import main

    services, clock, _gate = index
    alice = make_publisher(services, clock, "alice")
    _upload(services, alice.token, "swgate-cli", "1.0", HOME)
    clock.advance(timedelta(days=20))
    _upload(services, alice.token, "swgate-cli", "1.1", THIEF)
    monkeypatch.setenv("SNAKEWARDEN_DB", str(services.config.db_url))
    monkeypatch.setenv("SNAKEWARDEN_DATA_DIR", str(services.config.data_dir))
    assert main(["events", "scan", "--from-index", "--format", "jsonl"]) == 1
    assert '"subject":{"kind":"project","name":"swgate-cli"}' in capsys.readouterr().out
    assert main(["events", "replay", "--from-index"]) in (0, 1)
    capsys.readouterr()
    assert main(["alerts", "--format", "jsonl"]) == 1  # same store the gate uses
    assert "suspicious-session" in capsys.readouterr().out
