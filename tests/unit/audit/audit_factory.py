"""Small inert audit fixtures: OSV records and dependencies written for the tests."""

from __future__ import annotations

from typing import Any

from packaging.utils import canonicalize_name

from snakewarden.advisories.parse import parse_advisory
from snakewarden.advisories.store import InMemoryAdvisoryStore
from snakewarden.audit.model import Dependency, DependencyKind, InputSet


def record(rid: str, name: str, events: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "modified": "2024-01-01T00:00:00Z",
        "published": "2023-12-01T00:00:00Z",
        "summary": f"{rid}: a flaw in {name}",
        "details": f"Longer text about {rid}.",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
            }
        ],
        "references": [{"type": "ADVISORY", "url": f"https://example.invalid/{rid}"}],
        **extra,
    }


RECORDS = [
    record("PYSEC-2020-1", "webthing", [{"introduced": "0"}, {"fixed": "1.2"}],
           aliases=["CVE-2020-1", "GHSA-aaaa-bbbb-cccc"]),
    record("GHSA-aaaa-bbbb-cccc", "webthing", [{"introduced": "0"}, {"fixed": "1.2"}],
           aliases=["CVE-2020-1"],
           database_specific={"severity": "HIGH", "cwe_ids": ["CWE-79", "CWE-bogus"]}),
    record("PYSEC-2021-2", "webthing", [{"introduced": "1.0"}, {"fixed": "1.5"}],
           aliases=["CVE-2021-2"],
           severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]),
    record("PYSEC-2019-3", "webthing", [{"introduced": "0"}, {"fixed": "0.5"}]),
    record("MAL-2024-9", "evilthing", [{"introduced": "0"}]),
    record("PYSEC-2022-4", "oldlib", [{"introduced": "0"}]),
    record("PYSEC-2022-5", "oldlib", [{"introduced": "0"}, {"fixed": "2.0"}],
           withdrawn="2023-01-01T00:00:00Z"),
]  # fmt: skip


def store() -> InMemoryAdvisoryStore:
    return InMemoryAdvisoryStore(parse_advisory(r) for r in RECORDS)


def dep(name: str, version: str, *, path: str = "", line: int = 0) -> Dependency:
    return Dependency(
        name=canonicalize_name(name),
        version=version,
        kind=DependencyKind.PINNED,
        origin=f"{path}:{line}" if path else "test",
        display_name=name,
        requirement=f"{name}=={version}",
        path=path,
        line=line,
    )


def inputs(*deps: Dependency) -> InputSet:
    return InputSet(dependencies=deps, sources=("test",))
