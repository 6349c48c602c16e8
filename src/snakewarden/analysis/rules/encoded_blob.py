"""encoded-blob: very long encoded or high-entropy literals, and chr()-built strings."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import (
    DECODE_CALLS,
    DECODE_METHODS,
    Emitter,
    best_per_file,
    group_calls,
    parsed,
)
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="encoded-blob",
    description="holds a very long base64/hex/high-entropy literal or a chr()-built string",
    severity=Severity.MEDIUM,
    category="threat.obfuscation.blob",
)
MIN_BLOB = 1000
_B64 = re.compile(r"[A-Za-z0-9+/=_\-\s]+")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2}|\\x[0-9a-fA-F]{2})+")


def entropy(text: str) -> float:
    if not text:
        return 0.0
    counts = Counter(text[:20_000])
    n = sum(counts.values())
    return -sum(c / n * math.log2(c / n) for c in counts.values())


MIN_PADDING = 50_000


def _repetitive(text: str) -> bool:
    """True when ``text`` is mostly one short pattern repeated (padding)."""
    sample = text[:4096]
    for period in range(1, 65):
        unit = sample[:period]
        if (unit * (len(sample) // period + 1))[: len(sample)] == sample:
            return True
    return False


def _kind(text: str) -> str | None:
    sample = text[:20_000]
    if " " in sample[:2000].strip() and sample.count(" ") > len(sample) / 50:
        return None  # prose, SQL, templates
    if _HEX.fullmatch(sample.strip()):
        return "hex"
    if _B64.fullmatch(sample):
        return "base64"
    if entropy(sample) > 5.2:
        return "high-entropy"
    return None


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            groups = group_calls(src)
            decoding = {
                gid
                for gid, calls in groups.items()
                if any(
                    c.name in DECODE_CALLS or c.name.rsplit(".", 1)[-1] in DECODE_METHODS
                    for c in calls
                )
            }
            for s in facts.strings:
                if len(s.value) < MIN_BLOB:
                    continue
                kind = _kind(s.value)
                if kind is None and len(s.value) >= MIN_PADDING and _repetitive(s.value):
                    out.append(
                        emit.at(
                            src,
                            s.line,
                            s.scope,
                            0.35,
                            f"{len(s.value)}-char literal of one repeated pattern (padding "
                            "that pushes code out of sight)",
                            floor=0.7,
                            evidence=s.value[:80],
                        )
                    )
                    continue
                if kind is None:
                    continue
                decoded_here = facts.top_function(s.scope) in decoding
                base = 0.4 if decoded_here else 0.2
                out.append(
                    emit.at(
                        src,
                        s.line,
                        s.scope,
                        base,
                        f"{len(s.value)}-char {kind} literal"
                        + (" decoded in the same code" if decoded_here else ""),
                        floor=0.4,
                        evidence=s.value[:120],
                    )
                )
            for gid, calls in groups.items():
                chrs = [c for c in calls if c.name == "chr"]
                if len(chrs) >= 40:
                    c = chrs[0]
                    out.append(
                        emit.at(
                            src,
                            c.line,
                            c.scope,
                            0.25,
                            f"string built from {len(chrs)} chr() calls",
                            floor=0.4,
                        )
                    )
                _ = gid
        yield from best_per_file(out)


RULE = _Rule()
