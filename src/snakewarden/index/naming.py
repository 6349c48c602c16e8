"""The rule for NEW project names: not confusable with a popular PyPI project, nor with a
project already on this index (``snakewarden.names`` does the judging)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from packaging.utils import canonicalize_name

from snakewarden.names import NameChecker


class ConfusableNameChecker:
    """Implements ``interfaces.NameChecker`` with ``snakewarden.names.NameChecker``s: one over
    the popular list (optional) and one over this index's own projects (rebuilt on change)."""

    def __init__(self, popular: NameChecker | None) -> None:
        self.popular = popular
        self._lock = threading.Lock()
        self._local_key: tuple[str, ...] = ()
        self._local: NameChecker | None = None

    def _local_checker(self, existing: Sequence[str]) -> NameChecker | None:
        key = tuple(sorted(existing))
        if not key:
            return None
        with self._lock:
            if key != self._local_key or self._local is None:
                self._local = NameChecker(list(key), family_prefixes=frozenset())
                self._local_key = key
            return self._local

    def check(self, name: str, existing: Sequence[str]) -> str | None:
        canonical = canonicalize_name(name)
        if self.popular is not None:
            verdict = self.popular.check(name)
            if verdict.confusable:
                target = verdict.similar_to[0]
                return (
                    f"it is too similar to the popular project {target!r} "
                    f"({', '.join(verdict.kinds)}); choose a clearly different name"
                )
        local = self._local_checker([n for n in existing if n != canonical])
        if local is not None:
            verdict = local.check(name)
            if verdict.confusable:
                target = verdict.similar_to[0]
                return (
                    f"it is too similar to the existing project {target!r} on this index "
                    f"({', '.join(verdict.kinds)}); choose a clearly different name"
                )
        return None
