"""reverse-shell: a shell whose input and output are wired to a network connection."""

from __future__ import annotations

import re
from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.facts import CallFact
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, group_calls, parsed
from snakewarden.analysis.signatures import YaraHit
from snakewarden.artifacts.model import Member
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="reverse-shell",
    description="connects a socket and hands it a shell (dup2 + shell, /dev/tcp, nc -e)",
    severity=Severity.CRITICAL,
    category="threat.backdoor.reverse_shell",
)

#: ``os.dup2(<receiver>.fileno(), <fd>)`` as the YARA string ``$dup`` matched it.
_DUP = re.compile(rb"dup2\s*\(\s*([A-Za-z_][\w.]*)\.fileno\(\)\s*,\s*([012])\s*\)")
#: A connection to a remote host (the socket a reverse shell hands over).
_CONNECT = re.compile(rb"\.connect(_ex)?\s*\(\s*\(|create_connection\s*\(")
#: A /dev/tcp line that wires a shell's input or output to it (``>&``, ``<&``, ``sh -i``), rather
#: than a script talking to a service over it (``exec 3<>/dev/tcp/host/80``).
_DEVTCP_SHELL = re.compile(rb"[<>]&|\b(ba|z|da|k)?sh\s+-i\b|\bsh\s+[<>]")
#: The YARA strings that are a reverse shell on their own (given the checks below).
_STANDALONE = frozenset({"$bash_i", "$nc", "$mkfifo"})


def _line(data: bytes, offset: int) -> bytes:
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    return data[start : end if end >= 0 else len(data)]


def _shell_hits(member: Member, hits: list[YaraHit]) -> list[YaraHit]:
    """The hits that show a shell wired to a connection (see the module's checks)."""
    out = [h for h in hits if h.string in _STANDALONE]
    out += [
        h
        for h in hits
        if h.string == "$devtcp" and _DEVTCP_SHELL.search(_line(member.data, h.offset))
    ]
    dups = [h for h in hits if h.string == "$dup"]
    if dups and _CONNECT.search(member.data):
        # one object (the connected socket) duplicated onto two or more of stdin/stdout/stderr
        streams: dict[bytes, set[bytes]] = {}
        for m in _DUP.finditer(member.data):
            streams.setdefault(m.group(1), set()).add(m.group(2))
        wired = any(len(fds) >= 2 for fds in streams.values())
        spawn = any(h.string == "$spawn" for h in hits)
        if wired or (spawn and streams):
            out += dups[:1]
    return out


def _wires_stdio(call: CallFact) -> bool:
    """``os.dup2(x, 0|1|2)``: a descriptor put in place of a standard stream."""
    args = call.node.args
    if len(args) < 2:
        return False
    target = args[1]
    return getattr(target, "value", None) in (0, 1, 2)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        per_member: dict[str, tuple[Member, list[YaraHit]]] = {}
        for m, h in ctx.yara_hits("sw_reverse_shell"):
            per_member.setdefault(m.path, (m, []))[1].append(h)
        for m, hits in per_member.values():
            for h in _shell_hits(m, hits):
                out.append(emit.in_member(ctx, m, h, 0.9, "reverse shell", floor=0.6))  # noqa: PERF401
        for src, _facts in parsed(ctx):
            for calls in group_calls(src).values():
                names = {c.name for c in calls}
                methods = {c.name.rsplit(".", 1)[-1] for c in calls}
                connects = "connect" in methods or "socket.create_connection" in names
                dups = [c for c in calls if c.name == "os.dup2" and _wires_stdio(c)]
                shell = (
                    "pty.spawn" in names
                    or any(n.startswith("subprocess.") for n in names)
                    or "os.system" in names
                )
                if connects and dups and shell:
                    first = dups[0]
                    out.append(
                        emit.at(
                            src,
                            first.line,
                            first.scope,
                            0.9,
                            "socket wired to a shell (connect + dup2 + shell)",
                            floor=0.6,
                        )
                    )
        yield from best_per_file(out)


RULE = _Rule()
