"""The repository API's documents, pure over ``ProjectPage`` values: PEP 503 HTML, PEP 691 JSON
(with PEP 592 yanking, PEP 658/714 metadata, PEP 700 versions/size/upload-time), content
negotiation, and PyPI's JSON API (``/pypi/NAME/json``)."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from snakewarden.index.views import FileView, ProjectPage, ReleaseView, version_key

API_VERSION = "1.1"
JSON_V1 = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
LATEST_JSON = "application/vnd.pypi.simple.latest+json"
LATEST_HTML = "application/vnd.pypi.simple.latest+html"
TEXT_HTML = "text/html"

_FORMATS = {
    JSON_V1: JSON_V1, LATEST_JSON: JSON_V1, HTML_V1: HTML_V1, LATEST_HTML: HTML_V1,
    TEXT_HTML: TEXT_HTML, "*/*": HTML_V1, "application/*": JSON_V1, "text/*": TEXT_HTML,
}  # fmt: skip


def negotiate(accept: str | None, format_param: str | None) -> str | None:
    """The media type to answer with, or None (406). ``?format=`` wins over ``Accept``."""
    if format_param:
        # an unescaped "+" in a query string arrives as a space
        return _FORMATS.get(format_param.strip().lower().replace(" ", "+"))
    if not accept:
        return TEXT_HTML
    offers: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept.split(",")[:32]):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        q = 1.0
        for p in pieces[1:]:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media in _FORMATS and q > 0:
            offers.append((q, -i, _FORMATS[media]))
    if not offers:
        return None
    return max(offers)[2]


def iso_time(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _yanked(f: FileView) -> bool | str:
    if not f.yanked:
        return False
    return f.yanked_reason or True


def _sorted_files(page: ProjectPage) -> list[FileView]:
    return sorted(page.files, key=lambda f: (version_key(f.version), f.filename))


def project_json(page: ProjectPage) -> dict[str, Any]:
    files = []
    for f in _sorted_files(page):
        entry: dict[str, Any] = {
            "filename": f.filename,
            "url": f.url,
            "hashes": {"sha256": f.sha256},
            "requires-python": f.requires_python,
            "size": f.size,
            "upload-time": iso_time(f.upload_time),
            "yanked": _yanked(f),
            "core-metadata": {"sha256": f.metadata_sha256} if f.metadata_sha256 else False,
            "dist-info-metadata": {"sha256": f.metadata_sha256} if f.metadata_sha256 else False,
        }
        files.append(entry)
    return {
        "meta": {"api-version": API_VERSION},
        "name": page.normalized_name,
        "versions": list(page.versions),
        "files": files,
    }


def project_html(page: ProjectPage) -> str:
    esc = html.escape
    lines = [
        "<!DOCTYPE html>",
        "<html>",
        "  <head>",
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">',
        f"    <title>Links for {esc(page.normalized_name)}</title>",
        "  </head>",
        "  <body>",
        f"    <h1>Links for {esc(page.normalized_name)}</h1>",
    ]
    for f in _sorted_files(page):
        attrs = [f'href="{esc(f.url)}#sha256={f.sha256}"']
        if f.requires_python:
            attrs.append(f'data-requires-python="{esc(f.requires_python)}"')
        if f.yanked:
            attrs.append(f'data-yanked="{esc(f.yanked_reason)}"')
        if f.metadata_sha256:
            attrs.append(f'data-dist-info-metadata="sha256={f.metadata_sha256}"')
            attrs.append(f'data-core-metadata="sha256={f.metadata_sha256}"')
        lines.append(f"    <a {' '.join(attrs)}>{esc(f.filename)}</a><br />")
    lines += ["  </body>", "</html>", ""]
    return "\n".join(lines)


def index_json(names: Sequence[str]) -> dict[str, Any]:
    return {"meta": {"api-version": API_VERSION}, "projects": [{"name": n} for n in names]}


def index_html(names: Sequence[str]) -> str:
    esc = html.escape
    body = "\n".join(f'    <a href="/simple/{esc(n)}/">{esc(n)}</a><br />' for n in names)
    return (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">\n'
        "    <title>Simple index</title>\n  </head>\n  <body>\n"
        f"{body}\n  </body>\n</html>\n"
    )


def dumps(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, separators=(",", ":"), sort_keys=False).encode()


# -- PyPI's JSON API --------------------------------------------------------------------------


def _file_json(f: FileView, base_url: str) -> dict[str, Any]:
    url = f.url if "://" in f.url else base_url.rstrip("/") + f.url
    return {
        "comment_text": "",
        "digests": {"blake2b_256": f.blake2_256, "md5": f.md5, "sha256": f.sha256},
        "downloads": -1,
        "filename": f.filename,
        "has_sig": False,
        "md5_digest": f.md5,
        "packagetype": f.packagetype,
        "python_version": f.python_version,
        "requires_python": f.requires_python,
        "size": f.size,
        "upload_time": f.upload_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "upload_time_iso_8601": iso_time(f.upload_time),
        "url": url,
        "yanked": f.yanked,
        "yanked_reason": f.yanked_reason or None,
    }


def _info(page: ProjectPage, release: ReleaseView, base_url: str) -> dict[str, Any]:
    def text(key: str) -> str | None:
        value = release.get(key)
        return str(value) if value else None

    def listing(key: str) -> list[str] | None:
        value = release.get(key)
        return [str(v) for v in value] if isinstance(value, list) and value else None

    urls: dict[str, str] = {}
    for entry in listing("project_urls") or ():
        label, _, url = entry.partition(",")
        if url.strip():
            urls[label.strip()[:100]] = url.strip()
    base = base_url.rstrip("/")
    return {
        "author": text("author"),
        "author_email": text("author_email"),
        "classifiers": listing("classifiers") or [],
        "description": text("description"),
        "description_content_type": text("description_content_type"),
        "download_url": text("download_url"),
        "home_page": text("home_page"),
        "keywords": text("keywords"),
        "license": text("license"),
        "license_expression": text("license_expression"),
        "maintainer": text("maintainer"),
        "maintainer_email": text("maintainer_email"),
        "name": page.name,
        "package_url": f"{base}/project/{page.normalized_name}/",
        "project_url": f"{base}/project/{page.normalized_name}/",
        "project_urls": urls or None,
        "release_url": f"{base}/project/{page.normalized_name}/{release.version}/",
        "requires_dist": listing("requires_dist"),
        "requires_python": text("requires_python"),
        "summary": text("summary"),
        "version": release.version,
        "yanked": release.yanked,
        "yanked_reason": release.yanked_reason or None,
    }


def pypi_project_json(page: ProjectPage, base_url: str) -> dict[str, Any] | None:
    latest = page.latest()
    if latest is None:
        return None
    releases: dict[str, list[dict[str, Any]]] = {v: [] for v in page.versions}
    for f in _sorted_files(page):
        releases.setdefault(f.version, []).append(_file_json(f, base_url))
    return {
        "info": _info(page, latest, base_url),
        "last_serial": 0,
        "releases": releases,
        "urls": releases.get(latest.version, []),
        "vulnerabilities": [],
    }


def pypi_release_json(page: ProjectPage, version: str, base_url: str) -> dict[str, Any] | None:
    from packaging.version import InvalidVersion, Version

    try:
        wanted = Version(version)
    except InvalidVersion:
        return None
    for release in page.releases:
        if version_key(release.version) == (1, wanted):
            urls = [
                _file_json(f, base_url)
                for f in _sorted_files(page)
                if version_key(f.version) == (1, wanted)
            ]
            return {
                "info": _info(page, release, base_url),
                "last_serial": 0,
                "urls": urls,
                "vulnerabilities": [],
            }
    return None
