"""`scan` checks a PEP 740 provenance saved beside the distribution file, offline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from snakewarden.cli.main import main

VECTORS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "provenance"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    if not (VECTORS / "sigstore-3.6.1.tar.gz").is_file():
        pytest.skip("../shared/data/provenance is not beside the repository")
    shutil.copy(VECTORS / "sigstore-3.6.1.tar.gz", tmp_path)
    return tmp_path / "sigstore-3.6.1.tar.gz"


def _provenance_rules(capsys: pytest.CaptureFixture[str]) -> list[str]:
    [result] = json.loads(capsys.readouterr().out)
    return [f["rule"] for f in result["findings"] if f["rule"].startswith("provenance")]


def test_a_matching_sidecar_provenance_adds_nothing(
    dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(VECTORS / "sigstore-3.6.1.tar.gz.provenance", dist.parent)
    assert main(["scan", str(dist), "--format", "json", "--jobs", "1"]) == 0
    assert _provenance_rules(capsys) == []


def test_another_files_provenance_is_a_finding(
    dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(
        VECTORS / "pypi_attestations-0.0.19.tar.gz.provenance",
        dist.parent / "sigstore-3.6.1.tar.gz.provenance",
    )
    main(["scan", str(dist), "--format", "json", "--jobs", "1"])
    assert _provenance_rules(capsys) == ["provenance-invalid"]
