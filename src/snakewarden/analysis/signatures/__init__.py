"""YARA signatures (``*.yar`` in this folder), compiled once per process.

Each YARA rule is named ``sw_<theme>``; the ast/YARA rules in ``analysis/rules`` consume the hits
by YARA rule name. ``sw_prefilter`` is not a detection: it marks files worth parsing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yara

__all__ = ["YaraHit", "compiled_rules", "scan_bytes"]

#: At most this many matched instances are kept per YARA string (the first ones).
MAX_INSTANCES = 4
TIMEOUT_SECONDS = 5


@dataclass(frozen=True, slots=True)
class YaraHit:
    rule: str  # YARA rule name, e.g. "sw_exfil_endpoint"
    string: str  # the string identifier, e.g. "$discord"
    offset: int
    matched: bytes  # at most 200 bytes
    tags: tuple[str, ...] = ()


@cache
def compiled_rules() -> Any:
    """All ``*.yar`` files of this package compiled together (once per process)."""
    sources: dict[str, str] = {}
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yar"):
            sources[entry.name.removesuffix(".yar")] = entry.read_text(encoding="utf-8")
    return yara.compile(sources=sources)


def scan_bytes(data: bytes) -> list[YaraHit]:
    """The YARA hits in ``data`` (a timeout or scan error yields no hits, never an exception)."""
    try:
        matches = compiled_rules().match(data=data, timeout=TIMEOUT_SECONDS)
    except yara.Error:
        return []
    hits: list[YaraHit] = []
    for m in matches:
        for s in m.strings:
            for inst in s.instances[:MAX_INSTANCES]:
                hits.append(  # noqa: PERF401
                    YaraHit(
                        m.rule,
                        s.identifier,
                        inst.offset,
                        bytes(inst.matched_data[:200]),
                        tuple(m.tags),
                    )
                )
        if not m.strings:
            hits.append(YaraHit(m.rule, "", 0, b"", tuple(m.tags)))
    return hits
