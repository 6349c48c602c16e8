"""encoded-payload: a literal that decodes (base64, hex, zlib, reversed) to code or commands,
or to a URL; weighing most when the decoded URL is where the code sends a request."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from snakewarden.analysis.context import Role, ScanContext, SourceFile
from snakewarden.analysis.decode import MIN_LEN, decode_layers
from snakewarden.analysis.facts import CallFact, Facts, StringFact
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, group_calls, parsed
from snakewarden.analysis.rules._flow import Flow, walk
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="encoded-payload",
    description="a string literal decodes (base64/hex/zlib/reversed) to code, commands or URLs",
    severity=Severity.HIGH,
    category="threat.obfuscation.encoded_payload",
)
MAX_CANDIDATES = 400
MAX_SEARCH = 50_000
#: What decoded code and commands look like.
DANGER = re.compile(
    r"\bimport\s+(os|sys|subprocess|socket|base64|requests|urllib|ctypes|zlib|marshal|platform|"
    r"getpass|shutil|tempfile|winreg|threading)\b|\bexec\s*\(|\beval\s*\(|os\.system|subprocess|"
    r"powershell|/bin/(ba)?sh|cmd(\.exe)?\s+/c|socket\.|__import__|Invoke-|\bcurl\s|"
    r"\bwget\s|urlopen|requests\.(get|post)|\.exe\b|webhook|start\s+/b",
    re.IGNORECASE,
)


_URL = re.compile(r"https?://[\w.-]+")
#: URLs that name an XML namespace (an image's XMP metadata, an office document): identifiers,
#: never requested.
_NAMESPACE = re.compile(
    r"https?://(www\.)?(w3\.org|ns\.adobe\.com|purl\.org|xmlns\.com"
    r"|schemas\.(xmlsoap\.org|microsoft\.com|openxmlformats\.org))\b",
    re.I,
)
#: A decoded text that is nothing but a URL (a webhook address matches ``DANGER`` too).
_ONLY_URL = re.compile(r"\s*https?://[\w.-]+\S*\s*")

#: Calls that open a connection or send a request, by the last part of their name; the URL or
#: host they go to is their first argument (``request(method, url)``: the second) or one of
#: ``_DEST_KEYWORDS``.
_DEST_CALLS = frozenset(
    {
        "get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
        "urlopen", "urlretrieve", "Request", "HTTPConnection", "HTTPSConnection", "connect",
        "create_connection", "ws_connect", "open_connection", "WebSocketApp", "download",
        "DiscordWebhook", "Webhook", "from_url",
    }
)  # fmt: skip
_DEST_KEYWORDS = frozenset({"url", "fullurl", "uri", "host", "address"})
#: Modules whose calls above go to the network.
_NET_MODULES = frozenset(
    {
        "requests", "httpx", "urllib", "urllib2", "urllib3", "http", "httplib", "aiohttp",
        "socket", "websocket", "websockets", "asyncio", "wget", "discord_webhook", "dhooks",
        "discord",
    }
)  # fmt: skip
#: At most this many hidden URLs of a file are followed one by one (to name the one sent to).
MAX_TRACED = 8


@dataclass
class _Hidden:
    """A literal of the file that decodes to a URL."""

    string: StringFact
    how: str
    url: str
    #: the finding it gets when the URL is not shown to be requested (None: none)
    plain: Finding | None = None


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            tried = 0
            hidden: list[_Hidden] = []
            for s in facts.strings:
                zlib_like = s.value[:2] in ("x\x9c", "x\xda", "x^", "x\x01")
                if len(s.value) < MIN_LEN or (" " in s.value[:200].strip() and not zlib_like):
                    continue
                tried += 1
                if tried > MAX_CANDIDATES:
                    break
                found = decode_layers(s.value)
                if found is None:
                    rev = s.value[-MAX_SEARCH:][::-1]
                    if (
                        len(s.value) >= 24
                        and DANGER.search(rev)
                        and not DANGER.search(s.value[:MAX_SEARCH])
                    ):
                        found = ("reversed", rev)
                    elif _ONLY_URL.fullmatch(rev) and not _URL.search(s.value):
                        # a URL written backwards: it counts only where it is requested
                        hidden.append(_Hidden(s, "reversed", rev.strip()[:120]))
                        continue
                    else:
                        continue
                how, text = found
                text = text[:MAX_SEARCH]
                match = DANGER.search(text)
                if match is None and how.startswith("reversed base64+"):
                    # data compressed, base64-encoded, then written backwards: an obfuscator's
                    # layering, whatever it holds (no popular package measured has one)
                    out.append(
                        emit.at(
                            src,
                            s.line,
                            s.scope,
                            0.35,
                            f"literal hides compressed data as {how}",
                            evidence=f"{how}: {text[:100]}",
                        )
                    )
                if match is None:
                    url = next(
                        (u for u in _URL.finditer(text) if not _NAMESPACE.match(u.group(0))), None
                    )
                    if url is not None and how != "reversed":
                        shown = text[url.start() : url.start() + 120]
                        hidden.append(
                            _Hidden(
                                s,
                                how,
                                shown,
                                emit.at(
                                    src,
                                    s.line,
                                    s.scope,
                                    0.6,
                                    f"{how}-encoded literal hides a URL",
                                    floor=0.45,
                                    evidence=f"{how}: {shown}",
                                ),
                            )
                        )
                    continue
                hits = len({m.group(0).lower() for m in DANGER.finditer(text)})
                base = 0.55 if hits == 1 else 0.75
                snippet = text[max(0, match.start() - 40) : match.start() + 120]
                code = emit.at(
                    src,
                    s.line,
                    s.scope,
                    base,
                    f"{how}-encoded literal hides code or a command",
                    floor=0.6,
                    evidence=f"{how}: {snippet}",
                )
                if how != "reversed" and _ONLY_URL.fullmatch(text):
                    # a webhook or download address: "code" only while it is not requested
                    hidden.append(_Hidden(s, how, text.strip()[:120], code))
                else:
                    out.append(code)
            if hidden:
                out.extend(_requested(emit, src, facts, hidden))
        yield from best_per_file(out)


def _requested(
    emit: Emitter, src: SourceFile, facts: Facts, hidden: list[_Hidden]
) -> list[Finding]:
    """Findings for the hidden URLs of a file: "requests an address hidden by ..." at the
    request a decoded URL reaches as its destination, the plain finding for the others."""
    plain = [h.plain for h in hidden if h.plain is not None]
    net = _Net(facts)
    if not any(net(c.name) for c in facts.calls):
        return plain
    tree = src.tree()
    if tree is None:
        return plain
    sends = _trace(src, tree, facts, net, hidden)
    if not sends:
        return plain
    if len(hidden) > 1:
        # which one is requested, followed one by one (bounded)
        sends = [s for h in hidden[:MAX_TRACED] for s in _trace(src, tree, facts, net, [h])] or [
            (sends[0][0], hidden[0])
        ]
    used = {id(h) for _, h in sends}
    out = [h.plain for h in hidden if h.plain is not None and id(h) not in used]
    for call, h in sends:
        what = "a reversed string" if h.how == "reversed" else f"{h.how} encoding"
        message = f"requests an address hidden by {what} ({call.name})"
        # where the request is, or where the literal is when that code runs sooner (a global
        # decoded at import, requested from a function)
        at_call = emit.at(
            src,
            call.line,
            call.scope,
            0.85,
            message,
            floor=0.6,
            evidence=f"{h.how}: {h.url} (line {h.string.line})",
        )
        at_literal = emit.at(
            src,
            h.string.line,
            h.string.scope,
            0.85,
            message,
            floor=0.6,
            evidence=f"{h.how}: {h.url} (requested on line {call.line})",
        )
        out.append(at_literal if at_literal.weight > at_call.weight else at_call)
    return out


class _Net:
    """Which calls of a file open a connection or send a request, by name (``requests.get``,
    ``session.post``, ``sock.connect``). A method of an object the file made counts when the
    file imports a network module; a call on another imported module (``os.environ.get``)
    does not."""

    def __init__(self, facts: Facts) -> None:
        self.imported = set(facts.imports) | {v.split(".", 1)[0] for v in facts.imports.values()}
        self.net_file = any(m.split(".", 1)[0] in _NET_MODULES for m in facts.modules)

    def __call__(self, name: str) -> bool:
        head, dot, _ = name.partition(".")
        if not dot or name.rsplit(".", 1)[-1] not in _DEST_CALLS:
            return False
        if head in _NET_MODULES:
            return True
        return self.net_file and head not in self.imported


def _destination(node: ast.Call, name: str) -> ast.expr | None:
    """The argument naming where the call goes (its URL, host or address)."""
    for k in node.keywords:
        if k.arg in _DEST_KEYWORDS:
            return k.value
    index = 1 if name.rsplit(".", 1)[-1] == "request" else 0
    return node.args[index] if len(node.args) > index else None


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return node.value
        if isinstance(node.value, bytes):
            return node.value.decode("latin-1")
    return None


@dataclass
class _Trace:
    """Data flow from hidden URL literals to the destination of a request."""

    net: _Net
    literals: set[str]
    #: names assigned a value holding one of the literals (``U = "aHR0..."``), by the function
    #: that assigns them (``id`` of its node; the module's own statements: 0)
    local: dict[int, set[str]] = field(default_factory=dict)
    #: the ``ast.Name`` nodes that read such a name where it is visible
    reads: set[int] = field(default_factory=set)

    def scan(self, tree: ast.Module) -> None:
        """Find the names that hold a literal, and where they are read."""
        units: list[ast.AST] = [tree]
        units += [n for n in walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        for unit in units:
            names: set[str] = set()
            for n in walk(unit, into_functions=False):
                if (
                    isinstance(n, ast.Assign | ast.AnnAssign)
                    and n.value is not None
                    and any(_text(c) in self.literals for c in walk(n.value))
                ):
                    targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                    names.update(t.id for t in targets if isinstance(t, ast.Name))
            if names:
                self.local[0 if unit is tree else id(unit)] = names
        module = self.local.get(0, set())
        for unit in units:
            visible = module | self.local.get(0 if unit is tree else id(unit), set())
            if visible:
                self.reads.update(
                    id(n)
                    for n in walk(unit, into_functions=False)
                    if isinstance(n, ast.Name) and n.id in visible
                )

    def holds(self, expr: ast.AST) -> bool:
        """``expr`` holds one of the literals or reads a name assigned one."""
        return any(id(n) in self.reads or _text(n) in self.literals for n in walk(expr))

    def source(self, node: ast.Call, name: str) -> bool:
        """A call handed a hidden literal (a decoding: ``b64decode(U)``, ``U.encode()``)."""
        parts: list[ast.AST] = [*node.args, *(k.value for k in node.keywords)]
        if isinstance(node.func, ast.Attribute):
            parts.append(node.func.value)
        return any(self.holds(p) for p in parts if not isinstance(p, ast.Call))

    def sink(self, flow: Flow, node: ast.Call, name: str, names: set[str], unit: ast.AST) -> bool:
        """A request or connection whose destination is the decoded URL."""
        if not self.net(name):
            return False
        dest = _destination(node, name)
        return dest is not None and (flow.tainted(dest, names) or self.holds(dest))


def _trace(
    src: SourceFile, tree: ast.Module, facts: Facts, net: _Net, hidden: list[_Hidden]
) -> list[tuple[CallFact, _Hidden]]:
    """The requests (one per unit) whose destination a decoded URL of ``hidden`` reaches."""
    trace = _Trace(net, {h.string.value for h in hidden})
    flow = Flow(tree, facts.resolve, trace.source, trace.sink, net)
    trace.scan(tree)
    whole = src.role in (Role.SETUP, Role.BACKEND, Role.PTH)
    tainted: dict[int, tuple[ast.AST, set[str]]] = {}
    found: list[tuple[CallFact, _Hidden]] = []
    for gid, calls in group_calls(src).items():
        candidates = [c for c in calls if net(c.name) or flow.is_wrapper(c.name)]
        if not candidates:
            continue
        key = -1 if whole else gid
        if key not in tainted:
            tainted[key] = _unit(flow, facts, trace, key, tainted)
        unit, names = tainted[key]
        send = next((c for c in candidates if flow.sends(c.node, names, unit)), None)
        if send is not None:
            found.append((send, hidden[0]))
    return found


def _unit(
    flow: Flow,
    facts: Facts,
    trace: _Trace,
    gid: int,
    done: dict[int, tuple[ast.AST, set[str]]],
) -> tuple[ast.AST, set[str]]:
    """The code of group ``gid`` (-1: the whole file, install-time code whose helpers call
    each other) and its tainted names; a function also sees what the module's own statements
    taint (a decoded URL kept in a global)."""
    if gid < 0:
        seed = set().union(*trace.local.values())
        return flow.tree, flow.taint(flow.tree, into_functions=True, seed=seed)
    if 0 not in done:
        seed = trace.local.get(0, set())
        done[0] = (flow.tree, flow.taint(flow.tree, into_functions=False, seed=seed))
    if gid == 0:
        return done[0]
    unit, _ = flow.unit(facts.scopes[gid].line, whole_file=False)
    seed = set(done[0][1])
    for n in walk(unit):
        seed |= trace.local.get(id(n), set()) if n is not flow.tree else set()
    return unit, flow.taint(unit, into_functions=True, seed=seed)


RULE = _Rule()
