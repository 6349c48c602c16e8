"""Settings of an index, resolved from arguments, then environment, then defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from snakewarden.adapters.home import home_dir
from snakewarden.index.db import sqlite_url

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class IndexConfig:
    data_dir: Path
    db_url: str
    workers: int = 1
    max_upload_size: int = 100 * MiB
    lease_seconds: float = 120.0
    max_attempts: int = 3
    open_registration: bool = False
    trust_proxy_headers: bool = False
    check_names: bool = True
    base_url: str | None = None  # absolute URLs in the JSON API; default: from the request
    scan_processes: int = 0  # > 0: scan in that many child processes (isolation), else threads
    scan_timeout: float = 300.0  # seconds, for scans in child processes
    record_downloads: bool = True  # a FILE_DOWNLOADED event per download (anomaly detection)


def resolve_data_dir(arg: str | None, environ: Mapping[str, str]) -> Path:
    raw = arg or environ.get("SNAKEWARDEN_DATA_DIR")
    path = Path(raw).expanduser() if raw else home_dir(dict(environ)) / "index"
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def resolve_db_url(arg: str | None, environ: Mapping[str, str], data_dir: Path) -> str:
    return arg or environ.get("SNAKEWARDEN_DB") or sqlite_url(data_dir)
