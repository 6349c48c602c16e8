"""Signs outside the code (pure): metadata heuristics and dependency confusion.

Public API (the scanner, the index and the audit call it):

- ``metadata_findings(MetadataContext(metadata, members=..., names=..., ...)) -> list[Finding]``:
  empty description; a description copied from the imitated project; author or maintainer mail
  at a disposable domain, or at a lapsed one (through the ``DomainChecker`` port: offline the
  ``NullDomainChecker`` never knows, so that sign needs an online checker); project URLs
  pointing at another popular project's repository (starjacking); a summary imitating a popular
  project; a one-module distribution; a release after years of silence. Weights are small and
  capped together below ``METADATA_BUDGET`` (0.4 < the 0.5 ``suspicious`` threshold): metadata
  alone never makes a package ``suspicious``, and a popular project's signs are cut to 0.05 each.
- ``dependency_confusion_findings(name, version, private=..., history=...)``: a public project
  taking a configured private name; probe versions (99.x, 999.x, 1337.x...); versions jumping far
  above the project's history.
- ``load_private_names(environ, home)`` / ``parse_private_config(text)`` /
  ``private_names_from_env(environ)``: the ``[private]`` table of ``config.toml`` (or
  ``$SNAKEWARDEN_CONFIG``) plus ``SNAKEWARDEN_PRIVATE_NAMES`` / ``SNAKEWARDEN_PRIVATE_PREFIXES``.

Findings reach the verdict through ``snakewarden.analysis.analyze(artifact, target=...,
extra=findings)``.
"""

from snakewarden.metadata.config import (
    ConfigError,
    PrivateNames,
    load_private_names,
    parse_private_config,
    private_names_from_env,
)
from snakewarden.metadata.confusion import dependency_confusion_findings, is_probe_version
from snakewarden.metadata.heuristics import (
    METADATA_BUDGET,
    MetadataContext,
    cap_weights,
    disposable_domains,
    metadata_findings,
)
from snakewarden.metadata.interfaces import DomainChecker, InMemoryDomainChecker, NullDomainChecker

__all__ = [
    "METADATA_BUDGET",
    "ConfigError",
    "DomainChecker",
    "InMemoryDomainChecker",
    "MetadataContext",
    "NullDomainChecker",
    "PrivateNames",
    "cap_weights",
    "dependency_confusion_findings",
    "disposable_domains",
    "is_probe_version",
    "load_private_names",
    "metadata_findings",
    "parse_private_config",
    "private_names_from_env",
]
