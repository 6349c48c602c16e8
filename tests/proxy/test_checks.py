"""The adapters to the other parts of snakewarden: names, advisories, provenance."""

from __future__ import annotations

from pathlib import Path

import pytest

from snakewarden.advisories.parse import parse_advisory
from snakewarden.advisories.store import InMemoryAdvisoryStore
from snakewarden.core.models import Severity
from snakewarden.names import NameChecker
from snakewarden.proxy.checks import (
    AdvisoryVulnerabilityLookup,
    PopularNameChecker,
    ProvenanceVerifier,
)

OSV = {
    "id": "PYSEC-0000-99",
    "modified": "2024-01-01T00:00:00Z",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "Demo_Pkg"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}],
        }
    ],
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
}


def test_advisory_lookup_matches_versions_and_rates_them() -> None:
    withdrawn = {**OSV, "id": "PYSEC-0000-98", "withdrawn": "2024-02-01T00:00:00Z"}
    store = InMemoryAdvisoryStore([parse_advisory(OSV), parse_advisory(withdrawn)])
    lookup = AdvisoryVulnerabilityLookup(store)
    assert lookup.vulnerabilities("demo-pkg", "1.5") == (("PYSEC-0000-99", Severity.CRITICAL),)
    assert lookup.vulnerabilities("demo-pkg", "2.0") == ()
    assert lookup.vulnerabilities("other", "1.0") == ()


def test_popular_name_checker() -> None:
    checker = PopularNameChecker(NameChecker(["requests", "numpy", "django"]))
    assert checker.confusable_with("reqeusts") == "requests"
    assert checker.confusable_with("requests") is None
    assert checker.confusable_with("reqeusts") == "requests"  # memoized


def test_provenance_verifier_on_real_material(shared_data: Path) -> None:
    folder = shared_data / "provenance"
    provenance = (folder / "sigstore-3.6.1.tar.gz.provenance").read_bytes()
    dist = next(folder.glob("sigstore-3.6.1.tar.gz"), None)
    if dist is None:
        pytest.skip("the distribution file is not in ../shared/data/provenance")
    import hashlib

    sha = hashlib.sha256(dist.read_bytes()).hexdigest()
    verifier = ProvenanceVerifier()
    assert verifier.verify(provenance, "sigstore-3.6.1.tar.gz", sha) is None
    failure = verifier.verify(provenance, "sigstore-3.6.1.tar.gz", "0" * 64)
    assert failure is not None
    assert "did not verify" in failure
    assert verifier.verify(b"not json", "x-1.0.tar.gz", sha) is not None
    repo = "https://github.com/sigstore/sigstore-python"
    assert verifier.verify(provenance, "sigstore-3.6.1.tar.gz", sha, repo) is None
    fork = verifier.verify(provenance, "sigstore-3.6.1.tar.gz", sha, "https://github.com/evil/fork")
    assert fork is not None
    assert "expected repository" in fork
