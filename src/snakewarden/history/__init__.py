"""Release history (pure): what a release adds to the earlier releases of its project.

Public API (``snakewarden scan NAME==VERSION --history`` and the index's upload pipeline):

- ``snapshot(artifact, result, uploaded=None) -> ReleaseSnapshot``: a release reduced to its
  capabilities by phase (from the ``threat.*`` findings of ``analyze``), install hooks, ``.pth``
  files, binaries, dependencies, people, mail and URLs;
- ``compare(previous, current, names=None) -> list[Finding]``: new install-time code (amplified:
  a project whose history had none is strong evidence), new process/network/obfuscation
  capabilities, a new ``.pth``, a new bundled binary, new (above all confusable) dependencies,
  changed maintainers, author mail or URLs. Feed the findings to
  ``snakewarden.analysis.analyze(artifact, target=..., extra=findings)`` or ``judge``.
"""

from snakewarden.history.compare import compare
from snakewarden.history.snapshot import Capability, ReleaseSnapshot, capability_of, snapshot

__all__ = ["Capability", "ReleaseSnapshot", "capability_of", "compare", "snapshot"]
