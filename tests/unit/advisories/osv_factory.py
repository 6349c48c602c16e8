"""Helpers for advisory tests: small OSV records written here (no real advisory text)."""

from __future__ import annotations

from typing import Any


def osv(
    rid: str,
    name: str = "demo",
    *,
    events: list[dict[str, str]] | None = None,
    versions: list[str] | None = None,
    aliases: list[str] | None = None,
    modified: str = "2024-01-01T00:00:00Z",
    **extra: Any,
) -> dict[str, Any]:
    affected: dict[str, Any] = {"package": {"ecosystem": "PyPI", "name": name}}
    if events is not None:
        affected["ranges"] = [{"type": "ECOSYSTEM", "events": events}]
    if versions is not None:
        affected["versions"] = versions
    return {
        "id": rid,
        "modified": modified,
        "aliases": aliases or [],
        "summary": f"{rid} summary",
        "details": f"{rid} details",
        "affected": [affected],
        **extra,
    }
