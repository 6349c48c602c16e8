"""Audit what a project installs: inputs (requirements, lock files, environments) → findings.

Public entry points: ``audit(inputs, store, ...) -> AuditReport`` (``auditor``), the input
readers ``read_requirements`` (``requirements``), ``read_lock``/``read_pyproject``
(``lockfiles``), ``current_environment``/``python_environment`` (``environment``), and
``apply_fixes`` (``fix``). ``snakewarden audit`` is the command-line face.
"""

from snakewarden.audit.auditor import AuditOptions, audit, merge_inputs
from snakewarden.audit.model import AuditFinding, AuditReport, Dependency, FindingKind, InputSet

__all__ = [
    "AuditFinding",
    "AuditOptions",
    "AuditReport",
    "Dependency",
    "FindingKind",
    "InputSet",
    "audit",
    "merge_inputs",
]
