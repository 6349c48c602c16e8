"""Confusable-name detection (typosquats), pure apart from reading its package data.

Public API (stable; the index refuses confusable new project names with it, the audit flags
confusable pinned names, the scanner adds a finding):

- ``load_default_checker(data_dir=None) -> NameChecker``: the checker over the ranked list of
  popular names. Pass ``snakewarden.adapters.home.home_dir()`` as ``data_dir`` so that a list
  refreshed by ``snakewarden data update`` wins over the one shipped as package data. Building
  takes about a second; build once and share the checker (it is read-only after construction).
- ``NameChecker(popular, extra_targets=())``: built from any ranked list (most popular first).
  ``check(name) -> NameVerdict``; ``is_popular(name)``; ``rank(name)``.
- ``NameVerdict``: ``name`` (canonical), ``verdict`` (``NameStatus.OK``/``CONFUSABLE``),
  ``similar_to`` (popular names, best first), ``kinds`` (``Kind`` values such as ``omission``,
  ``transposition``, ``look-alike``, ``affix``), ``score`` in 0..1, ``to_dict()``, and
  ``finding()`` (a ``Finding`` for ``analyze(..., extra=...)``, or None when ``ok``).
- ``anomaly_name_check(data_dir=None)``: a plain ``name -> imitated popular name | None``.
- ``parse_ranked_list(bytes)`` / ``read_ranked_list(path)``: TSV, bare names or the
  top-pypi-packages JSON; raise ``NameListError`` (a ``UsageError``).

A name that is itself popular, or a member of a legitimate family (``types-*``, ``django-*``,
``pytest-*``, ``mypy-boto3-*``...; see ``families``), is ``ok``.
"""

from snakewarden.names.checker import CONFUSABLE_AT, Kind, NameChecker, NameStatus, NameVerdict
from snakewarden.names.loader import (
    NameListError,
    anomaly_name_check,
    load_default_checker,
    parse_ranked_list,
    read_ranked_list,
    shipped_list,
)

__all__ = [
    "CONFUSABLE_AT",
    "Kind",
    "NameChecker",
    "NameListError",
    "NameStatus",
    "NameVerdict",
    "anomaly_name_check",
    "load_default_checker",
    "parse_ranked_list",
    "read_ranked_list",
    "shipped_list",
]
