"""Helpers shared by the built-in rules: capability name sets and finding construction.

Module names here use underscores; each rule's ``meta.id`` is the kebab-case form of its module
stem (``process_exec.py`` -> ``process-exec``), and its tests live in ``tests/rules/<id>/``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from snakewarden.analysis.context import (
    EXEC_CALLS,
    Role,
    ScanContext,
    SourceFile,
    line_of,
    make_finding,
    shorten,
)
from snakewarden.analysis.facts import CallFact, Facts
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.signatures import YaraHit
from snakewarden.artifacts.model import Member
from snakewarden.core.models import Finding, Phase

# -- capabilities, by resolved dotted call name ---------------------------------------------------

PROCESS_CALLS = frozenset(
    {
        "os.system", "os.popen", "os.popen2", "os.popen3", "os.startfile", "os.execl",
        "os.execle", "os.execlp", "os.execlpe", "os.execv", "os.execve", "os.execvp",
        "os.execvpe", "os.spawnl", "os.spawnle", "os.spawnlp", "os.spawnv", "os.spawnve",
        "os.spawnvp", "os.posix_spawn", "os.posix_spawnp", "subprocess.Popen", "subprocess.call",
        "subprocess.run", "subprocess.check_call", "subprocess.check_output",
        "subprocess.getoutput", "subprocess.getstatusoutput", "commands.getoutput",
        "commands.getstatusoutput", "pty.spawn", "asyncio.create_subprocess_shell",
        "asyncio.create_subprocess_exec", "win32api.ShellExecute", "win32process.CreateProcess",
        "ctypes.windll.shell32.ShellExecuteW", "ctypes.windll.shell32.ShellExecuteA",
        "ctypes.windll.kernel32.WinExec", "platform.popen", "sh.Command",
    }
)  # fmt: skip

NETWORK_CALLS = frozenset(
    {
        "urllib.request.urlopen", "urllib.request.urlretrieve", "urllib.request.Request",
        "urllib.urlopen", "urllib.urlretrieve", "urllib2.urlopen", "urllib2.Request",
        "requests.get", "requests.post", "requests.put", "requests.patch", "requests.request",
        "requests.head", "requests.Session", "requests.session", "httpx.get", "httpx.post",
        "httpx.Client", "httpx.AsyncClient", "httpx.stream", "http.client.HTTPConnection",
        "http.client.HTTPSConnection", "httplib.HTTPConnection", "httplib.HTTPSConnection",
        "socket.socket", "socket.create_connection", "aiohttp.ClientSession", "wget.download",
        "urllib3.PoolManager", "pycurl.Curl", "ftplib.FTP", "smtplib.SMTP", "smtplib.SMTP_SSL",
        "telnetlib.Telnet", "dns.resolver.resolve", "dns.resolver.query",
        "dns.resolver.Resolver", "socket.gethostbyname", "socket.getaddrinfo",
        "socket.gethostbyname_ex", "discord_webhook.DiscordWebhook", "dhooks.Webhook",
    }
)  # fmt: skip

#: Method names that, on any receiver, send data out (``session.post``, ``sock.sendall``...).
SEND_METHODS = frozenset({"post", "sendall", "send", "sendto", "urlopen", "execute_webhook"})

FETCH_CALLS = frozenset(
    {
        "urllib.request.urlopen", "urllib.request.urlretrieve", "urllib.urlopen",
        "urllib.urlretrieve", "urllib2.urlopen", "requests.get", "requests.request",
        "httpx.get", "httpx.stream", "wget.download", "requests.post",
    }
)  # fmt: skip


DECODE_CALLS = frozenset(
    {
        "base64.b64decode", "base64.b32decode", "base64.b16decode", "base64.b85decode",
        "base64.a85decode", "base64.decodebytes", "base64.decodestring", "base64.urlsafe_b64decode",
        "zlib.decompress", "gzip.decompress", "bz2.decompress", "lzma.decompress",
        "marshal.loads", "pickle.loads", "binascii.unhexlify", "binascii.a2b_hex",
        "binascii.a2b_base64", "codecs.decode", "bytes.fromhex", "bytearray.fromhex",
        "cryptography.fernet.Fernet", "fernet.Fernet", "Fernet",
    }
)  # fmt: skip

#: Method names that decode, on any receiver (``x.decode('rot13')``, ``f.decrypt(...)``...).
DECODE_METHODS = frozenset(
    {"b64decode", "decompress", "fromhex", "decrypt", "unhexlify", "translate"}
)

IDENTITY_CALLS = frozenset(
    {
        "getpass.getuser", "os.getlogin", "socket.gethostname", "platform.node",
        "platform.uname", "os.uname", "uuid.getnode", "socket.getfqdn", "platform.platform",
        "os.getcwd", "platform.system", "platform.release", "platform.version",
        "platform.machine", "pwd.getpwuid", "os.getuid", "psutil.users", "getmac.get_mac_address",
        "win32api.GetUserName", "win32api.GetComputerName",
    }
)  # fmt: skip
#: The identity calls that name the person or host (the others just describe the platform).
IDENTITY_STRONG = frozenset(
    {
        "getpass.getuser", "os.getlogin", "socket.gethostname", "platform.node", "uuid.getnode",
        "socket.getfqdn", "os.getcwd", "pwd.getpwuid", "win32api.GetUserName",
        "win32api.GetComputerName", "getmac.get_mac_address", "os.uname", "platform.uname",
    }
)  # fmt: skip


def is_call_to(call: CallFact, names: Iterable[str]) -> bool:
    return call.name in names if isinstance(names, frozenset | set) else call.name in set(names)


def method(call: CallFact) -> str:
    """The last segment of the call name (``x.y.post`` -> ``post``)."""
    return call.name.rsplit(".", 1)[-1]


def is_network(call: CallFact) -> bool:
    return _network_name(call.name)


@lru_cache(maxsize=4096)
def _network_name(name: str) -> bool:
    """``is_network`` by name (asked for every call of every file: kept per name)."""
    if name in NETWORK_CALLS:
        return True
    head, _, _ = name.partition(".")
    last = name.rsplit(".", 1)[-1]
    if head in ("requests", "httpx", "aiohttp", "urllib3") and last in (
        "get", "post", "put", "request", "urlopen", "Session", "Client", "ClientSession",
    ):  # fmt: skip
        return True
    return last in ("urlopen", "urlretrieve")


def is_send(call: CallFact) -> bool:
    return is_network(call) or method(call) in SEND_METHODS


def is_process_name(name: str) -> bool:
    """A call name that starts a program (``os.system``, ``subprocess.*``...)."""
    return name in PROCESS_CALLS or name.startswith("subprocess.")


def is_process(call: CallFact) -> bool:
    return is_process_name(call.name)


def is_exec(call: CallFact) -> bool:
    return call.name in EXEC_CALLS


def subcalls(node: ast.AST, facts: Facts, limit: int = 2000) -> list[str]:
    """Resolved names of every call inside ``node`` (bounded walk of a small subtree)."""
    out: list[str] = []
    stack = [node]
    seen = 0
    while stack and seen < limit:
        cur = stack.pop()
        seen += 1
        if isinstance(cur, ast.Call):
            from snakewarden.analysis.facts import dotted

            out.append(facts.resolve(dotted(cur.func)))
        stack.extend(ast.iter_child_nodes(cur))
    return out


_FILE_READERS = ("open", "io.open", "codecs.open", "pathlib.Path", "Path")


def reads_local_file(call: CallFact, facts: Facts, group: list[CallFact]) -> bool:
    """``exec(open("version.py").read())`` or ``with open(p) as fh: exec(fh.read())``: the
    common, benign way setup scripts load a version file."""
    if not call.node.args:
        return False
    inner = subcalls(call.node.args[0], facts)
    if any(n in _FILE_READERS or n.endswith(("read_text", "get_data", "getsource")) for n in inner):
        return True
    # exec(f.read()) or exec(compile(f.read(), path, "exec")) after ``open``/``path.open()``
    reads = any(n.endswith(".read") for n in inner)
    plain = all(n.endswith(".read") or n in ("compile", "builtins.compile", "str") for n in inner)
    if reads and plain and not any(is_network(c) for c in group):
        return any(c.name in _FILE_READERS or c.name.endswith(".open") for c in group)
    return False


def subtree_has(node: ast.AST, kinds: tuple[type[ast.AST], ...], limit: int = 2000) -> bool:
    stack = [node]
    seen = 0
    while stack and seen < limit:
        cur = stack.pop()
        seen += 1
        if isinstance(cur, kinds):
            return True
        stack.extend(ast.iter_child_nodes(cur))
    return False


def group_calls(src: SourceFile) -> dict[int, list[CallFact]]:
    """Calls grouped by their outermost function (0 = module level): one unit of behaviour."""
    return src.groups()


def group_strings(src: SourceFile) -> dict[int, list[str]]:
    facts = src.facts
    groups: dict[int, list[str]] = {}
    if facts is None:
        return groups
    for s in facts.strings:
        groups.setdefault(facts.top_function(s.scope), []).append(s.value)
    return groups


def parsed(ctx: ScanContext) -> Iterator[tuple[SourceFile, Facts]]:
    """Every parsed source with its facts: the package's files, then the code they run with
    exec/eval (``ScanContext.executed_sources``)."""
    for src in (*ctx.sources(), *ctx.executed_sources()):
        facts = src.facts
        if facts is not None:
            yield src, facts


@dataclass(frozen=True, slots=True)
class Emitter:
    """Builds findings for one rule."""

    meta: RuleMeta
    #: unanalysed Python files parsed to tell docstrings from code (see ``_commentary``)
    _texts: dict[str, SourceFile] = field(default_factory=dict, compare=False, repr=False)

    def at(
        self,
        src: SourceFile,
        line: int,
        scope: int,
        base: float,
        message: str,
        *,
        floor: float = 0.0,
        evidence: str | None = None,
    ) -> Finding:
        phase = src.phase(scope)
        if src.origin is not None:
            # code run by exec/eval: reported at the call, its own line as the evidence
            evidence = evidence or src.line(line)
            message += f" (in code that line {src.origin[1]} runs)"
            line = src.origin[1]
        return self._make(
            src.path, line, phase, src.role, base, message, floor, evidence, src, src.small
        )

    def in_member(
        self,
        ctx: ScanContext,
        member: Member,
        hit: YaraHit,
        base: float,
        message: str,
        *,
        floor: float = 0.0,
    ) -> Finding:
        """A finding for a YARA hit; its phase comes from the code around it when parsed."""
        line = line_of(member.data, hit.offset)
        src = source_for(ctx, member)
        evidence = hit.matched.decode("utf-8", "replace")
        if src is not None:
            phase = phase_at_line(src, line)
            text = src.line(line)
            start = member.data.rfind(b"\n", 0, hit.offset) + 1
            col = len(member.data[start : hit.offset].decode("utf-8", "replace"))
            reason = text_not_action(src, line, col, text, evidence)
            if reason:
                base, floor, message = base * DOC_SCALE, 0.0, f"{message} ({reason})"
            return self._make(
                member.path,
                line,
                phase,
                src.role,
                base,
                message,
                floor,
                text or evidence,
                src,
                src.small,
            )
        role = ctx.role_of(member)
        if member.suffix not in (".py", ".pyw", ".pth") and role not in (Role.TEST, Role.NESTED):
            role = Role.SCRIPT  # a shell script or other file: it runs only if something runs it
        phase = Phase.NONE
        if member.suffix in SCRIPT_SUFFIXES or member.suffix in (".py", ".pyw"):
            phase = Phase.RUNTIME  # code that was not analysed: assume it runs only if called
        if self._commentary(ctx, member, hit.offset, line, role):
            base, floor, message = base * DOC_SCALE, 0.0, message + " (in a comment/docstring)"
        return self._make(
            member.path, line, phase, role, base, message, floor, evidence, None, ctx.small()
        )

    def _commentary(
        self, ctx: ScanContext, member: Member, offset: int, line: int, role: str
    ) -> bool:
        """Line ``line`` of an unanalysed file is a comment, or lies in a Python docstring (the
        file is parsed for that once per rule)."""
        start = member.data.rfind(b"\n", 0, offset) + 1
        if member.data[start : start + 200].lstrip().startswith(_COMMENT_MARKS):
            return True
        if member.suffix not in (".py", ".pyw"):
            return False
        text = self._texts.get(member.path)
        if text is None:
            text = SourceFile(member, ctx.relative(member), role, member.data)
            self._texts[member.path] = text
        return text.is_doc_line(line)

    def _make(
        self,
        file: str,
        line: int,
        phase: Phase,
        role: str,
        base: float,
        message: str,
        floor: float,
        evidence: str | None,
        src: SourceFile | None,
        small: bool = False,
    ) -> Finding:
        if evidence is None:
            evidence = src.line(line) if src is not None else ""
        f = make_finding(
            self.meta.id,
            self.meta.category,
            self.meta.severity,
            message,
            file=file,
            line=line,
            evidence=shorten(evidence),
            base=base,
            phase=phase,
            role=role,
            floor=floor,
            small=small,
        )
        return f


def text_not_action(src: SourceFile, line: int, col: int, text: str, evidence: str) -> str:
    """Why ``evidence`` (at column ``col`` of ``line``, whose text is ``text``) is text about the
    behaviour rather than the behaviour, or "" when it is not: the code talks about it, it does
    not perform it."""
    if text.startswith("#") or src.is_doc_line(line) or src.in_comment(line, col):
        return "in a comment/docstring"
    facts = src.facts
    if facts is not None and facts.is_dead(line):
        return "in code that never runs"  # on today's Pythons and platforms (``if PY2:``)
    if facts is not None and facts.in_table(line):
        return "in a record of a data table"  # a red-team prompt set, a list of test cases
    if src.in_pattern(line, evidence):
        return "in a regex pattern"  # a regular expression looks for it (a scanner's rules)
    if src.in_prose(line, evidence):
        return "in prose"  # running text quotes it as an example (a language model's prompt)
    if src.in_message(line, evidence):
        return "in a message shown"  # an install hint, an error message: nothing runs it
    return ""


#: YARA hits in Python comments and docstrings count this much of their weight.
DOC_SCALE = 0.3
#: How comment lines start in the scripts shipped in packages (Python, shells, JS, batch).
_COMMENT_MARKS = (b"#", b"//", b"REM ", b"rem ", b"::")


SCRIPT_SUFFIXES = frozenset(
    {".sh", ".bash", ".ps1", ".psm1", ".bat", ".cmd", ".vbs", ".vbe", ".js", ".jse", ".wsf", ".hta"}
)


def source_for(ctx: ScanContext, member: Member) -> SourceFile | None:
    return ctx.source(member)


def phase_at_line(src: SourceFile, line: int) -> Phase:
    """The phase of the innermost scope holding something on ``line`` (base phase if unknown)."""
    facts = src.facts
    if facts is None:
        return src.base_phase
    scope = _scope_at_line(facts, line)
    return src.phase(scope) if scope is not None else src.base_phase


def _scope_at_line(facts: Facts, line: int) -> int | None:
    for s in facts.strings:
        if s.line == line:
            return s.scope
    for c in facts.calls:
        if c.line == line:
            return c.scope
    # The nearest scope that starts at or before the line (functions nest by line order).
    best: int | None = None
    for sc in facts.scopes:
        if sc.line <= line and (best is None or sc.line >= facts.scopes[best].line):
            best = sc.id
    return best


def best_per_file(findings: Iterable[Finding]) -> list[Finding]:
    """Keep the heaviest finding per (file, message) so one rule does not flood the report."""
    best: dict[tuple[str, str], Finding] = {}
    for f in findings:
        key = (f.file, f.message)
        if key not in best or f.weight > best[key].weight:
            best[key] = f
    return list(best.values())
