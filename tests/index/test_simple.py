"""The repository documents: content negotiation, PEP 503/691/592/658/700, PyPI JSON API."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import given

from snakewarden.index import simple
from snakewarden.index.views import FileView, ProjectPage, ReleaseView

T = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def _file(filename: str, version: str, **kw: object) -> FileView:
    base: dict[str, object] = {
        "filename": filename, "url": f"/packages/{filename}", "version": version,
        "packagetype": "bdist_wheel" if filename.endswith(".whl") else "sdist",
        "python_version": "py3", "size": 123, "sha256": "a" * 64, "md5": "b" * 32,
        "blake2_256": "c" * 64, "upload_time": T,
    }  # fmt: skip
    base.update(kw)
    return FileView(**base)  # type: ignore[arg-type]


PAGE = ProjectPage(
    name="Demo_Pkg",
    normalized_name="demo-pkg",
    files=(
        _file("demo_pkg-1.10-py3-none-any.whl", "1.10", metadata_sha256="d" * 64),
        _file(
            "demo_pkg-1.9.tar.gz",
            "1.9",
            requires_python=">=3.8",
            yanked=True,
            yanked_reason="bug <1>",
        ),
        _file("demo_pkg-2.0rc1.tar.gz", "2.0rc1"),
    ),
    releases=(
        ReleaseView("1.9", T, yanked=True, yanked_reason="bug <1>"),
        ReleaseView("1.10", T, info=(("summary", "demo"), ("requires_dist", ["attrs>=1"]))),
        ReleaseView("2.0rc1", T),
    ),
)


@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        (None, None, simple.TEXT_HTML),
        ("application/vnd.pypi.simple.v1+json", None, simple.JSON_V1),
        ("application/vnd.pypi.simple.latest+json", None, simple.JSON_V1),
        ("application/vnd.pypi.simple.v1+html", None, simple.HTML_V1),
        (
            "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
            "text/html;q=0.01",
            None,
            simple.JSON_V1,
        ),
        ("application/vnd.pypi.simple.v1+json;q=0.1, text/html", None, simple.TEXT_HTML),
        ("application/xml", None, None),
        ("text/html", "application/vnd.pypi.simple.v1+json", simple.JSON_V1),
        (None, "bogus", None),
        ("*/*", None, simple.HTML_V1),
    ],
)
def test_negotiate(accept: str | None, fmt: str | None, expected: str | None) -> None:
    assert simple.negotiate(accept, fmt) == expected


def test_project_json_has_pep_691_700_592_658_fields() -> None:
    doc = simple.project_json(PAGE)
    assert doc["meta"] == {"api-version": "1.1"}
    assert doc["name"] == "demo-pkg"
    assert doc["versions"] == ["1.9", "1.10", "2.0rc1"]
    by_name = {f["filename"]: f for f in doc["files"]}
    wheel = by_name["demo_pkg-1.10-py3-none-any.whl"]
    assert wheel["hashes"] == {"sha256": "a" * 64}
    assert wheel["core-metadata"] == {"sha256": "d" * 64}
    assert wheel["dist-info-metadata"] == {"sha256": "d" * 64}
    assert wheel["size"] == 123
    assert wheel["upload-time"] == "2026-03-01T12:00:00.000000Z"
    assert wheel["yanked"] is False
    sdist = by_name["demo_pkg-1.9.tar.gz"]
    assert sdist["yanked"] == "bug <1>"
    assert sdist["requires-python"] == ">=3.8"
    assert sdist["core-metadata"] is False


def test_project_html_escapes_and_carries_data_attributes() -> None:
    text = simple.project_html(PAGE)
    assert '<meta name="pypi:repository-version" content="1.1">' in text
    assert 'data-requires-python="&gt;=3.8"' in text
    assert 'data-yanked="bug &lt;1&gt;"' in text
    assert f'data-core-metadata="sha256={"d" * 64}"' in text
    assert f'data-dist-info-metadata="sha256={"d" * 64}"' in text
    assert f'href="/packages/demo_pkg-1.9.tar.gz#sha256={"a" * 64}"' in text


def test_pypi_json_picks_the_latest_final_release() -> None:
    doc = simple.pypi_project_json(PAGE, "http://idx.example.invalid/")
    assert doc is not None
    assert doc["info"]["version"] == "1.10"
    assert doc["info"]["requires_dist"] == ["attrs>=1"]
    assert set(doc["releases"]) == {"1.9", "1.10", "2.0rc1"}
    assert (
        doc["urls"][0]["url"]
        == "http://idx.example.invalid/packages/demo_pkg-1.10-py3-none-any.whl"
    )
    assert doc["urls"][0]["digests"]["sha256"] == "a" * 64
    one = simple.pypi_release_json(PAGE, "1.9", "http://idx.example.invalid")
    assert one is not None
    assert one["info"]["yanked"] is True
    assert simple.pypi_release_json(PAGE, "3.0", "http://x") is None
    assert simple.pypi_release_json(PAGE, "not a version", "http://x") is None


GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("project.html", lambda: simple.project_html(PAGE)),
        ("project.json", lambda: json.dumps(simple.project_json(PAGE), indent=2) + "\n"),
        ("index.html", lambda: simple.index_html(["demo-pkg", "other"])),
    ],
)
def test_golden_documents(name: str, render: Callable[[], str]) -> None:
    """Refresh with SNAKEWARDEN_UPDATE_GOLDEN=1 and review the diff."""
    path = GOLDEN / name
    text = render()
    if os.environ.get("SNAKEWARDEN_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text()


@given(st.text(max_size=300), st.one_of(st.none(), st.text(max_size=60)))
def test_negotiation_never_fails_on_hostile_headers(accept: str, fmt: str | None) -> None:
    assert simple.negotiate(accept, fmt) in {None, simple.JSON_V1, simple.HTML_V1, simple.TEXT_HTML}
