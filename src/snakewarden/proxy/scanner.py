"""The scanner port over the scanner core's public API (``read_artifact`` + ``analyze``)."""

from __future__ import annotations

import hashlib

from snakewarden import __version__
from snakewarden.analysis import analyze
from snakewarden.artifacts import Limits, read_artifact
from snakewarden.core.models import Finding, ScanResult, Verdict
from snakewarden.errors import SnakewardenError

MAX_REASONS = 5


class AnalysisScanner:
    """Reads the bytes as a distribution (never extracting or running anything) and judges them."""

    def __init__(self, limits: Limits | None = None) -> None:
        self._limits = limits

    @property
    def version(self) -> str:
        return f"snakewarden {__version__}"

    def scan(self, data: bytes, filename: str) -> ScanResult:
        try:
            artifact = read_artifact(data, filename, self._limits)
            return analyze(artifact, target=filename)
        except SnakewardenError as exc:
            message = exc.message
        except Exception as exc:  # fail closed: a scanner bug must not wave a file through
            message = f"the scanner failed: {type(exc).__name__}: {exc}"
        return ScanResult(
            target=filename,
            verdict=Verdict.ERROR,
            score=0.0,
            sha256=hashlib.sha256(data).hexdigest(),
            error=message[:500],
        )


def _describe(f: Finding) -> str:
    where = (
        f.file.split("/", 1)[1]
        if f.file.count("/") >= 1 and "-" in f.file.split("/")[0]
        else f.file
    )
    loc = f"{where}:{f.line}" if where and f.line else where
    text = f"{f.message} [{f.rule}]"
    return f"{loc}: {text}" if loc else text


def reasons_of(result: ScanResult) -> tuple[str, ...]:
    """Short human reasons for a verdict: the heaviest findings, or the error."""
    if result.verdict is Verdict.ERROR:
        return (result.error or "unreadable",)
    weighted = [f for f in result.findings if f.weight > 0]
    weighted.sort(key=lambda f: -f.weight)
    seen: dict[str, None] = {}
    for f in weighted:
        seen.setdefault(_describe(f)[:300])
        if len(seen) >= MAX_REASONS:
            break
    return tuple(seen)
