"""Fetch a distribution from a package index (PyPI by default), checked against its sha256.

Two index APIs are spoken, chosen from the index URL:

- the simple API (``…/simple/``, the default ``https://pypi.org/simple/``): PEP 691 JSON when the
  server offers it, else the PEP 503 HTML page;
- the JSON API (an index URL ending in ``/pypi``, e.g. ``https://pypi.org/pypi``):
  ``/pypi/NAME/json`` and ``/pypi/NAME/VERSION/json``.

Which file is scanned: for ``NAME`` the latest release (final releases first, yanked files left
out; pre-releases only when nothing else exists), for ``NAME==VERSION`` that release. Within a
release the sdist is preferred, because an sdist's ``setup.py`` is what runs on ``pip install``
and it holds the whole source; without one, a pure-Python wheel (``*-none-any.whl``), else the
first other wheel by name. The index's sha256 is checked before anything is scanned; a file the
index gives no sha256 for is refused. Downloads are bounded in size and time.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Protocol
from urllib.parse import quote, urldefrag, urljoin, urlsplit

import httpx
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from snakewarden import __version__
from snakewarden.errors import FetchError

__all__ = [
    "DEFAULT_INDEX_URL",
    "Download",
    "InMemoryIndexClient",
    "IndexClient",
    "PyPIClient",
    "RemoteFile",
    "choose_file",
]

DEFAULT_INDEX_URL = "https://pypi.org/simple/"
MiB = 1024 * 1024
_MAX_PAGE = 32 * MiB  # an index page (JSON or HTML) larger than this is refused
_SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
_ACCEPT = f"{_SIMPLE_JSON}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
_HASHES = ("sha256", "sha512", "sha384", "blake2b")


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """One file of a project as the index lists it."""

    filename: str
    url: str
    hashes: tuple[tuple[str, str], ...]
    version: Version | None
    kind: str  # "sdist", "wheel" or "other"
    yanked: bool = False


@dataclass(frozen=True, slots=True)
class Download:
    """A fetched distribution: its bytes, checked against the index's digest."""

    name: str
    version: str
    filename: str
    url: str
    data: bytes
    sha256: str


class IndexClient(Protocol):
    """Fetches the distribution file to scan for ``name`` (``version`` None: the latest)."""

    def fetch(self, name: str, version: str | None) -> Download: ...


def _classify(filename: str) -> tuple[str, Version | None]:
    try:
        if filename.endswith(".whl"):
            return "wheel", parse_wheel_filename(filename)[1]
        if filename.endswith((".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz")):
            return "sdist", parse_sdist_filename(_sdist_name(filename))[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return "other", None
    return "other", None


def _sdist_name(filename: str) -> str:
    # packaging only knows .tar.gz and .zip; old sdists use the other suffixes too
    for suffix in (".tar.bz2", ".tar.xz", ".tgz"):
        if filename.endswith(suffix):
            return filename[: -len(suffix)] + ".tar.gz"
    return filename


def _rank(f: RemoteFile) -> tuple[int, str]:
    if f.kind == "sdist":
        return (0 if f.filename.endswith(".tar.gz") else 1, f.filename)
    if f.filename.endswith("-none-any.whl"):
        return (2, f.filename)
    return (3, f.filename)


def choose_file(name: str, files: list[RemoteFile], version: str | None) -> RemoteFile:
    """The file to scan (see the module docstring for the choice)."""
    usable = [f for f in files if f.kind in ("sdist", "wheel") and f.version is not None]
    if version is not None:
        try:
            wanted = Version(version)
        except InvalidVersion as exc:
            raise FetchError(
                f"{name}=={version}: not a valid version", hint="use NAME==VERSION (PEP 440)"
            ) from exc
        picked = [f for f in usable if f.version == wanted]
        if not picked:
            known = sorted({f.version for f in usable if f.version is not None}, reverse=True)
            shown = ", ".join(str(v) for v in known[:5]) or "none"
            raise FetchError(
                f"{name}=={version}: the index has no sdist or wheel for that version",
                hint=f"latest versions on the index: {shown}",
            )
    else:
        live = [f for f in usable if not f.yanked]
        finals = [f for f in live if f.version is not None and not f.version.is_prerelease]
        pool = finals or live
        if not pool:
            raise FetchError(
                f"{name}: the index lists no installable sdist or wheel",
                hint="check the name, or pass a path to a local file",
            )
        best = max(f.version for f in pool if f.version is not None)
        picked = [f for f in pool if f.version == best]
    return min(picked, key=_rank)


class _LinkParser(HTMLParser):
    """Anchors of a PEP 503 page: (href, data-yanked present)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        d = dict(attrs)
        href = d.get("href")
        if href:
            self.links.append((href, "data-yanked" in d))


def _hashes_from_fragment(url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    base, frag = urldefrag(url)
    algo, _, digest = frag.partition("=")
    if algo in _HASHES and digest:
        return base, ((algo, digest.lower()),)
    return base, ()


def parse_simple_html(page: str, base_url: str) -> list[RemoteFile]:
    parser = _LinkParser()
    parser.feed(page)
    files: list[RemoteFile] = []
    for href, yanked in parser.links[:100_000]:
        url, hashes = _hashes_from_fragment(urljoin(base_url, href))
        filename = url.rsplit("/", 1)[-1].split("?", 1)[0]
        kind, version = _classify(filename)
        files.append(RemoteFile(filename, url, hashes, version, kind, yanked))
    return files


def _str_hashes(raw: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, Mapping):
        return ()
    return tuple(
        (str(k), str(v).lower()) for k, v in raw.items() if k in _HASHES and isinstance(v, str)
    )


def parse_simple_json(doc: object, base_url: str) -> list[RemoteFile]:
    if not isinstance(doc, Mapping) or not isinstance(doc.get("files"), list):
        raise ValueError("not a PEP 691 project page: no 'files' list")
    files: list[RemoteFile] = []
    for entry in doc["files"][:100_000]:
        if not isinstance(entry, Mapping):
            continue
        filename, url = entry.get("filename"), entry.get("url")
        if not isinstance(filename, str) or not isinstance(url, str):
            continue
        kind, version = _classify(filename)
        yanked = entry.get("yanked", False)
        files.append(
            RemoteFile(
                filename,
                urljoin(base_url, url),
                _str_hashes(entry.get("hashes")),
                version,
                kind,
                bool(yanked),
            )
        )
    return files


def parse_json_api(doc: object, base_url: str) -> list[RemoteFile]:
    """Files of a ``/pypi/NAME[/VERSION]/json`` document (``releases`` or ``urls``)."""
    if not isinstance(doc, Mapping):
        raise ValueError("not a JSON API document")
    entries: list[object] = []
    releases = doc.get("releases")
    if isinstance(releases, Mapping) and releases:
        for items in releases.values():
            if isinstance(items, list):
                entries.extend(items)
    elif isinstance(doc.get("urls"), list):
        entries.extend(doc["urls"])
    files: list[RemoteFile] = []
    for entry in entries[:100_000]:
        if not isinstance(entry, Mapping):
            continue
        filename, url = entry.get("filename"), entry.get("url")
        if not isinstance(filename, str) or not isinstance(url, str):
            continue
        kind, version = _classify(filename)
        files.append(
            RemoteFile(
                filename,
                urljoin(base_url, url),
                _str_hashes(entry.get("digests")),
                version,
                kind,
                bool(entry.get("yanked", False)),
            )
        )
    return files


def verify_digest(data: bytes, expected: tuple[tuple[str, str], ...], what: str) -> str:
    """Check ``data`` against the strongest digest the index gave; returns its sha256."""
    sha256 = hashlib.sha256(data).hexdigest()
    if not expected:
        raise FetchError(
            f"{what}: the index gave no sha256 for the file, so it cannot be checked",
            hint="use an index that publishes hashes, or download the file and scan its path",
        )
    algo, digest = next((a, d) for a, d in sorted(expected, key=lambda h: h[0] != "sha256"))
    actual = sha256 if algo == "sha256" else hashlib.new(algo, data).hexdigest()
    if actual != digest:
        raise FetchError(
            f"{what}: {algo} mismatch: the index says {digest}, the download is {actual}",
            hint="the file changed in transit or on the index; do not install it, and retry later",
        )
    return sha256


_NAME_RE = re.compile(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")


class PyPIClient:
    """``IndexClient`` over HTTP with httpx: simple API (PEP 691/503) or PyPI's JSON API."""

    def __init__(
        self,
        index_url: str = DEFAULT_INDEX_URL,
        *,
        client: httpx.Client | None = None,
        max_download: int = 256 * MiB,
        timeout: float = 30.0,
    ) -> None:
        parts = urlsplit(index_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FetchError(
                f"index URL {index_url!r} is not an http(s) URL",
                hint="pass e.g. --index-url https://pypi.org/simple/",
            )
        self.index_url = index_url.rstrip("/") + "/"
        self.json_api = parts.path.rstrip("/").endswith("/pypi")
        self.max_download = max_download
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=10.0),
            follow_redirects=True,
            headers={"User-Agent": f"snakewarden/{__version__}"},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PyPIClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- listing ----------------------------------------------------------------------------
    def list_files(self, name: str, version: str | None = None) -> list[RemoteFile]:
        if not _NAME_RE.match(name):
            raise FetchError(f"{name!r} is not a valid project name")
        project = canonicalize_name(name)
        if self.json_api:
            tail = (
                f"{quote(project)}/{quote(version)}/json" if version else f"{quote(project)}/json"
            )
            url = self.index_url + tail
            body, final_url, _ = self._get(url, name, accept="application/json")
            try:
                return parse_json_api(json.loads(body), final_url)
            except ValueError as exc:
                raise FetchError(
                    f"{name}: the index sent an unreadable JSON document: {exc}"
                ) from exc
        url = self.index_url + quote(project) + "/"
        body, final_url, ctype = self._get(url, name, accept=_ACCEPT)
        try:
            if ctype.startswith((_SIMPLE_JSON, "application/json")):
                return parse_simple_json(json.loads(body), final_url)
            return parse_simple_html(body.decode("utf-8", "replace"), final_url)
        except ValueError as exc:
            raise FetchError(f"{name}: the index sent an unreadable project page: {exc}") from exc

    def _get(self, url: str, name: str, *, accept: str) -> tuple[bytes, str, str]:
        try:
            with self._client.stream("GET", url, headers={"Accept": accept}) as resp:
                if resp.status_code == 404:
                    raise FetchError(
                        f"{name}: no such project on {self.index_url}",
                        hint="check the spelling, or pass --index-url for another index",
                    )
                if resp.status_code != 200:
                    raise FetchError(
                        f"{name}: the index answered HTTP {resp.status_code} for {url}",
                        hint="retry later, or pass --index-url for another index",
                    )
                body = _read_bounded(resp, _MAX_PAGE, f"{name}: index page")
                return body, str(resp.url), resp.headers.get("content-type", "").lower()
        except httpx.HTTPError as exc:
            raise _network_error(name, url, exc) from exc

    # -- fetching ---------------------------------------------------------------------------
    def fetch(self, name: str, version: str | None) -> Download:
        files = self.list_files(name, version)
        chosen = choose_file(name, files, version)
        what = f"{name} ({chosen.filename})"
        scheme = urlsplit(chosen.url).scheme
        if scheme not in ("http", "https"):
            raise FetchError(f"{what}: refusing to download from a {scheme or 'relative'} URL")
        try:
            with self._client.stream("GET", chosen.url) as resp:
                if resp.status_code != 200:
                    raise FetchError(
                        f"{what}: download failed with HTTP {resp.status_code} ({chosen.url})",
                        hint="retry later",
                    )
                declared = resp.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_download:
                    raise FetchError(
                        f"{what}: {declared} bytes exceeds the {self.max_download}-byte bound",
                        hint="download it yourself and scan the path if you trust its size",
                    )
                data = _read_bounded(resp, self.max_download, what)
        except httpx.HTTPError as exc:
            raise _network_error(name, chosen.url, exc) from exc
        sha256 = verify_digest(data, chosen.hashes, what)
        return Download(
            name=name,
            version=str(chosen.version),
            filename=chosen.filename,
            url=chosen.url,
            data=data,
            sha256=sha256,
        )


def _read_bounded(resp: httpx.Response, limit: int, what: str) -> bytes:
    buf = bytearray()
    for chunk in resp.iter_bytes():
        buf += chunk
        if len(buf) > limit:
            raise FetchError(
                f"{what}: more than {limit} bytes; download stopped",
                hint="download it yourself and scan the path if you trust its size",
            )
    return bytes(buf)


def _network_error(name: str, url: str, exc: httpx.HTTPError) -> FetchError:
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
    return FetchError(
        f"{name}: request to {url} {kind}: {type(exc).__name__}: {exc}",
        hint="check the network and --index-url, then retry",
    )


class InMemoryIndexClient:
    """``IndexClient`` over a dict ``{(canonical name, version): (filename, bytes)}``, for tests."""

    def __init__(self, files: Mapping[tuple[str, str], tuple[str, bytes]]) -> None:
        self._files = {(canonicalize_name(n), v): f for (n, v), f in files.items()}

    def fetch(self, name: str, version: str | None) -> Download:
        key = canonicalize_name(name)
        versions = sorted((Version(v) for n, v in self._files if n == key), reverse=True)
        if not versions:
            raise FetchError(f"{name}: no such project on the in-memory index")
        wanted = str(versions[0]) if version is None else version
        found = next(
            (
                (v, f)
                for (n, v), f in self._files.items()
                if n == key and Version(v) == Version(wanted)
            ),
            None,
        )
        if found is None:
            raise FetchError(f"{name}=={wanted}: no such version on the in-memory index")
        v, (filename, data) = found
        digest = hashlib.sha256(data).hexdigest()
        return Download(name, v, filename, f"memory:///{filename}", data, digest)
