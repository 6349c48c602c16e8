"""Static analysis of an artifact: rules produce findings, scoring turns them into a verdict.

Public entry points (stable; the CLI, the index, the proxy and the audit call them):

- ``analyze(artifact, target=...) -> ScanResult``: run every registered rule and judge.
- ``judge(findings) -> (score, verdict)``: the verdict for any list of findings, so that
  findings from elsewhere (metadata, names, history, provenance) feed the same scale.
"""

from snakewarden.analysis.engine import analyze, judge

__all__ = ["analyze", "judge"]
