"""Golden files of the proxy's pages (``pytest tests/proxy --update-golden`` rewrites them)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from snakewarden.proxy.model import UpstreamFile
from snakewarden.proxy.simple import ServedFile, ServedPage, render_html, render_json

GOLDEN = Path(__file__).parent / "golden"
SHA = "0123456789abcdef" * 4
PROXY = "http://127.0.0.1:8080/files/demo-pkg"


def _page() -> ServedPage:
    sdist = UpstreamFile(
        "demo_pkg-1.0.tar.gz",
        "https://files.invalid/demo_pkg-1.0.tar.gz",
        (("sha256", SHA),),
        requires_python=">=3.9",
        core_metadata=(("sha256", SHA[::-1]),),
        size=1234,
        upload_time=datetime(2025, 5, 6, 7, 8, 9, tzinfo=UTC),
        provenance="https://files.invalid/p",
    )
    wheel = UpstreamFile(
        "demo_pkg-1.1-py3-none-any.whl",
        "https://files.invalid/demo_pkg-1.1-py3-none-any.whl",
        (("sha256", SHA[::-1]),),
        size=99,
    )
    url = f"{PROXY}/{SHA}/demo_pkg-1.0.tar.gz"
    return ServedPage(
        "demo-pkg",
        (
            ServedFile(sdist, url, None, sdist.core_metadata, url + ".provenance"),
            ServedFile(
                wheel,
                f"{PROXY}/{SHA[::-1]}/{wheel.filename}",
                "blocked by snakewarden policy: released 2.0 h ago, younger than the 48 h "
                "cool-down",
                None,
                None,
            ),
        ),
        ("1.0", "1.1"),
        ("https://pypi.org/simple/demo-pkg/",),
    )


@pytest.mark.parametrize(
    ("name", "render"), [("demo-pkg.html", render_html), ("demo-pkg.json", render_json)]
)
def test_simple_pages_match_golden(name, render, request: pytest.FixtureRequest) -> None:
    text = render(_page()).decode()
    path = GOLDEN / name
    if request.config.getoption("--update-golden"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        return
    assert path.exists(), f"{path} is missing: run pytest tests/proxy --update-golden"
    assert text == path.read_text(), f"{name} differs from its golden file"
