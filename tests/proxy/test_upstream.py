"""The upstream client over ``httpx.MockTransport``: bounds, timeouts and error mapping."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from snakewarden.proxy.errors import UpstreamError, UpstreamNotFound
from snakewarden.proxy.upstream import HttpxUpstreamClient, UpstreamLimits

BASE = "https://upstream.invalid/simple/"
SHA = "ab" * 32


def _client(handler, **limits: object) -> HttpxUpstreamClient:
    return HttpxUpstreamClient(
        BASE, limits=UpstreamLimits(**limits), transport=httpx.MockTransport(handler)
    )


def _run(coro):
    return asyncio.run(coro)


async def _page(client: HttpxUpstreamClient, name: str):
    try:
        return await client.get_page(name)
    finally:
        await client.aclose()


async def _download(client: HttpxUpstreamClient, url: str, size: int = 1000):
    try:
        return await client.download(url, size)
    finally:
        await client.aclose()


def test_json_is_asked_for_first_and_parsed() -> None:
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["accept"] = request.headers["accept"]
        seen["url"] = str(request.url)
        doc = {
            "files": [
                {
                    "filename": "demo-1.0.tar.gz",
                    "url": "/f/demo-1.0.tar.gz",
                    "hashes": {"sha256": SHA},
                }
            ]
        }
        return httpx.Response(
            200,
            content=json.dumps(doc),
            headers={"content-type": "application/vnd.pypi.simple.v1+json"},
        )

    page = _run(_page(_client(handler), "Demo_Pkg"))
    assert seen["url"] == BASE + "demo-pkg/"
    assert seen["accept"].startswith("application/vnd.pypi.simple.v1+json")
    assert page.files[0].url == "https://upstream.invalid/f/demo-1.0.tar.gz"


def test_html_fallback() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = f'<a href="/f/demo-1.0.tar.gz#sha256={SHA}">demo-1.0.tar.gz</a>'
        return httpx.Response(200, content=body, headers={"content-type": "text/html"})

    assert _run(_page(_client(handler), "demo")).files[0].sha256 == SHA


@pytest.mark.parametrize(
    ("status", "error", "code"),
    [(404, UpstreamNotFound, 404), (500, UpstreamError, 502), (429, UpstreamError, 503)],
)
def test_statuses_map_to_errors(status: int, error: type[UpstreamError], code: int) -> None:
    client = _client(lambda request: httpx.Response(status))
    with pytest.raises(error) as info:
        _run(_page(client, "demo"))
    assert info.value.status == code


def test_connection_errors_and_timeouts() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(UpstreamError, match="cannot reach upstream") as info:
        _run(_page(_client(refused), "demo"))
    assert info.value.status == 502

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(UpstreamError, match="timed out") as info:
        _run(_page(_client(slow), "demo"))
    assert info.value.status == 504


def test_whole_transfer_deadline() -> None:
    class Trickle(httpx.AsyncByteStream):
        async def __aiter__(self):
            while True:
                await asyncio.sleep(0.05)
                yield b"x"

    client = _client(lambda request: httpx.Response(200, stream=Trickle()), file_deadline=0.3)
    with pytest.raises(UpstreamError, match=r"longer than 0\.3 s") as info:
        _run(_download(client, "https://files.invalid/a-1.0.tar.gz", 10**9))
    assert info.value.status == 504


def test_size_bounds() -> None:
    declared = _client(
        lambda request: httpx.Response(200, headers={"content-length": "5000"}, content=b"x" * 5000)
    )
    with pytest.raises(UpstreamError, match="limit"):
        _run(_download(declared, "https://files.invalid/a-1.0.tar.gz", 1000))

    class Endless(httpx.AsyncByteStream):
        async def __aiter__(self):
            for _ in range(100):
                yield b"x" * 100

    streamed = _client(lambda request: httpx.Response(200, stream=Endless()))
    with pytest.raises(UpstreamError, match="limit"):
        _run(_download(streamed, "https://files.invalid/a-1.0.tar.gz", 1000))
    big_page = _client(
        lambda request: httpx.Response(
            200, content=b"x" * 3000, headers={"content-type": "text/html"}
        ),
        max_page_size=2000,
    )
    with pytest.raises(UpstreamError, match="limit"):
        _run(_page(big_page, "demo"))


def test_only_http_file_urls() -> None:
    client = _client(lambda request: httpx.Response(200, content=b"x"))
    with pytest.raises(UpstreamError, match="not http"):
        _run(_download(client, "file:///etc/passwd"))


def test_public_url_drops_credentials() -> None:
    from snakewarden.proxy.upstream import public_url

    assert public_url("https://user:tok@host.invalid/simple/") == "https://host.invalid/simple/"
    assert public_url("https://host.invalid/simple/") == "https://host.invalid/simple/"
