"""Shared fixtures: every test gets its own SNAKEWARDEN_HOME; the corpus is read in place."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
DATA = SHARED / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files (tests/golden/) from the current output; review the diff",
    )


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("swhome")
    monkeypatch.setenv("SNAKEWARDEN_HOME", str(home))
    for var in ("SNAKEWARDEN_DATA_DIR", "SNAKEWARDEN_DB", "SNAKEWARDEN_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def shared_data() -> Path:
    if not DATA.is_dir():
        pytest.skip("../shared/data is not beside the repository")
    return DATA
