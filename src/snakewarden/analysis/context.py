"""What rules see: the artifact, plus lazily parsed Python sources."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from snakewarden.artifacts.model import Artifact, Member


@dataclass
class ScanContext:
    artifact: Artifact
    _trees: dict[str, ast.Module | None] = field(default_factory=dict)

    def python_members(self) -> list[Member]:
        return [m for m in self.artifact.members if m.suffix in (".py", ".pyw") and m.complete]

    def tree(self, member: Member) -> ast.Module | None:
        """The parsed module, or None when it does not parse (parsed once per scan)."""
        if member.path not in self._trees:
            try:
                self._trees[member.path] = ast.parse(member.data)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._trees[member.path] = None
        return self._trees[member.path]
