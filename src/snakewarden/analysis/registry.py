"""Rule discovery: every module in ``snakewarden.analysis.rules`` defines ``RULE``; third-party
rules come from the entry-point group ``snakewarden.rules.v1``.

Module names use underscores (Python identifiers); a rule's id is the kebab-case form of its
module stem: ``rules/process_exec.py`` defines the rule ``process-exec``, whose tests live in
``tests/rules/process-exec/``. Modules starting with ``_`` are helpers, not rules.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from importlib.metadata import entry_points

from snakewarden.analysis import rules as _rules_pkg
from snakewarden.analysis.rule import Rule

ENTRY_POINT_GROUP = "snakewarden.rules.v1"


def rule_id_for_module(stem: str) -> str:
    """``process_exec`` -> ``process-exec``."""
    return stem.replace("_", "-")


@cache
def builtin_rules() -> tuple[Rule, ...]:
    found: list[Rule] = []
    for info in sorted(pkgutil.iter_modules(_rules_pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_rules_pkg.__name__}.{info.name}")
        rule: Rule = module.RULE
        if rule.meta.id != rule_id_for_module(info.name):
            raise RuntimeError(f"rule module {info.name} defines id {rule.meta.id!r}")
        found.append(rule)
    found.extend(ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP))
    return tuple(found)
