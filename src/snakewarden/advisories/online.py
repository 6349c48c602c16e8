"""Online look-ups: the index's JSON API ``vulnerabilities`` field (PyPI's OSV-derived data),
or any OSV-compatible query API (:class:`OsvQueryClient`).

``GET {base}/{name}/{version}/json`` lists the advisories of one release. Where an index does not
answer per-version documents, the project document (``{base}/{name}/json``) is used when the
release asked for is the latest one, since its ``vulnerabilities`` describe only that release;
otherwise the look-up fails with an error (the dependency is reported as not checked online).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from snakewarden.advisories.model import Advisory
from snakewarden.advisories.parse import parse_advisory
from snakewarden.errors import OsvError

DEFAULT_JSON_API = "https://pypi.org/pypi"
MAX_DOCUMENT = 32 * 1024 * 1024


def pypi_record(item: dict[str, Any], name: str, version: str) -> dict[str, Any]:
    """An OSV record for one ``vulnerabilities[]`` item of the JSON API."""
    fixed = [f for f in item.get("fixed_in") or [] if isinstance(f, str) and f]
    events: list[dict[str, str]] = [{"introduced": "0"}] + [{"fixed": f} for f in fixed]
    record: dict[str, Any] = {
        "id": item.get("id"),
        "modified": item.get("modified") or "",
        "aliases": [a for a in item.get("aliases") or [] if isinstance(a, str)],
        "summary": item.get("summary") or "",
        "details": item.get("details") or "",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "versions": [version],
                "ranges": [{"type": "ECOSYSTEM", "events": events}] if fixed else [],
            }
        ],
        "references": [{"type": "ADVISORY", "url": item["link"]}]
        if isinstance(item.get("link"), str)
        else [],
    }
    if item.get("withdrawn"):
        record["withdrawn"] = str(item["withdrawn"])
    return record


class PypiVulnerabilityClient:
    """``OnlineLookup`` over an index's JSON API."""

    def __init__(self, client: httpx.Client, base_url: str = DEFAULT_JSON_API) -> None:
        self._client = client
        self._base = base_url.rstrip("/")

    def _get(self, url: str) -> dict[str, Any] | None:
        try:
            resp = self._client.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise OsvError(
                f"cannot reach {url}: {exc}",
                hint="check the network, or audit offline with the local database",
            ) from exc
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise OsvError(f"{url} answered HTTP {resp.status_code}")
        if len(resp.content) > MAX_DOCUMENT:
            raise OsvError(f"{url} sent more than {MAX_DOCUMENT} bytes")
        try:
            doc = json.loads(resp.content)
        except ValueError as exc:
            raise OsvError(f"{url} sent unreadable JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise OsvError(f"{url} sent JSON that is not an object")
        return doc

    def vulnerabilities(self, name: str, version: str) -> Sequence[Advisory]:
        q = quote(name, safe="")
        doc = self._get(f"{self._base}/{q}/{quote(version, safe='')}/json")
        if doc is None:
            project = self._get(f"{self._base}/{q}/json")
            if project is None:
                raise OsvError(f"{name} is not on the index")
            info = project.get("info")
            latest = info.get("version") if isinstance(info, dict) else None
            if latest != version:
                raise OsvError(
                    f"the index has no per-release document for {name}=={version}, and its "
                    f"project document describes only the latest release ({latest})",
                )
            doc = project
        items = doc.get("vulnerabilities", [])
        if not isinstance(items, list):
            raise OsvError(f"{name}: 'vulnerabilities' is not a list")
        out: list[Advisory] = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise OsvError(f"{name}: a 'vulnerabilities' entry has no id")
            out.append(parse_advisory(pypi_record(item, name, version)))
        return out


class OsvQueryClient:
    """``OnlineLookup`` over an OSV-compatible query API (``POST …/v1/query``): api.osv.dev, or
    an organisation's own ``snakewarden db serve``."""

    def __init__(
        self, client: httpx.Client, query_url: str = "https://api.osv.dev/v1/query"
    ) -> None:
        self._client = client
        self._url = query_url

    def vulnerabilities(self, name: str, version: str) -> Sequence[Advisory]:
        body = {"package": {"name": name, "ecosystem": "PyPI"}, "version": version}
        records: list[Advisory] = []
        page_token: str | None = None
        for _page in range(100):  # OSV paginates large answers; bound the walk
            if page_token:
                body["page_token"] = page_token
            try:
                resp = self._client.post(self._url, json=body)
            except httpx.HTTPError as exc:
                raise OsvError(
                    f"cannot reach {self._url}: {exc}",
                    hint="check the network and --osv-url, or audit with the local database",
                ) from exc
            if resp.status_code != 200:
                raise OsvError(f"{self._url} answered HTTP {resp.status_code}")
            if len(resp.content) > MAX_DOCUMENT:
                raise OsvError(f"{self._url} sent more than {MAX_DOCUMENT} bytes")
            try:
                doc = json.loads(resp.content)
            except ValueError as exc:
                raise OsvError(f"{self._url} sent unreadable JSON: {exc}") from exc
            if not isinstance(doc, dict):
                raise OsvError(f"{self._url} sent JSON that is not an object")
            vulns = doc.get("vulns", [])
            if not isinstance(vulns, list):
                raise OsvError(f"{self._url}: 'vulns' is not a list")
            records.extend(parse_advisory(v) for v in vulns)
            token = doc.get("next_page_token")
            if not isinstance(token, str) or not token:
                return records
            page_token = token
        raise OsvError(f"{self._url} kept paginating for {name}=={version}")
