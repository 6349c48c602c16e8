"""Bulk advisory sources for ``db update``: OSV's PyPI export and the PyPA advisory database.

A source is downloaded (streamed, size-bounded) into a temporary file beside the database, then
imported as a full snapshot of that source in one transaction; the old database stays usable if
anything fails. ``--path`` imports a local copy instead (a downloaded export, or a checkout).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from snakewarden.advisories.importers import ReadReport, read_advisories
from snakewarden.advisories.interfaces import AdvisoryStore, ImportStats
from snakewarden.errors import OsvError

MAX_DOWNLOAD = 2 * 1024**3


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    url: str
    description: str


SOURCES: dict[str, Source] = {
    "osv": Source(
        "osv",
        "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
        "OSV's export of every PyPI record (PYSEC, GHSA, MAL, ...), a zip of JSON files",
    ),
    "pypa": Source(
        "pypa",
        "https://github.com/pypa/advisory-database/archive/refs/heads/main.zip",
        "the PyPA advisory database (PYSEC records as YAML), a zip of the repository",
    ),
}


def download(
    client: httpx.Client,
    url: str,
    folder: Path,
    *,
    limit: int = MAX_DOWNLOAD,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Stream ``url`` into a new temporary file in ``folder``; the caller deletes it."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".download-", suffix=".tmp")
    path = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as fh, client.stream("GET", url) as resp:
            if resp.status_code != 200:
                raise OsvError(f"{url} answered HTTP {resp.status_code}")
            total = 0
            for chunk in resp.iter_bytes(1 << 20):
                total += len(chunk)
                if total > limit:
                    raise OsvError(f"{url} is larger than {limit} bytes; download stopped")
                fh.write(chunk)
                if progress is not None:
                    progress(total)
    except httpx.HTTPError as exc:
        path.unlink(missing_ok=True)
        raise OsvError(
            f"cannot download {url}: {type(exc).__name__}: {exc}",
            hint="no network here? download the file elsewhere and run "
            "`snakewarden db import FILE` (or `db update --source NAME --path FILE`)",
        ) from exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def import_path(
    store: AdvisoryStore, path: Path, *, source: str, location: str, replace_source: bool
) -> ImportStats:
    """Import every record found at ``path`` (file or folder) as ``source``."""
    report = ReadReport()
    stats = store.import_advisories(
        read_advisories(path, report),
        source=source,
        location=location,
        replace_source=lambda: replace_source and report.rejected == 0,
    )
    return replace(stats, rejected=report.rejected, problems=tuple(report.problems))


def update_source(
    store: AdvisoryStore,
    name: str,
    *,
    client: httpx.Client,
    workdir: Path,
    url: str | None = None,
    path: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportStats:
    """Refresh one source: a full snapshot replaces what that source gave before."""
    src = SOURCES.get(name)
    if src is None:
        raise OsvError(
            f"unknown advisory source {name!r}",
            hint=f"choose one of: {', '.join(SOURCES)} (per-package look-ups: audit --online)",
        )
    if path is not None:
        if not path.exists():
            raise OsvError(f"{path} does not exist")
        return import_path(store, path, source=name, location=str(path), replace_source=True)
    target = url or src.url
    tmp = download(client, target, workdir, progress=progress)
    try:
        return import_path(store, tmp, source=name, location=target, replace_source=True)
    finally:
        tmp.unlink(missing_ok=True)
