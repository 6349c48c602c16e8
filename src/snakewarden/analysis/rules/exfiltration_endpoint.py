"""exfiltration-endpoint: a webhook, bot API or out-of-band collector address in the code.

The address named is evidence; the address handed to a network send (directly, through a
variable or a module constant, in an f-string) is stronger: the code does send there.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.facts import CallFact, Facts
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, is_send, source_for
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="exfiltration-endpoint",
    description="names a webhook, chat-bot API, tunnel or out-of-band collector to send data to",
    severity=Severity.HIGH,
    category="threat.network.exfil",
)
#: YARA rule -> (base weight, floor, message). Out-of-band collectors and tunnels exist to
#: receive data from elsewhere; chat APIs have benign uses unless their credentials are baked in.
_KINDS = {
    "sw_exfil_endpoint": (0.7, 0.55, "out-of-band collector or tunnel address"),
    "sw_exfil_hardcoded": (0.75, 0.6, "chat webhook/bot with its credentials hardcoded"),
    "sw_exfil_chat": (0.3, 0.2, "chat webhook or bot API address"),
}


#: YARA rule -> (base weight, floor, what) when the address is what a network send is handed.
_SENT = {
    "sw_exfil_endpoint": (0.9, 0.75, "an out-of-band collector or tunnel"),
    "sw_exfil_hardcoded": (0.9, 0.75, "a chat webhook/bot whose credentials it hardcodes"),
    "sw_exfil_chat": (0.5, 0.35, "a chat webhook or bot API"),
}
MAX_ARG_NODES = 300
#: A collector's bare domain as a whole literal (``"webhook.site"`` in a list of domains) is a
#: name, not an address anything can be sent to: it counts only when a send is handed it.
_QUOTES = b"'\""


def _bare_name(data: bytes, offset: int, length: int) -> bool:
    end = offset + length
    if data[offset:end].count(b".") != 1 or data[offset:end].startswith(b"."):
        return False  # a host under the collector (``x.ngrok.io``) is an address
    return offset > 0 and end < len(data) and data[offset - 1] in _QUOTES and data[end] in _QUOTES


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for m, h in ctx.yara_hits(*_KINDS):
            base, floor, what = _KINDS[h.rule]
            if not (h.rule == "sw_exfil_endpoint" and _bare_name(m.data, h.offset, len(h.matched))):
                out.append(emit.in_member(ctx, m, h, base, what, floor=floor))
            src = source_for(ctx, m)
            facts = src.facts if src is not None else None
            if src is None or facts is None:
                continue
            needle = h.matched.decode("utf-8", "replace").lower()
            for call in facts.calls:
                if is_send(call) and any(needle in t.lower() for t in _arg_texts(call, facts)):
                    sbase, sfloor, where = _SENT[h.rule]
                    out.append(
                        emit.at(
                            src,
                            call.line,
                            call.scope,
                            sbase,
                            f"sends data to {where} ({call.name})",
                            floor=sfloor,
                        )
                    )
                    break
        yield from best_per_file(out)


def _arg_texts(call: CallFact, facts: Facts) -> list[str]:
    """String constants in a call's arguments, and in the values last assigned to the
    variables among them (``URL = "..."; requests.post(URL, ...)``), bounded."""
    out: list[str] = []
    stack: list[ast.AST] = [*call.node.args, *(kw.value for kw in call.node.keywords)]
    names: set[str] = set()
    seen = 0
    while stack and seen < MAX_ARG_NODES:
        cur = stack.pop()
        seen += 1
        if isinstance(cur, ast.Constant) and isinstance(cur.value, str):
            out.append(cur.value)
            continue
        if isinstance(cur, ast.Name) and cur.id not in names:
            names.add(cur.id)
            value = facts.assigned(cur.id, call.scope, call.line)
            if value is not None:
                stack.append(value)
        stack.extend(ast.iter_child_nodes(cur))
    return out


RULE = _Rule()
