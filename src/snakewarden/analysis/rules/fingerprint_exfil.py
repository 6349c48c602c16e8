"""fingerprint-exfil: user, host or network identity is collected and sent out."""

from __future__ import annotations

import re
from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext
from snakewarden.analysis.facts import CallFact
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import (
    IDENTITY_STRONG,
    Emitter,
    best_per_file,
    group_calls,
    group_strings,
    is_process,
    is_send,
    parsed,
)
from snakewarden.analysis.rules.process_exec import RECON_TOOLS, _command_text, _first_word
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="fingerprint-exfil",
    description="collects the user name, host name, address or directory and sends it out",
    severity=Severity.HIGH,
    category="threat.network.fingerprint_exfil",
)


_IP_LOOKUP = re.compile(
    r"api[0-9]?\.ipify\.org|ipinfo\.io|ifconfig\.me|checkip\.amazonaws\.com|ip-api\.com|"
    r"icanhazip\.com|myexternalip\.com|geolocation-db\.com|ipapi\.co|wtfismyip\.com",
    re.IGNORECASE,
)


def _ip_lookup(strings: list[str]) -> bool:
    return any(len(s) < 500 and _IP_LOOKUP.search(s) for s in strings)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, _facts in parsed(ctx):
            groups = group_calls(src)
            strings = group_strings(src)
            if src.role in (Role.SETUP, Role.BACKEND, Role.PTH):
                groups = {0: [c for cs in groups.values() for c in cs]}
                strings = {0: [s for ss in strings.values() for s in ss]}
            for gid, calls in groups.items():
                ident = {c.name for c in calls if c.name in IDENTITY_STRONG}
                ident |= {
                    f"{_first_word(cmd)} command"
                    for c in calls
                    if is_process(c)
                    and (cmd := _command_text(c.node)) is not None
                    and _first_word(cmd) in RECON_TOOLS
                }
                send: CallFact | None = next((c for c in calls if is_send(c)), None)
                if send is None:
                    continue
                if _ip_lookup(strings.get(gid, [])):
                    ident.add("public IP lookup")
                if not ident:
                    continue
                base = min(0.75, 0.45 + 0.1 * len(ident))
                out.append(
                    emit.at(
                        src,
                        send.line,
                        send.scope,
                        base,
                        f"sends system identity ({', '.join(sorted(ident))}) via {send.name}",
                        floor=0.35,
                    )
                )
        yield from best_per_file(out)


RULE = _Rule()
