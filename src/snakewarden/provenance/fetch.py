"""Reading an index over HTTP (httpx): PEP 691 JSON project pages and PEP 740 provenance.

``HttpProvenanceClient`` implements both :class:`ProvenanceClient` and
:class:`SimpleIndexClient`. Responses are size-bounded; httpx errors become
:class:`~snakewarden.errors.FetchError`; a missing provenance is
:class:`~snakewarden.provenance.model.ProvenanceUnavailable` (PyPI's Integrity API answers 404 from
some networks, and most files have no provenance at all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpx
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from snakewarden import __version__
from snakewarden.errors import FetchError, UsageError
from snakewarden.provenance.check import verify_distribution
from snakewarden.provenance.history import ProvenanceSnapshot
from snakewarden.provenance.interfaces import AttestationVerifier, ProvenanceClient
from snakewarden.provenance.model import (
    DistributionFile,
    IndexFile,
    ProvenanceFormatError,
    ProvenanceUnavailable,
)
from snakewarden.provenance.parse import ParseLimits, load_json, parse_provenance

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
MiB = 1024 * 1024
DEFAULT_INDEX = "https://pypi.org/simple/"


def name_version_of(filename: str) -> tuple[str, str]:
    """Project name and version from a wheel or sdist file name."""
    try:
        if filename.endswith(".whl"):
            name, version, *_ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
    except (InvalidSdistFilename, InvalidWheelFilename) as exc:
        raise UsageError(f"{filename!r} is not a wheel or sdist file name: {exc}") from exc
    return str(name), str(version)


def _index_root(index_url: str) -> str:
    """The site root beside a ``…/simple/`` URL, where ``/integrity/`` lives."""
    base = index_url.rstrip("/")
    if base.endswith("/simple"):
        base = base[: -len("/simple")]
    return base + "/"


@dataclass
class HttpProvenanceClient:
    """An index client over httpx. ``index_url`` is the simple API root (``…/simple/``)."""

    index_url: str = DEFAULT_INDEX
    transport: httpx.BaseTransport | None = None
    timeout: float = 30.0
    max_page_bytes: int = 32 * MiB
    max_provenance_bytes: int = ParseLimits().max_document_bytes
    _client: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        scheme = urlsplit(self.index_url).scheme
        if scheme not in ("http", "https"):
            raise UsageError(f"index URL {self.index_url!r} must be http(s)")
        if not self.index_url.endswith("/"):
            self.index_url += "/"
        self._client = httpx.Client(
            transport=self.transport,
            timeout=self.timeout,
            follow_redirects=True,
            headers={"User-Agent": f"snakewarden/{__version__}"},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpProvenanceClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _get(self, url: str, limit: int, accept: str) -> tuple[int, bytes, str]:
        """(status, body, final URL), the body cut off with an error past ``limit`` bytes."""
        try:
            with self._client.stream("GET", url, headers={"Accept": accept}) as resp:
                body = bytearray()
                if resp.status_code == 200:
                    for chunk in resp.iter_bytes():
                        body += chunk
                        if len(body) > limit:
                            raise FetchError(f"{url}: response is larger than {limit} bytes")
                return resp.status_code, bytes(body), str(resp.url)
        except httpx.HTTPError as exc:
            raise FetchError(
                f"cannot reach {url}: {exc}", hint="check --index-url and the network"
            ) from exc

    def _project_page(self, name: str) -> tuple[dict[str, Any], str]:
        url = urljoin(self.index_url, quote(canonicalize_name(name)) + "/")
        status, body, final = self._get(url, self.max_page_bytes, SIMPLE_JSON)
        if status == 404:
            raise FetchError(f"{name}: no such project on {self.index_url}")
        if status != 200:
            raise FetchError(f"{url}: HTTP {status}")
        limits = ParseLimits(max_document_bytes=self.max_page_bytes, max_depth=8)
        try:
            page = load_json(body, f"{url} (PEP 691 JSON)", limits)
        except ProvenanceFormatError as exc:
            raise FetchError(f"{url}: not a PEP 691 JSON page ({exc})") from exc
        if not isinstance(page, dict) or not isinstance(page.get("files"), list):
            raise FetchError(f"{url}: not a PEP 691 JSON page (no files list)")
        return page, final

    def project_files(self, name: str) -> list[IndexFile]:
        page, base = self._project_page(name)
        files: list[IndexFile] = []
        for entry in page["files"]:
            if not isinstance(entry, dict):
                continue
            filename, href = entry.get("filename"), entry.get("url")
            if not isinstance(filename, str) or not isinstance(href, str):
                continue
            hashes = entry.get("hashes")
            sha = hashes.get("sha256") if isinstance(hashes, dict) else None
            prov = entry.get("provenance")
            files.append(
                IndexFile(
                    filename=filename,
                    url=urljoin(base, href),
                    sha256=sha.lower() if isinstance(sha, str) else "",
                    yanked=bool(entry.get("yanked")),
                    provenance_url=urljoin(base, prov) if isinstance(prov, str) else "",
                )
            )
        return files

    def fetch(self, name: str, version: str, filename: str) -> bytes:
        """The provenance of one file: the PEP 691 ``provenance`` URL, else the Integrity API."""
        url = ""
        try:
            page_files = self.project_files(name)
        except FetchError:
            page_files = []
        for f in page_files:
            if f.filename == filename:
                url = f.provenance_url
                break
        if not url:
            url = urljoin(
                _index_root(self.index_url),
                "integrity/"
                + "/".join(quote(p, safe="") for p in (canonicalize_name(name), version, filename))
                + "/provenance",
            )
        status, body, _ = self._get(url, self.max_provenance_bytes, "application/json")
        if status == 404:
            raise ProvenanceUnavailable(
                f"{filename}: no provenance available from the index ({url} answered 404)",
                url=url,
                hint="the file may have been uploaded without attestations, or the index does "
                "not offer the Integrity API; pass --provenance FILE if you have one",
            )
        if status != 200:
            raise FetchError(f"{url}: HTTP {status}")
        return body


def fetch_release_snapshot(
    client: ProvenanceClient,
    verifier: AttestationVerifier,
    name: str,
    version: str,
    files: Sequence[IndexFile],
) -> ProvenanceSnapshot:
    """Fetch and verify the provenance of a release's files (as the index lists them, digest
    included: no download needed) into a snapshot for :func:`compare_provenance`.

    The release counts as attested when at least one of its files has provenance and every
    provenance found verifies; the publisher is the first verified one. Files without
    provenance (404) are skipped; a provenance that does not verify makes the release count as
    not attested.
    """
    publisher = None
    attested = False
    for f in files:
        if not f.sha256:
            continue
        try:
            raw = client.fetch(name, version, f.filename)
        except ProvenanceUnavailable:
            continue
        try:
            document = parse_provenance(raw)
        except ProvenanceFormatError:
            return ProvenanceSnapshot(version, attested=False)
        report = verify_distribution(DistributionFile(f.filename, f.sha256), document, verifier)
        if not report.verified:
            return ProvenanceSnapshot(version, attested=False)
        attested = True
        publisher = publisher or report.publisher
    return ProvenanceSnapshot(version, attested=attested, publisher=publisher)


@dataclass
class InMemoryProvenanceClient:
    """:class:`ProvenanceClient` over a dict ``{filename: provenance JSON}`` (tests, fixtures)."""

    provenances: dict[str, bytes] = field(default_factory=dict)

    def fetch(self, name: str, version: str, filename: str) -> bytes:
        try:
            return self.provenances[filename]
        except KeyError:
            raise ProvenanceUnavailable(f"{filename}: no provenance available") from None
