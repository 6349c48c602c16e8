"""credential-access: reads where secrets live: SSH/cloud keys, browser stores, Discord, wallets."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter
from snakewarden.analysis.signatures import YaraHit
from snakewarden.artifacts.model import Member
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="credential-access",
    description="touches stores of secrets: SSH/cloud credentials, browser data, Discord, wallets",
    severity=Severity.HIGH,
    category="threat.secrets.files",
)
_DOCS = (".md", ".rst", ".txt", ".html", ".ipynb", ".json", ".yml", ".yaml")


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        per_file: dict[str, tuple[Member, list[YaraHit]]] = {}
        for m, h in ctx.yara_hits("sw_credential_paths", "sw_browser_profiles"):
            if m.path.endswith(_DOCS):
                continue
            per_file.setdefault(m.path, (m, []))[1].append(h)
        for m, hits in per_file.values():
            kinds = {(h.rule, h.string) for h in hits}
            n = len(kinds)
            base = 0.3 if n == 1 else 0.55 if n == 2 else 0.75
            names = ", ".join(sorted(h.matched.decode("utf-8", "replace")[:40] for h in hits)[:4])
            yield emit.in_member(
                ctx, m, hits[0], base, f"touches {n} kind(s) of secret stores ({names})", floor=0.35
            )


RULE = _Rule()
