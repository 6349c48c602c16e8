"""in-tree-backend: pyproject.toml builds with a backend shipped inside the sdist itself."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext, make_finding
from snakewarden.analysis.rule import RuleMeta
from snakewarden.core.models import Finding, Phase, Severity

META = RuleMeta(
    id="in-tree-backend",
    description="the build backend is code inside the sdist (backend-path): it runs on install",
    severity=Severity.LOW,
    category="context.install.backend",
)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        for backend, dirs in ctx.build_backends():
            if not dirs:
                continue
            yield make_finding(
                META.id,
                META.category,
                META.severity,
                f"in-tree build backend {backend!r} from backend-path {dirs!r}",
                file=(ctx.artifact.root or "") + "pyproject.toml",
                line=0,
                evidence=f"build-backend = {backend!r}, backend-path = {dirs!r}"[:200],
                base=0.05,
                phase=Phase.INSTALL,
                role="backend",
            )


RULE = _Rule()
