"""Rule discovery: every module in ``snakewarden.analysis.rules`` defines ``RULE``; third-party
rules come from the entry-point group ``snakewarden.rules.v1``."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from importlib.metadata import entry_points

from snakewarden.analysis import rules as _rules_pkg
from snakewarden.analysis.rule import Rule

ENTRY_POINT_GROUP = "snakewarden.rules.v1"


@cache
def builtin_rules() -> tuple[Rule, ...]:
    found: list[Rule] = []
    for info in sorted(pkgutil.iter_modules(_rules_pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_rules_pkg.__name__}.{info.name}")
        found.append(module.RULE)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.append(ep.load())
    return tuple(found)
