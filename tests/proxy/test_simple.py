"""Parsing upstream pages (hostile input) and rendering the proxy's pages (pure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from snakewarden.proxy.errors import UpstreamError
from snakewarden.proxy.model import ProjectPage, UpstreamFile
from snakewarden.proxy.simple import (
    HTML_V1,
    JSON_V1,
    TEXT_HTML,
    ServedFile,
    ServedPage,
    negotiate,
    parse_html_page,
    parse_json_page,
    parse_page,
    render_html,
    render_json,
    safe_filename,
    versions_of,
)

PAGE = "https://upstream.invalid/simple/demo/"
SHA = "ab" * 32


def test_json_page_fields() -> None:
    doc = {
        "meta": {"api-version": "1.3"},
        "name": "demo",
        "versions": ["1.0"],
        "files": [
            {
                "filename": "demo-1.0.tar.gz",
                "url": "../../packages/demo-1.0.tar.gz",
                "hashes": {"sha256": SHA.upper(), "md5": "0" * 32},
                "requires-python": ">=3.8",
                "yanked": "broken build",
                "core-metadata": {"sha256": SHA},
                "size": 10,
                "upload-time": "2025-01-02T03:04:05.123456Z",
                "provenance": "https://upstream.invalid/prov",
            },
            {"filename": "../../etc/passwd", "url": "x", "hashes": {}},
            {"filename": "demo-1.1.tar.gz"},
            "junk",
            {
                "filename": "demo-0.9.tar.gz",
                "url": "/p/demo-0.9.tar.gz",
                "yanked": True,
                "size": True,
            },
        ],
    }
    page = parse_json_page(json.dumps(doc).encode(), PAGE, "Demo")
    assert page.name == "demo"
    assert page.versions == ("1.0",)
    first, second = page.files
    assert first.url == "https://upstream.invalid/packages/demo-1.0.tar.gz"
    assert first.sha256 == SHA
    assert first.hashes == (("sha256", SHA),)
    assert first.yanked == "broken build"
    assert first.metadata_sha256 == SHA
    assert first.upload_time == datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
    assert first.provenance == "https://upstream.invalid/prov"
    assert first.size == 10
    assert second.yanked == ""
    assert second.size is None
    assert second.sha256 is None


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"files": 3}', b"[" * 100000])
def test_bad_json_pages_raise(body: bytes) -> None:
    with pytest.raises(UpstreamError):
        parse_json_page(body, PAGE, "demo")


def test_html_page_fields() -> None:
    body = f"""<!DOCTYPE html><html><head>
    <meta name="pypi:tracks" content="https://elsewhere.invalid/simple/demo/">
    </head><body>
    <a href="../../packages/demo-1.0.tar.gz#sha256={SHA}" data-requires-python="&gt;=3.8"
       data-yanked="" data-dist-info-metadata="sha256={SHA}">demo-1.0.tar.gz</a>
    <a href="/x/demo-1.1-py3-none-any.whl#md5=00"
       data-core-metadata="true">demo-1.1-py3-none-any.whl</a>
    <a href="/x/evil">..</a>
    <a>no href</a>
    </body></html>""".encode()
    page = parse_html_page(body, PAGE, "demo")
    a, b = page.files
    assert a.requires_python == ">=3.8"
    assert a.yanked == ""
    assert a.metadata_sha256 == SHA
    assert a.url == "https://upstream.invalid/packages/demo-1.0.tar.gz"
    assert b.sha256 is None
    assert b.core_metadata == ()
    assert page.tracks == ("https://elsewhere.invalid/simple/demo/",)
    assert versions_of(page) == ("1.0", "1.1")


def test_parse_page_by_content_type() -> None:
    with pytest.raises(UpstreamError, match="not a simple API page"):
        parse_page(b"x", "image/png", PAGE, "demo")
    assert parse_page(
        b"<a href='/a-1.0.tar.gz'>a-1.0.tar.gz</a>", "text/html; charset=utf-8", PAGE, "a"
    ).files


@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        (None, None, TEXT_HTML),
        ("*/*", None, TEXT_HTML),
        (JSON_V1, None, JSON_V1),
        (f"{JSON_V1}, {HTML_V1};q=0.1", None, JSON_V1),
        (f"{JSON_V1};q=0.1, {HTML_V1}", None, HTML_V1),
        ("application/vnd.pypi.simple.latest+json", None, JSON_V1),
        ("image/png", None, None),
        (f"{JSON_V1};q=0", None, None),
        ("text/html", JSON_V1, JSON_V1),
        (None, "bogus", None),
        (f"{JSON_V1};q=abc, text/html;q=0.5", None, TEXT_HTML),
    ],
)
def test_negotiate(accept: str | None, fmt: str | None, expected: str | None) -> None:
    assert negotiate(accept, fmt) == expected


def _served(f: UpstreamFile, yanked: str | None = None) -> ServedPage:
    sf = ServedFile(
        f, "http://proxy.invalid/files/demo/x/" + f.filename, yanked, f.core_metadata, None
    )
    return ServedPage(
        ProjectPage(name="demo", files=(f,)).name,
        (sf,),
        ("1.0",),
        ("https://t.invalid/",),
        ("https://a.invalid/",),
    )


def test_render_round_trips_through_the_parsers() -> None:
    f = UpstreamFile(
        "demo-1.0.tar.gz",
        "https://upstream.invalid/demo-1.0.tar.gz",
        (("sha256", SHA),),
        requires_python='>=3.8,<4 "quoted"',
        core_metadata=(("sha256", SHA),),
        size=5,
        upload_time=datetime(2025, 1, 1, tzinfo=UTC),
    )
    page = _served(f, yanked="bad <release>")
    for parsed in (
        parse_json_page(render_json(page), "http://proxy.invalid/simple/demo/", "demo"),
        parse_html_page(render_html(page), "http://proxy.invalid/simple/demo/", "demo"),
    ):
        (g,) = parsed.files
        assert g.filename == f.filename
        assert g.sha256 == SHA
        assert g.requires_python == f.requires_python
        assert g.yanked == "bad <release>"
        assert g.metadata_sha256 == SHA
        assert parsed.tracks == ("https://t.invalid/",)
        assert parsed.alternate_locations == ("https://a.invalid/",)
    doc = json.loads(render_json(page))
    assert doc["files"][0]["upload-time"] == "2025-01-01T00:00:00.000000Z"


@given(st.text(max_size=300))
def test_safe_filename_never_allows_paths(name: str) -> None:
    if safe_filename(name):
        assert "/" not in name
        assert "\\" not in name
        assert not name.startswith(".")


@given(st.binary(max_size=2000))
def test_html_parser_never_crashes(body: bytes) -> None:
    # garbage either parses to safe files or fails with the proxy's own, explained error
    # (its message is checked in test_html_parser_failure_is_an_upstream_error)
    try:
        page = parse_html_page(body, PAGE, "demo")
    except UpstreamError:
        return
    assert all(safe_filename(f.filename) for f in page.files)


def test_html_parser_failure_is_an_upstream_error() -> None:
    with pytest.raises(UpstreamError, match="unreadable HTML page for demo"):
        parse_html_page(b"<![\x00", PAGE, "demo")
