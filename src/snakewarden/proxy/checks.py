"""Adapters from other parts of snakewarden to the proxy's optional check ports.

- ``PopularNameChecker``: the confusable-name checker of ``snakewarden.names``;
- ``AdvisoryVulnerabilityLookup``: the local advisory database of ``snakewarden.advisories``
  (``snakewarden osv import`` fills it);
- ``ProvenanceVerifier``: PEP 740 verification by ``snakewarden.provenance`` (Sigstore, offline
  trust root).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from packaging.utils import NormalizedName, canonicalize_name

from snakewarden.core.models import Severity
from snakewarden.errors import SnakewardenError

if TYPE_CHECKING:
    from snakewarden.advisories.interfaces import AdvisoryStore
    from snakewarden.advisories.model import Advisory
    from snakewarden.names import NameChecker as PopularNames


class PopularNameChecker:
    """``confusable_with`` over ``snakewarden.names``; results are memoized (names repeat)."""

    def __init__(self, checker: PopularNames) -> None:
        self._checker = checker
        self._memo: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def confusable_with(self, name: str) -> str | None:
        canon = canonicalize_name(name)
        with self._lock:
            if canon in self._memo:
                return self._memo[canon]
        verdict = self._checker.check(canon)
        target = verdict.similar_to[0] if verdict.confusable and verdict.similar_to else None
        with self._lock:
            if len(self._memo) > 100_000:
                self._memo.clear()
            self._memo[canon] = target
        return target


class StaticNameChecker:
    """A fixed map of confusable names to their targets (tests, small deployments)."""

    def __init__(self, confusables: dict[str, str]) -> None:
        self._map = {canonicalize_name(k): v for k, v in confusables.items()}

    def confusable_with(self, name: str) -> str | None:
        return self._map.get(canonicalize_name(name))


def _severity(rating: str) -> Severity | None:
    try:
        return Severity(rating.lower())
    except ValueError:
        return None


class AdvisoryVulnerabilityLookup:
    """Known vulnerabilities of a release from an ``AdvisoryStore`` (withdrawn ones ignored)."""

    def __init__(self, store: AdvisoryStore, *, ttl: float = 300.0) -> None:
        self._store = store
        self._ttl = ttl
        self._memo: dict[str, tuple[float, Sequence[Advisory]]] = {}
        self._lock = threading.Lock()

    def _advisories(self, canon: NormalizedName) -> Sequence[Advisory]:
        """The project's advisories, kept ``ttl`` seconds (a page lists many versions)."""
        now = time.monotonic()
        with self._lock:
            hit = self._memo.get(canon)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        found = self._store.advisories_for([canon]).get(canon, ())
        with self._lock:
            if len(self._memo) > 10_000:
                self._memo.clear()
            self._memo[canon] = (now, found)
        return found

    def vulnerabilities(self, name: str, version: str) -> tuple[tuple[str, Severity | None], ...]:
        from snakewarden.advisories.matching import affects
        from snakewarden.advisories.severity import advisory_severity

        canon = canonicalize_name(name)
        found = []
        for advisory in self._advisories(canon):
            if advisory.is_withdrawn or not affects(advisory, canon, version):
                continue
            found.append((str(advisory.id), _severity(advisory_severity(advisory)[0])))
        return tuple(found)


class StaticVulnerabilityLookup:
    """Fixed answers: ``{("name", "version"): [(id, severity)]}`` (tests)."""

    def __init__(self, table: dict[tuple[str, str], list[tuple[str, Severity | None]]]) -> None:
        self._table = {(canonicalize_name(n), v): tuple(x) for (n, v), x in table.items()}

    def vulnerabilities(self, name: str, version: str) -> tuple[tuple[str, Severity | None], ...]:
        return self._table.get((canonicalize_name(name), version), ())


class ProvenanceVerifier:
    """PEP 740 provenance verification by ``snakewarden.provenance`` (Sigstore)."""

    def __init__(self, verifier: Any = None) -> None:
        if verifier is None:
            from snakewarden.provenance.verify import SigstoreAttestationVerifier

            verifier = SigstoreAttestationVerifier()
        self._verifier = verifier

    def verify(
        self, provenance: bytes, filename: str, sha256: str, repository: str | None = None
    ) -> str | None:
        from snakewarden.provenance.check import verify_distribution
        from snakewarden.provenance.model import DistributionFile
        from snakewarden.provenance.parse import parse_provenance

        try:
            doc = parse_provenance(provenance)
            report = verify_distribution(
                DistributionFile(filename, sha256), doc, self._verifier, repository=repository
            )
        except SnakewardenError as exc:
            return f"provenance did not verify: {exc.message}"
        except ValueError as exc:
            return f"provenance is unreadable: {exc}"
        if report.verified:
            return None
        return "provenance did not verify: " + "; ".join(report.problems[:3])
