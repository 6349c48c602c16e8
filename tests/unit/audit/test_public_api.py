from __future__ import annotations

import snakewarden.advisories
import snakewarden.audit


def test_public_names_are_pinned() -> None:
    assert snakewarden.advisories.__all__ == [
        "Advisory", "AdvisoryId", "affects", "merge_aliases", "parse_advisory", "smallest_fix",
    ]  # fmt: skip
    assert snakewarden.audit.__all__ == [
        "AuditFinding", "AuditOptions", "AuditReport", "Dependency", "FindingKind", "InputSet",
        "audit", "merge_inputs",
    ]  # fmt: skip
    for module in (snakewarden.advisories, snakewarden.audit):
        for name in module.__all__:
            assert getattr(module, name) is not None
