"""The upstream simple-API client over httpx: PEP 691 JSON preferred, HTML as a fallback.

Every read is bounded in size and in time (per operation, and a deadline for the whole
transfer so that a server trickling bytes cannot hold a request forever). Nothing from httpx
gets out: failures become ``UpstreamError`` (502, or 504 for timeouts) or ``UpstreamNotFound``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
from packaging.utils import canonicalize_name

from snakewarden import __version__
from snakewarden.errors import UsageError
from snakewarden.proxy.errors import UpstreamError, UpstreamNotFound
from snakewarden.proxy.model import ProjectPage
from snakewarden.proxy.simple import UPSTREAM_ACCEPT, parse_page

MiB = 1024 * 1024
PYPI_SIMPLE = "https://pypi.org/simple/"


@dataclass(frozen=True, slots=True)
class UpstreamLimits:
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    page_deadline: float = 120.0  # seconds for a whole project page
    file_deadline: float = 900.0  # seconds for a whole file
    max_page_size: int = 64 * MiB
    max_redirects: int = 5


def normalize_base_url(url: str) -> str:
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"the upstream URL {url!r} is not an http(s) URL")
    return url if url.endswith("/") else url + "/"


def public_url(url: str) -> str:
    """``url`` without credentials (``https://user:token@host/`` -> ``https://host/``)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


class HttpxUpstreamClient:
    """Talks to one upstream simple index."""

    def __init__(
        self,
        base_url: str = PYPI_SIMPLE,
        *,
        limits: UpstreamLimits | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base = normalize_base_url(base_url)
        self._limits = limits or UpstreamLimits()
        lim = self._limits
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(lim.read_timeout, connect=lim.connect_timeout),
            follow_redirects=True,
            max_redirects=lim.max_redirects,
            transport=transport,
            headers={"User-Agent": f"snakewarden-proxy/{__version__}"},
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
        )

    @property
    def base_url(self) -> str:
        return self._base

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _fetch(
        self, url: str, *, accept: str | None, max_size: int, deadline: float, what: str
    ) -> tuple[bytes, str, str]:
        headers = {"Accept": accept} if accept else {"Accept-Encoding": "identity"}
        shown = public_url(url)  # messages reach clients: never with credentials
        try:
            async with asyncio.timeout(deadline):
                async with self._client.stream("GET", url, headers=headers) as resp:
                    if resp.status_code == 404:
                        raise UpstreamNotFound(f"upstream has no {what} ({shown})")
                    if resp.status_code != 200:
                        raise UpstreamError(
                            f"upstream answered HTTP {resp.status_code} for {what} ({shown})",
                            status=503 if resp.status_code in (429, 503) else 502,
                        )
                    declared = resp.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > max_size:
                        raise UpstreamError(
                            f"{what} is {int(declared) / MiB:.1f} MiB, over the "
                            f"{max_size / MiB:.0f} MiB limit",
                            status=502,
                        )
                    chunks: list[bytes] = []
                    total = 0
                    async for chunk in resp.aiter_bytes():
                        total += len(chunk)
                        if total > max_size:
                            raise UpstreamError(
                                f"{what} is over the {max_size / MiB:.0f} MiB limit", status=502
                            )
                        chunks.append(chunk)
                    return b"".join(chunks), resp.headers.get("content-type", ""), str(resp.url)
        except TimeoutError as exc:
            raise UpstreamError(
                f"upstream took longer than {deadline:g} s for {what} ({shown})", status=504
            ) from exc
        except httpx.TimeoutException as exc:
            raise UpstreamError(f"upstream timed out for {what} ({shown})", status=504) from exc
        except httpx.HTTPError as exc:
            raise UpstreamError(
                f"cannot reach upstream for {what} ({shown}): {type(exc).__name__}: {exc}",
                status=502,
            ) from exc

    async def get_page(self, name: str) -> ProjectPage:
        canon = canonicalize_name(name)
        url = f"{self._base}{canon}/"
        body, content_type, final_url = await self._fetch(
            url,
            accept=UPSTREAM_ACCEPT,
            max_size=self._limits.max_page_size,
            deadline=self._limits.page_deadline,
            what=f"the project page of {canon}",
        )
        return parse_page(body, content_type, final_url, canon)

    async def download(self, url: str, max_size: int) -> bytes:
        if not url.startswith(("http://", "https://")):
            raise UpstreamError(f"upstream listed a file URL that is not http(s): {url[:200]!r}")
        name = url.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        body, _, _ = await self._fetch(
            url,
            accept=None,
            max_size=max_size,
            deadline=self._limits.file_deadline,
            what=name[:200] or "a file",
        )
        return body
