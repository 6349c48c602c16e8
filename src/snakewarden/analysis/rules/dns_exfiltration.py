"""dns-exfiltration: data is smuggled out in DNS names built at run time."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, parsed, subcalls
from snakewarden.analysis.rules._flow import local_name
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="dns-exfiltration",
    description="resolves host names built from data under a remote domain: DNS tunnelling",
    severity=Severity.HIGH,
    category="threat.network.dns_exfil",
)
_RESOLVE = frozenset(
    {
        "socket.gethostbyname",
        "socket.getaddrinfo",
        "socket.gethostbyname_ex",
        "dns.resolver.resolve",
        "dns.resolver.query",
        "socket.gethostbyaddr",
    }
)
_ENCODE = ("hex", "b32encode", "b64encode", "hexlify", "urlsafe_b64encode", "b16encode")


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            for call in facts.calls:
                last = call.name.rsplit(".", 1)[-1]
                if call.name not in _RESOLVE and last not in ("resolve", "query"):
                    continue
                if not call.node.args:
                    continue
                host = call.node.args[0]
                if not isinstance(host, ast.JoinedStr | ast.BinOp | ast.Call):
                    continue
                if local_name(host):
                    continue
                inner = subcalls(host, facts)
                encoded = any(n.rsplit(".", 1)[-1] in _ENCODE for n in inner)
                if call.name not in _RESOLVE and not encoded:
                    continue
                base = 0.6 if encoded else 0.25
                out.append(
                    emit.at(
                        src,
                        call.line,
                        call.scope,
                        base,
                        "resolves a host name built from data",
                        floor=0.5,
                    )
                )
        yield from best_per_file(out)


RULE = _Rule()
