"""Release-to-release provenance comparison. Pure.

A project that has published through Trusted Publishing with attestations and then ships a
release without them, or from another repository or workflow, shows a classic sign of a stolen
API token or account. :func:`compare_provenance` turns that into findings for the release-history
check (``snakewarden.history``)::

    from snakewarden.provenance.history import ProvenanceSnapshot, compare_provenance

    previous = [ProvenanceSnapshot("1.0", attested=True, publisher=gh), ...]   # older releases
    findings = compare_provenance(previous, ProvenanceSnapshot("1.1", attested=False))

Build snapshots from verified reports (:func:`snapshot_from_report`), from an index's provenance
objects (:func:`snapshot_from_provenance`), or by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from snakewarden.core.models import Finding, Severity
from snakewarden.provenance.model import Publisher, VerificationReport

if TYPE_CHECKING:  # parsing pulls in pydantic and sigstore: keep this module light
    from snakewarden.provenance.parse import ProvenanceDoc


@dataclass(frozen=True, slots=True)
class ProvenanceSnapshot:
    """What one release's provenance says.

    ``version``: the release's version string. ``attested``: every file of the release (or the
    one file looked at) carries a verified attestation. ``publisher``: who signed (None when not
    attested, or when the signer is no known Trusted Publisher).
    """

    version: str
    attested: bool
    publisher: Publisher | None = None


def snapshot_from_report(version: str, report: VerificationReport | None) -> ProvenanceSnapshot:
    """A snapshot from a verification report (None: the release had no provenance)."""
    if report is None or not report.verified:
        return ProvenanceSnapshot(version, attested=False)
    return ProvenanceSnapshot(version, attested=True, publisher=report.publisher)


def snapshot_from_provenance(version: str, document: ProvenanceDoc | None) -> ProvenanceSnapshot:
    """A snapshot from an index's provenance object, trusting the index's word (not verified)."""
    if document is None or not document.bundles:
        return ProvenanceSnapshot(version, attested=False)
    return ProvenanceSnapshot(version, attested=True, publisher=document.bundles[0].publisher)


def _ordered(previous: Sequence[ProvenanceSnapshot]) -> list[ProvenanceSnapshot]:
    """Oldest first: by PEP 440 version when all parse, else in the order given."""
    try:
        return sorted(previous, key=lambda s: Version(s.version))
    except InvalidVersion:
        return list(previous)


def compare_provenance(
    previous: Sequence[ProvenanceSnapshot], current: ProvenanceSnapshot
) -> list[Finding]:
    """Findings for ``current`` given the releases before it.

    * ``provenance-missing``: not attested, though the latest N predecessors were;
    * ``provenance-publisher-changed``: attested from another platform, repository or account
      than the latest attested predecessor;
    * ``provenance-workflow-changed``: same repository, another workflow or environment.
    """
    history = _ordered([s for s in previous if s.version != current.version])
    findings: list[Finding] = []
    streak = 0
    for snap in reversed(history):
        if not snap.attested:
            break
        streak += 1
    last_attested = next((s for s in reversed(history) if s.attested and s.publisher), None)
    if not current.attested:
        if streak:
            last = history[-1]
            by = f" by {last.publisher.describe()}" if last.publisher else ""
            plural = "predecessor was" if streak == 1 else f"{streak} predecessors were"
            findings.append(
                Finding(
                    rule="provenance-missing",
                    category="provenance.missing",
                    severity=Severity.HIGH if streak >= 2 else Severity.MEDIUM,
                    message=(
                        f"release {current.version} is not attested though its {plural} "
                        f"(latest: {last.version}{by}): it may not come from the project's CI"
                    ),
                    evidence=last.version,
                    weight=0.5 if streak >= 3 else (0.35 if streak == 2 else 0.25),
                )
            )
        return findings
    if current.publisher is None or last_attested is None or last_attested.publisher is None:
        return findings
    before, now = last_attested.publisher, current.publisher
    if not now.same_source(before):
        findings.append(
            Finding(
                rule="provenance-publisher-changed",
                category="provenance.publisher-changed",
                severity=Severity.HIGH,
                message=(
                    f"publisher changed from {before.describe()} (release "
                    f"{last_attested.version}) to {now.describe()} (release {current.version})"
                ),
                evidence=f"{before.describe()} -> {now.describe()}",
                weight=0.5,
            )
        )
    elif (before.workflow.lower(), before.environment) != (now.workflow.lower(), now.environment):
        findings.append(
            Finding(
                rule="provenance-workflow-changed",
                category="provenance.workflow-changed",
                severity=Severity.MEDIUM,
                message=(
                    f"publishing workflow changed from {before.describe()} (release "
                    f"{last_attested.version}) to {now.describe()} (release {current.version})"
                ),
                evidence=f"{before.describe()} -> {now.describe()}",
                weight=0.25,
            )
        )
    return findings
