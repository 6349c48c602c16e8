"""Fixtures of the provenance tests: the real PEP 740 vectors, and a private Sigstore cache."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def vectors(shared_data: Path) -> Path:
    folder = shared_data / "provenance"
    if not folder.is_dir():
        pytest.skip("../shared/data/provenance is absent")
    return folder


@pytest.fixture(autouse=True)
def _private_sigstore_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """sigstore copies its bundled trust root into the user cache: keep that in tmp."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
