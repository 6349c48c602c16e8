"""Golden files: ``golden(name, text)`` compares with ``tests/golden/data/NAME``.

``pytest tests/golden --update-golden`` rewrites them from the current output; review the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, text: str) -> None:
        path = DATA / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"golden file {path} is missing: run pytest with --update-golden")
        assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"

    return check
