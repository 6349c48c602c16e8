"""``--scan``: download each pinned release from the index, verify it, run the scanner."""

from __future__ import annotations

from collections.abc import Sequence

from snakewarden.adapters.pypi import IndexClient
from snakewarden.analysis import analyze
from snakewarden.artifacts import read_artifact
from snakewarden.audit.model import AuditFinding, Dependency, FindingKind
from snakewarden.core.models import Verdict
from snakewarden.errors import FetchError, ScanError

_TOP = 3


class IndexReleaseScanner:
    """``ReleaseScanner`` over an index client (its downloads are checked against the index's
    digests); the requirement's own ``--hash`` values are checked too when it has any."""

    def __init__(self, index: IndexClient) -> None:
        self._index = index

    def scan(self, dependency: Dependency) -> Sequence[AuditFinding]:
        name = dependency.display_name or dependency.name
        download = self._index.fetch(name, dependency.version)
        allowed = {h.split(":", 1)[1] for h in dependency.hashes if h.startswith("sha256:")}
        if allowed and download.sha256 not in allowed:
            raise FetchError(
                f"{download.filename}: sha256 {download.sha256} matches none of the requirement's "
                "--hash values",
                hint="the index serves a different file than the one you locked, or it changed",
            )
        artifact = read_artifact(download.data, download.filename)
        result = analyze(artifact, target=download.filename)
        if result.verdict is Verdict.ERROR:
            raise ScanError(f"{download.filename}: {result.error or 'the scanner failed'}")
        if result.verdict is Verdict.CLEAN:
            return ()
        top = "; ".join(f"{f.rule}: {f.message}" for f in result.findings[:_TOP])
        return (
            AuditFinding(
                kind=FindingKind.SCAN,
                id=f"scan-{result.verdict.value}",
                title=f"the scanner judged {download.filename} {result.verdict.value} "
                f"(score {result.score:.2f}): {top}",
                severity="critical" if result.verdict is Verdict.MALICIOUS else "medium",
            ),
        )
