"""The simple repository API, both ways: parse upstream pages, render the proxy's pages.

Parsing accepts PEP 691 JSON and PEP 503 HTML with the PEP 592 (yank), 658/714 (metadata), 700
(versions, size, upload-time), 708 (tracks, alternate-locations) and 740 (provenance) fields.
Upstream pages are hostile input: entries that are malformed or carry unsafe filenames are
dropped, and every count and length is bounded. Rendering is pure: the caller decides every URL.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from snakewarden.proxy.errors import UpstreamError
from snakewarden.proxy.model import ProjectPage, UpstreamFile

JSON_V1 = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
TEXT_HTML = "text/html"
#: The API version the proxy speaks: PEP 700 (1.1), PEP 708 (1.2), PEP 740 (1.3).
API_VERSION = "1.3"
#: What the proxy asks upstream for: JSON first, HTML as a fallback.
UPSTREAM_ACCEPT = f"{JSON_V1}, {HTML_V1};q=0.2, {TEXT_HTML};q=0.1"

MAX_FILES = 200_000
MAX_FIELD = 4096
_HASH_ALGOS = frozenset({"sha256", "sha384", "sha512", "sha3_256", "blake2b"})
_HEX = re.compile(r"\A[0-9a-fA-F]{32,128}\Z")
_UNSAFE_FILENAME = re.compile(r"[/\\\x00-\x1f\x7f]")


def safe_filename(name: str) -> bool:
    """A plain file name: no folders, no control characters, not '.' or '..', bounded."""
    return (
        0 < len(name) <= 255
        and not _UNSAFE_FILENAME.search(name)
        and name not in {".", ".."}
        and not name.startswith(".")
    )


def _str(value: object, limit: int = MAX_FIELD) -> str | None:
    if isinstance(value, str) and len(value) <= limit:
        return value
    return None


def _hashes(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping):
        return ()
    out = []
    for algo, digest in value.items():
        if isinstance(algo, str) and isinstance(digest, str) and _HEX.match(digest):
            algo = algo.lower()
            if algo in _HASH_ALGOS:
                out.append((algo, digest.lower()))
    return tuple(sorted(out))


def _time(value: object) -> datetime | None:
    text = _str(value, 64)
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _urls(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(u for u in (_str(v) for v in value[:100]) if u)


def parse_json_page(body: bytes, page_url: str, name: str) -> ProjectPage:
    """Parse a PEP 691 project page. Raises ``UpstreamError`` when it is not one."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise UpstreamError(f"upstream sent an unreadable JSON page for {name}: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), list):
        raise UpstreamError(f"upstream sent a JSON page for {name} without a 'files' list")
    files: list[UpstreamFile] = []
    for entry in doc["files"][:MAX_FILES]:
        if not isinstance(entry, dict):
            continue
        filename = _str(entry.get("filename"), 255)
        url = _str(entry.get("url"))
        if not filename or not url or not safe_filename(filename):
            continue
        yanked_raw = entry.get("yanked", False)
        yanked: str | None = None
        if yanked_raw is True:
            yanked = ""
        elif isinstance(yanked_raw, str) and yanked_raw:
            yanked = yanked_raw[:MAX_FIELD]
        meta_raw = entry.get("core-metadata", entry.get("dist-info-metadata", False))
        core_metadata: tuple[tuple[str, str], ...] | None
        if meta_raw is True:
            core_metadata = ()
        elif isinstance(meta_raw, Mapping):
            core_metadata = _hashes(meta_raw)
        else:
            core_metadata = None
        size = entry.get("size")
        provenance = _str(entry.get("provenance"))
        files.append(
            UpstreamFile(
                filename=filename,
                url=urljoin(page_url, url),
                hashes=_hashes(entry.get("hashes")),
                requires_python=_str(entry.get("requires-python"), 1024),
                yanked=yanked,
                core_metadata=core_metadata,
                size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                upload_time=_time(entry.get("upload-time")),
                provenance=urljoin(page_url, provenance) if provenance else None,
            )
        )
    versions = doc.get("versions")
    return ProjectPage(
        name=canonicalize_name(name),
        files=tuple(files),
        versions=tuple(v for v in (_str(x, 256) for x in versions[:MAX_FILES]) if v)
        if isinstance(versions, list)
        else (),
        tracks=_urls(doc.get("tracks")),
        alternate_locations=_urls(doc.get("alternate-locations")),
    )


class _AnchorParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[dict[str, str | None], list[str]]] = []
        self.meta: list[tuple[str, str]] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and len(self.anchors) < MAX_FILES:
            self._text = []
            self.anchors.append((dict(attrs), self._text))
        elif tag == "meta":
            d = dict(attrs)
            meta_name, content = d.get("name"), d.get("content")
            if meta_name and content is not None and len(self.meta) < 1000:
                self.meta.append((meta_name, content))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None and sum(map(len, self._text)) < 1024:
            self._text.append(data)


def _fragment_hashes(fragment: str) -> tuple[tuple[str, str], ...]:
    algo, sep, digest = fragment.partition("=")
    return _hashes({algo: digest}) if sep else ()


def _metadata_attr(value: str | None) -> tuple[tuple[str, str], ...] | None:
    if value is None or value.lower() == "false":
        return None
    if value.lower() == "true":
        return ()
    return _fragment_hashes(value)


def parse_html_page(body: bytes, page_url: str, name: str) -> ProjectPage:
    """Parse a PEP 503 project page (with PEP 592/658/708/740 attributes)."""
    parser = _AnchorParser()
    try:
        parser.feed(body.decode("utf-8", errors="replace"))
        parser.close()
    except (ValueError, AssertionError) as exc:  # html.parser's own failures
        raise UpstreamError(f"upstream sent an unreadable HTML page for {name}: {exc}") from exc
    files = []
    for attrs, text in parser.anchors:
        href = attrs.get("href")
        if not href or len(href) > MAX_FIELD:
            continue
        url, fragment = urldefrag(urljoin(page_url, href))
        filename = "".join(text).strip() or url.rstrip("/").rsplit("/", 1)[-1]
        if not safe_filename(filename):
            continue
        yanked = attrs.get("data-yanked", None) if "data-yanked" in attrs else None
        if "data-yanked" in attrs and yanked is None:
            yanked = ""
        meta_attr = attrs.get("data-core-metadata", attrs.get("data-dist-info-metadata"))
        provenance = attrs.get("data-provenance")
        files.append(
            UpstreamFile(
                filename=filename,
                url=url,
                hashes=_fragment_hashes(fragment),
                requires_python=_str(attrs.get("data-requires-python"), 1024),
                yanked=yanked[:MAX_FIELD] if yanked is not None else None,
                core_metadata=_metadata_attr(meta_attr),
                provenance=urljoin(page_url, provenance) if provenance else None,
            )
        )
    return ProjectPage(
        name=canonicalize_name(name),
        files=tuple(files),
        tracks=tuple(c for n, c in parser.meta if n == "pypi:tracks"),
        alternate_locations=tuple(c for n, c in parser.meta if n == "pypi:alternate-locations"),
    )


def parse_page(body: bytes, content_type: str, page_url: str, name: str) -> ProjectPage:
    """Parse an upstream project page by its content type."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == JSON_V1 or media.endswith("+json") or media == "application/json":
        return parse_json_page(body, page_url, name)
    if media in {HTML_V1, TEXT_HTML, ""} or media.endswith("+html"):
        return parse_html_page(body, page_url, name)
    raise UpstreamError(f"upstream sent the page of {name} as {media!r}, not a simple API page")


def version_of(filename: str) -> str | None:
    """The version in a distribution's filename, if it is a wheel or an sdist."""
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename, ValueError):
        return None


def versions_of(page: ProjectPage) -> tuple[str, ...]:
    """PEP 700 versions: upstream's list, else the versions seen in the filenames."""
    if page.versions:
        return page.versions
    seen: dict[str, None] = {}
    for f in page.files:
        v = version_of(f.filename)
        if v is not None:
            seen.setdefault(v)
    return tuple(seen)


# ---------------------------------------------------------------------------------------------
# Rendering


@dataclass(frozen=True, slots=True)
class ServedFile:
    """A file as the proxy lists it: upstream's facts with the proxy's URLs and yank reason."""

    file: UpstreamFile
    url: str
    yanked: str | None
    core_metadata: tuple[tuple[str, str], ...] | None
    provenance: str | None


@dataclass(frozen=True, slots=True)
class ServedPage:
    name: NormalizedName
    files: tuple[ServedFile, ...]
    versions: tuple[str, ...]
    tracks: tuple[str, ...] = ()
    alternate_locations: tuple[str, ...] = ()


def _json_meta(core: tuple[tuple[str, str], ...] | None) -> bool | dict[str, str]:
    if core is None:
        return False
    return dict(core) if core else True


def render_json(page: ServedPage) -> bytes:
    files: list[dict[str, Any]] = []
    for sf in page.files:
        f = sf.file
        entry: dict[str, Any] = {"filename": f.filename, "url": sf.url, "hashes": dict(f.hashes)}
        if f.requires_python is not None:
            entry["requires-python"] = f.requires_python
        entry["yanked"] = (sf.yanked or True) if sf.yanked is not None else False
        entry["core-metadata"] = _json_meta(sf.core_metadata)
        entry["dist-info-metadata"] = entry["core-metadata"]
        if f.size is not None:
            entry["size"] = f.size
        if f.upload_time is not None:
            entry["upload-time"] = (
                f.upload_time.astimezone(UTC)
                .isoformat(timespec="microseconds")
                .replace("+00:00", "Z")
            )
        entry["provenance"] = sf.provenance
        files.append(entry)
    doc: dict[str, Any] = {
        "meta": {"api-version": API_VERSION},
        "name": page.name,
        "files": files,
        "versions": list(page.versions),
    }
    if page.tracks:
        doc["tracks"] = list(page.tracks)
    if page.alternate_locations:
        doc["alternate-locations"] = list(page.alternate_locations)
    return json.dumps(doc, separators=(",", ":")).encode()


def _attr(name: str, value: str) -> str:
    return f' {name}="{html.escape(value, quote=True)}"'


def render_html(page: ServedPage) -> bytes:
    head = [f'<meta name="pypi:repository-version" content="{API_VERSION}">']
    head += [f"<meta{_attr('name', 'pypi:tracks')}{_attr('content', u)}>" for u in page.tracks]
    head += [
        f"<meta{_attr('name', 'pypi:alternate-locations')}{_attr('content', u)}>"
        for u in page.alternate_locations
    ]
    lines = [
        "<!DOCTYPE html>",
        "<html>",
        "<head>",
        *head,
        f"<title>Links for {html.escape(page.name)}</title>",
        "</head>",
        "<body>",
        f"<h1>Links for {html.escape(page.name)}</h1>",
    ]
    for sf in page.files:
        f = sf.file
        href = sf.url
        if f.sha256:
            href += f"#sha256={f.sha256}"
        attrs = _attr("href", href)
        if f.requires_python is not None:
            attrs += _attr("data-requires-python", f.requires_python)
        if sf.yanked is not None:
            attrs += _attr("data-yanked", sf.yanked)
        if sf.core_metadata is not None:
            value = (
                f"sha256={dict(sf.core_metadata)['sha256']}" if sf.file.metadata_sha256 else "true"
            )
            attrs += _attr("data-core-metadata", value) + _attr("data-dist-info-metadata", value)
        if sf.provenance:
            attrs += _attr("data-provenance", sf.provenance)
        lines.append(f"<a{attrs}>{html.escape(f.filename)}</a><br>")
    lines += ["</body>", "</html>", ""]
    return "\n".join(lines).encode()


def render_root_json(names: Iterable[str]) -> bytes:
    doc = {"meta": {"api-version": API_VERSION}, "projects": [{"name": n} for n in sorted(names)]}
    return json.dumps(doc, separators=(",", ":")).encode()


def render_root_html(names: Iterable[str], href: Callable[[str], str]) -> bytes:
    lines = [
        "<!DOCTYPE html>",
        "<html>",
        "<head>",
        f'<meta name="pypi:repository-version" content="{API_VERSION}">',
        "<title>Simple index</title>",
        "</head>",
        "<body>",
    ]
    lines += [f"<a{_attr('href', href(n))}>{html.escape(n)}</a><br>" for n in sorted(names)]
    lines += ["</body>", "</html>", ""]
    return "\n".join(lines).encode()


# ---------------------------------------------------------------------------------------------
# Content negotiation (PEP 691)

_OFFERS: dict[str, str] = {
    JSON_V1: JSON_V1,
    "application/vnd.pypi.simple.latest+json": JSON_V1,
    HTML_V1: HTML_V1,
    "application/vnd.pypi.simple.latest+html": HTML_V1,
    TEXT_HTML: TEXT_HTML,
}


def negotiate(accept: str | None, format_param: str | None = None) -> str | None:
    """The content type to answer with, or None when nothing acceptable (406).

    ``?format=`` wins over ``Accept``; no Accept or ``*/*`` gets ``text/html`` (PEP 691).
    """
    if format_param:
        return _OFFERS.get(format_param.strip().lower())
    if not accept:
        return TEXT_HTML
    best: tuple[float, int, str] | None = None
    for index, part in enumerate(accept.split(",")[:50]):
        media, *params = (p.strip() for p in part.split(";"))
        media = media.lower()
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if media in _OFFERS:
            offer = _OFFERS[media]
        elif media in {"*/*", "application/*", "text/*"}:
            offer = TEXT_HTML
        else:
            continue
        candidate = (q, -index, offer)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


def negotiated_types() -> Sequence[str]:
    return (JSON_V1, HTML_V1, TEXT_HTML)
