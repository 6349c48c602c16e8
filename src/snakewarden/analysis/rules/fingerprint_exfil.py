"""fingerprint-exfil: the user, host or network identity the code collected is sent out.

By data flow (``rules/_flow.py``): a call that names the user, host or network
(``getpass.getuser()``, a recon command, a public-IP lookup) reaches a network send. A send to
a configured destination (an address built from ``self``'s attributes, none written in the code:
an agent reporting to its manager) counts half. A wallet's secret sent out is ``wallet-exfil``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext, SourceFile
from snakewarden.analysis.facts import CallFact, Facts
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import (
    IDENTITY_STRONG,
    Emitter,
    best_per_file,
    group_calls,
    group_strings,
    is_process,
    is_process_name,
    parsed,
)
from snakewarden.analysis.rules._flow import (
    RESOLVE_CALLS,
    flow_for,
    may_send,
    sends_out,
    transmits,
)
from snakewarden.analysis.rules.process_exec import RECON_TOOLS, _command_text, _first_word
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="fingerprint-exfil",
    description="sends the user or host identity it collected out",
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


def _recon(node: ast.Call) -> bool:
    cmd = _command_text(node)
    return cmd is not None and _first_word(cmd) in RECON_TOOLS


def identity_source(node: ast.Call, name: str) -> bool:
    """A call whose result names the user, host or network: an identity call, a recon command,
    or a request to a public-IP lookup service."""
    if name in IDENTITY_STRONG:
        return True
    if is_process_name(name):
        return _recon(node)
    return any(
        isinstance(a, ast.Constant) and isinstance(a.value, str) and _IP_LOOKUP.search(a.value)
        for a in node.args[:1]
    )


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            if not any(may_send(c.name) for c in facts.calls):
                continue  # nothing is sent from this file
            if not any(identity_source(c.node, c.name) for c in facts.calls):
                continue
            flow = flow_for(src, identity_source, sends_out, may_send)
            if flow is None:
                continue
            groups = group_calls(src)
            strings = group_strings(src)
            whole = src.role in (Role.SETUP, Role.BACKEND, Role.PTH)
            if whole:
                groups = {0: [c for cs in groups.values() for c in cs]}
                strings = {0: [s for ss in strings.values() for s in ss]}
            everywhere = _identities(facts.calls, [s for ss in strings.values() for s in ss], src)
            for gid, calls in groups.items():
                line = 0 if whole or gid == 0 else facts.scopes[gid].line
                candidates = [
                    c
                    for c in calls
                    if c.name in RESOLVE_CALLS or transmits(c.name) or flow.is_wrapper(c.name)
                ]
                if not candidates:
                    continue
                unit, names = flow.unit(line, whole_file=whole)
                send = next((c for c in candidates if flow.sends(c.node, names, unit)), None)
                if send is None:
                    continue
                ident = _identities(calls, strings.get(gid, []), src) or everywhere
                if not ident:
                    continue  # only the platform's kind was read (``uname().machine``)
                base = min(0.75, 0.45 + 0.1 * len(ident))
                if ident == {"os.getcwd"}:
                    # the working directory alone: far more often a path the code builds and
                    # uses than an identity it reports
                    base = 0.3
                if configured_destination(send, facts):
                    # sent where the object was told to send it (an agent reporting to its
                    # manager, telemetry to the endpoint it was given), not to an address the
                    # code hides
                    base *= CONFIGURED_SCALE
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


#: How much a send to a configured destination (see ``configured_destination``) counts.
CONFIGURED_SCALE = 0.5
#: Keywords that name where a send goes.
_DESTINATION_KEYWORDS = frozenset({"url", "uri", "host", "address", "endpoint"})


def configured_destination(send: CallFact, facts: Facts) -> bool:
    """The send goes where the object holding the code was configured to send: its address
    (the first argument or a ``url=``-like keyword, followed through one local assignment)
    is built from ``self``'s attributes with no address written in the code
    (``requests.post(self.endpoint, ...)``, ``uri = self.manager + "Status"``)."""
    node = send.node
    dest: ast.expr | None = node.args[0] if node.args else None
    for kw in node.keywords:
        if kw.arg in _DESTINATION_KEYWORDS:
            dest = kw.value
    if isinstance(dest, ast.Name):
        dest = facts.assigned(dest.id, send.scope, send.line)
    if dest is None:
        return False
    from_self = False
    for sub in ast.walk(dest):
        if (
            isinstance(sub, ast.Constant)
            and isinstance(sub.value, str)
            and _ADDRESS.search(sub.value)
        ):
            return False  # an address the code writes down
        if isinstance(sub, ast.Name) and sub.id != "self":
            value = facts.assigned(sub.id, send.scope, send.line)
            if value is not None and not isinstance(value, ast.Attribute):
                return False  # a name holding something else: another value to follow
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
            from_self = from_self or sub.value.id == "self"
    return from_self


#: An address written as text: a scheme, or a host name with a dot and a top-level domain.
_ADDRESS = re.compile(r"://|\b[a-z0-9-]+\.[a-z]{2,}\b|\b\d{1,3}(\.\d{1,3}){3}\b", re.IGNORECASE)


#: ``uname()`` read only for the platform's kind (an architecture in a wheel's URL), not the
#: host's name.
_PLATFORM_PART = re.compile(
    r"uname\(\)\s*\.\s*(machine|system|sysname|release|version|processor)\b"
)
_UNAME = frozenset({"platform.uname", "os.uname"})


def _identities(calls: list[CallFact], strings: list[str], src: SourceFile) -> set[str]:
    """What identity the calls collect, named for the message."""
    ident = {
        c.name
        for c in calls
        if c.name in IDENTITY_STRONG
        and not (c.name in _UNAME and _PLATFORM_PART.search(src.line(c.line)))
    }
    ident |= {
        f"{_first_word(cmd)} command"
        for c in calls
        if is_process(c)
        and (cmd := _command_text(c.node)) is not None
        and _first_word(cmd) in RECON_TOOLS
    }
    if _ip_lookup(strings):
        ident.add("public IP lookup")
    return ident


RULE = _Rule()
