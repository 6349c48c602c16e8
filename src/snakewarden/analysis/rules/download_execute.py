"""download-execute: code fetched from the network is executed, or saved and run.

The download is a Python call (``requests``, ``urllib``...) or a command-line tool the code runs
(``curl -o``, ``wget``, ``certutil -urlcache``, PowerShell ``Invoke-WebRequest -OutFile``). Running
it is exec of the content, or starting the saved file (``os.startfile``, ``Popen([path])``,
``start``/``explorer``/``Start-Process``, ``./x`` after ``chmod +x``): linked by the variable that
holds the path, the file's literal name (or the URL's last segment, for ``curl -O``), or a helper
of the file that downloads and returns the path. Unpacking or building the download (``tar``,
``make``, ``pip``) does not run it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from snakewarden.analysis.context import EXEC_CALLS, Role, ScanContext
from snakewarden.analysis.facts import CallFact, Facts, dotted
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import (
    Emitter,
    best_per_file,
    group_calls,
    is_exec,
    is_network,
    is_process,
    parsed,
    subcalls,
)
from snakewarden.analysis.rules._flow import Flow, flow_for, walk
from snakewarden.analysis.rules.drop_and_run import (
    _LAUNCHERS,
    _SEPARATORS,
    Helpers,
    _Command,
    _flatten,
    _word_text,
    dropped_run,
    helpers,
    temp_flow,
    writes_and_runs,
)
from snakewarden.analysis.rules.process_exec import (
    _BUILD_TOOLS,
    _CHAINED,
    _FETCH,
    _INTERPRETERS,
    _command_text,
    _first_word,
)
from snakewarden.core.models import Finding, Phase, Severity

META = RuleMeta(
    id="download-execute",
    description="downloads code or a program and executes it",
    severity=Severity.CRITICAL,
    category="threat.dropper.download_exec",
)
#: Outside install-time code, a fetch and an exec count together only in a small function.
MAX_GROUP_CALLS = 40
_RUN_EXTRA = frozenset({"os.startfile", "ctypes.windll.shell32.ShellExecuteW"})
#: File names of programs and scripts (what a dropper fetches): a downloaded one that runs
#: weighs more than a downloaded file of unknown kind.
_PROGRAM = re.compile(
    r"\.(exe|scr|com|bat|cmd|msi|dll|ps1|vbs|vbe|js|jse|wsf|hta|jar|sh|py|pyw|elf|bin|apk)$", re.I
)
_FILE_NAME = re.compile(r"[\w.~$-]*\w\.[A-Za-z0-9]{1,4}")
_SPLIT = re.compile(r"[\s'\"/\\]+")


#: A literal URL of this machine: a request to it downloads nothing from anywhere.
_LOOPBACK = re.compile(r"https?://(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])([:/]|$)", re.I)


def is_fetch(call: CallFact) -> bool:
    """A network call that downloads (not a request to a literal loopback URL)."""
    if not is_network(call):
        return False
    last = call.name.rsplit(".", 1)[-1]
    if last not in ("urlopen", "urlretrieve", "get", "download", "request", "stream", "Request"):
        return False
    url = next(
        (
            a
            for a in (*call.node.args[:2], *(k.value for k in call.node.keywords if k.arg == "url"))
            if isinstance(a, ast.Constant) and isinstance(a.value, str) and "://" in a.value
        ),
        None,
    )
    return url is None or not _LOOPBACK.match(str(url.value))


def _runs(call: CallFact) -> bool:
    """Starts a program (build tools too: ``_builds`` tells them apart where it matters)."""
    return call.name in _RUN_EXTRA or is_process(call)


def _fetchers(flow: Flow | None, resolve: object, tools: dict[_Pos, _Download]) -> set[str]:
    """Names of the file's functions that download (a fetch, or a tool download, happens
    inside them)."""
    if flow is None or not callable(resolve):
        return set()
    return {
        d.name
        for d in walk(flow.tree)
        if isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef)
        and any(
            isinstance(n, ast.Call)
            and (_pos(n) in tools or _fetch_source(n, resolve(dotted(n.func))))
            for n in walk(d)
        )
    }


def _no_arg_functions(flow: Flow | None, facts: Facts) -> dict[str, int]:
    """The module's own functions that take no argument, by name -> their scope id (the key
    of their calls in ``group_calls``)."""
    if flow is None or not facts.scopes:
        return {}
    bare = {
        d.name
        for d in walk(flow.tree)
        if isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef)
        and not (d.args.posonlyargs or d.args.args or d.args.kwonlyargs)
        and d.args.vararg is None
        and d.args.kwarg is None
    }
    out: dict[str, int] = {}
    for c in facts.scopes[0].children:
        scope = facts.scopes[c]
        if scope.kind == "function" and scope.name in bare:
            out.setdefault(scope.name, c)
    return out


#: Tools that only read a file (its symbols, its checksum): running one on a download is no
#: running the download.
_READERS = frozenset(
    {"nm", "objdump", "readelf", "strings", "file", "sha256sum", "sha1sum", "sha512sum", "md5sum"}
)


def _builds(call: CallFact) -> bool:
    """A build tool run (``git``, ``cmake``...), one command of a tool that only reads a file
    (``nm``, ``sha256sum``), or a program named in a list of arguments (``["flatc", "-p",
    path]``) that is no interpreter or launcher: no sign of running what was downloaded."""
    cmd = _command_text(call.node)
    if cmd is None:
        return False
    first = _first_word(cmd)
    return (
        first in _BUILD_TOOLS
        or (first in _READERS and not _CHAINED.search(cmd))
        or _named_tool(call.node)
    )


#: System tools that schedule, register or otherwise start a file given among their
#: arguments (beside the launchers that run the file named after them).
_SYSTEM_RUNNERS = frozenset(
    {
        "explorer", "chmod", "wine", "java", "dotnet", "mono", "schtasks", "at", "sc", "reg",
        "launchctl", "systemctl", "crontab", "installutil", "regasm", "regsvcs", "cmstp",
        "forfiles", "pcalua", "odbcconf", "msbuild", "wmic", "conhost", "bitsadmin", "certutil",
    }
)  # fmt: skip
_TOOL_NAME = re.compile(r"[a-z][a-z0-9_+-]*")


def _named_tool(node: ast.Call) -> bool:
    """``subprocess.call(["flatc", "-p", "-o", out, path])``: the program is a bare name from
    the PATH (no folder, no extension: not a file the code saved) that runs nothing it is
    given; a downloaded file among its arguments is data for it."""
    arg = node.args[0] if node.args else None
    if not isinstance(arg, ast.List | ast.Tuple) or not arg.elts:
        return False
    first = arg.elts[0]
    return (
        isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and _TOOL_NAME.fullmatch(first.value) is not None
        and first.value not in _LAUNCHERS
        and first.value not in _INTERPRETERS
        and first.value not in _SYSTEM_RUNNERS
        and not first.value.startswith("python")
    )


def _fetch_source(node: ast.Call, name: str) -> bool:
    """A call whose result is downloaded content (``requests.get(...)``, ``urlopen(...)``)."""
    return _is_fetch_name(name) or (
        name.rsplit(".", 1)[-1] in ("urlopen", "urlretrieve", "download", "stream")
        and name.split(".", 1)[0] in ("urllib", "urllib2", "urllib3", "requests", "httpx", "wget")
    )


def _runs_code(flow: Flow, node: ast.Call, name: str, names: set[str], unit: ast.AST) -> bool:
    """exec/eval/compile of downloaded content (the sink of ``_flow``)."""
    return name in EXEC_CALLS and bool(node.args) and flow.tainted(node.args[0], names)


def _program_names(exprs: list[ast.AST]) -> set[str]:
    """Literal names of programs and scripts (``x.exe``, ``.ps1`` suffixes) in expressions."""
    out: set[str] = set()
    for expr in exprs:
        for n in walk(expr):
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and len(n.value) < 300:
                text = ("x" + n.value) if n.value.startswith(".") else n.value
                out.update(
                    t for t in _SPLIT.split(text) if _FILE_NAME.fullmatch(t) and _PROGRAM.search(t)
                )
    return out


def _program(calls: list[CallFact], run: CallFact, found: _Found, flow: Flow | None) -> bool:
    """The file the unit wrote and ``run`` starts is named as a program or script (``x.exe``,
    ``x.ps1``): by the literal names in its path or in the values assigned to the variable
    holding it (the run names that variable or that file, or hands on the call of a helper
    that saved it), or by the ``suffix`` of a temp file."""
    cmd = found.command(run)
    if cmd is None:
        return False
    cmd_vars = {n.id for n in walk(cmd) if isinstance(n, ast.Name)}
    cmd_calls = {ast.dump(n) for n in walk(cmd) if isinstance(n, ast.Call)}
    cmd_files = {t.lower() for t in _program_names([cmd])}
    for w in calls:
        if not found.writes(w):
            continue
        if _program_names([k.value for k in w.node.keywords if k.arg == "suffix"]):
            return True  # tempfile.NamedTemporaryFile(suffix=".exe")
        path = found.path(w)
        if path is None:
            continue
        exprs: list[ast.AST] = [path]
        if isinstance(path, ast.Name) and flow is not None:
            exprs.extend(flow.assigned(flow.tree, path.id))
        exprs.extend(found.produced.get(w.name.rsplit(".", 1)[-1], []))
        names = {t.lower() for t in _program_names(exprs)}
        if names and (
            (isinstance(path, ast.Name) and path.id in cmd_vars)
            or ast.dump(path) in cmd_calls
            or names & cmd_files
            or {t.rsplit("/", 1)[-1] for t in names} & cmd_files
        ):
            return True
    return False


# -- downloads by a command-line tool -----------------------------------------------------------

#: Programs (and PowerShell cmdlets) that save what a URL serves to a file.
_DOWNLOADERS = frozenset(
    {
        "curl", "wget", "certutil", "bitsadmin", "aria2c", "invoke-webrequest", "iwr",
        "start-bitstransfer",
    }
)  # fmt: skip
#: One of them (or WebClient's ``DownloadFile``) named in a command.
_TOOL_WORD = re.compile(
    r"\b(" + "|".join(map(re.escape, sorted(_DOWNLOADERS | {"downloadfile"}))) + r")\b", re.I
)
#: WebClient's ``DownloadFile('URL', 'file')`` in a PowerShell command.
_DOWNLOAD_FILE = re.compile(r"downloadfile\(\s*['\"]?[^'\",]*['\"]?\s*,\s*['\"]?([^'\")]+)", re.I)
#: Words that start the file named after them, like the shell's ``start``.
_STARTERS = frozenset(
    {"explorer", "start-process", "saps", "invoke-item", "ii", "invoke-expression", "iex"}
)
#: Commands that handle a downloaded file without running it (unpack, check, move it).
_FILE_TOOLS = frozenset(
    {
        "chmod", "chown", "unzip", "7z", "7za", "gunzip", "gzip", "bunzip2", "xz", "unxz",
        "zstd", "shasum", "gpg", "gpgv", "mv", "ls", "cat", "touch", "ln", "xattr", "codesign",
        "hdiutil", "cd", "test", "head", "tail", "grep", "sed", "awk", "tee", "du", "wc", "sleep",
        "set", "export",
    }
) | _READERS  # fmt: skip
#: Words before the program of a command (``sudo curl``, ``powershell -Command iwr``).
_PREFIXES = frozenset(
    {
        "sudo", "nohup", "env", "exec", "call", "start", "cmd", "powershell", "pwsh", "bash", "sh",
        "timeout", "nice", "command", "time",
    }
)  # fmt: skip
_URL_NAME = re.compile(r"[\w.~$-]*\w")
_Word = list[str | ast.AST]
_Pos = tuple[int, int, int, int]


@dataclass(frozen=True)
class _Download:
    """A command that downloads a URL to a file with a tool."""

    tool: str
    #: the saved file: a path expression, or its literal name (None when not known)
    output: ast.expr | None
    #: what the same command runs after the download (``... && ./x``), as a command
    rest: ast.expr | None


def _pos(node: ast.AST) -> _Pos:
    """Where a node is (the same in every parse of the file; nested calls differ by their end)."""
    return (
        getattr(node, "lineno", 0),
        getattr(node, "col_offset", 0),
        getattr(node, "end_lineno", 0) or 0,
        getattr(node, "end_col_offset", 0) or 0,
    )


def _word_name(word: _Word) -> str:
    """The program a word names (``/usr/bin/curl.exe`` -> ``curl``), "" when computed."""
    text = _word_text(word).lstrip("{(&@ ")
    return _first_word(text) if text.strip() else ""


def _is_separator(word: _Word) -> bool:
    return len(word) == 1 and word[0] in _SEPARATORS


def _joined(words: list[_Word]) -> ast.JoinedStr:
    """Words back into one command (an f-string ``_flatten`` splits into the same words)."""
    values: list[ast.expr] = []
    for word in words:
        for piece in word:
            if isinstance(piece, str):
                values.append(ast.Constant(value=piece))
            elif isinstance(piece, ast.expr):
                values.append(ast.FormattedValue(value=piece, conversion=-1, format_spec=None))
        values.append(ast.Constant(value=" "))
    return ast.JoinedStr(values=values)


def _started(words: list[_Word]) -> tuple[list[_Word], bool]:
    """The words with ``explorer``/``Start-Process``/... read as ``start`` (a launcher)."""
    out: list[_Word] = []
    changed = False
    for word in words:
        if _word_name(word) in _STARTERS:
            out.append(["start"])
            changed = True
        else:
            out.append(word)
    return out, changed


def _file_expr(word: _Word) -> ast.expr | None:
    """The file a word names: the path variable it is made of, or its literal text."""
    exprs = [p for p in word if isinstance(p, ast.expr)]
    text = _word_text(word).strip("'\"` ")
    base = re.split(r"[/\\]", text)[-1] if text else ""
    if text == "-" or base.lower() in ("null", "nul"):
        return None  # standard output, /dev/null
    if base and not (exprs and base.startswith(".")):
        return ast.Constant(value=text)
    # a computed name (``{d}/{name}.exe``): the variable that names the file
    return exprs[-1] if exprs else None


def _url_file(word: _Word, facts: Facts, call: CallFact) -> ast.expr | None:
    """The file ``curl -O``/``wget`` save a URL as: its last path segment, when known."""
    text = _word_text(word)
    if not text:
        name = next((p for p in word if isinstance(p, ast.Name)), None)
        value = facts.assigned(name.id, call.scope, call.line) if name is not None else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            text = value.value
    if "://" not in text:
        return None
    path = text.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0]
    base = path.rstrip("/").rsplit("/", 1)[-1] if "/" in path else ""
    return ast.Constant(value=base) if base and _URL_NAME.fullmatch(base) else None


def _saved(
    tool: str, args: list[_Word], facts: Facts, call: CallFact
) -> tuple[bool, ast.expr | None]:
    """(the tool saves the URL to a file, that file when known) from the tool's arguments."""
    texts = [_word_text(w) for w in args]
    lower = [t.lower() for t in texts]
    out_flags = {"curl": ("-o", "--output"), "wget": ("-O", "--output-document")}.get(
        tool, ("-o", "--out")
    )
    short = out_flags[0][1]

    def names_output(i: int) -> bool:
        """Word ``i`` is an option whose value is the saved file."""
        t = texts[i]
        if tool in ("curl", "wget", "aria2c"):
            return t in out_flags or bool(re.fullmatch(r"-[A-Za-z]+", t) and t.endswith(short))
        return lower[i] in ("-outfile", "-destination")

    url_at = next((i for i, t in enumerate(texts) if "://" in t), None)
    if url_at is None:  # a computed URL: the first computed word that is not the saved file
        url_at = next(
            (
                i
                for i in range(len(args))
                if not texts[i].strip("'\"") and (i == 0 or not names_output(i - 1))
            ),
            None,
        )
    if url_at is None:
        return False, None  # no address: ``apt-get install wget``, ``curl --version``
    url = args[url_at]
    if "://" in texts[url_at] and not _FETCH.search(texts[url_at]):
        return False, None  # a loopback address
    after = args[url_at + 1] if url_at + 1 < len(args) else None

    def value(i: int) -> _Word | None:
        return args[i + 1] if i + 1 < len(args) else None

    if tool in ("curl", "wget", "aria2c"):
        remote = tool != "curl"  # wget and aria2c save under the URL's name by default
        for i, t in enumerate(texts):
            if names_output(i):
                word = value(i)
                if word is None or _word_text(word) == "-":
                    return False, None  # to standard output
                return True, _file_expr(word)
            if t.startswith(out_flags[1] + "="):
                return True, _file_expr([t.split("=", 1)[1]])
            if t.endswith(short + "-") and t.startswith("-"):
                return False, None  # wget -qO-
            if tool == "curl" and (
                t in ("--remote-name", "--remote-name-all")
                or (re.fullmatch(r"-[A-Za-z]+", t) and "O" in t)
            ):
                remote = True
            if tool == "wget" and t == "--spider":
                return False, None
            if t.startswith(">") and not t.startswith(">&"):  # curl URL > file
                word = [t.lstrip(">")] if t.lstrip(">") else value(i)
                saved = _file_expr(word) if word else None
                return saved is not None, saved  # not to /dev/null
        return (True, _url_file(url, facts, call)) if remote else (False, None)
    if tool in ("certutil", "bitsadmin"):
        flag = "urlcache" if tool == "certutil" else "transfer"
        if not any(t.lstrip("-/") == flag for t in lower):
            return False, None
        return True, _file_expr(after) if after is not None else None
    # PowerShell: Invoke-WebRequest -OutFile X, Start-BitsTransfer -Source U -Destination X
    for i in range(len(args)):
        word = value(i)
        if names_output(i) and word is not None:
            return True, _file_expr(word)
    return False, None


def _spaced(expr: ast.expr) -> bool:
    """Literal text with spaces in it: a command line, not a path."""
    return any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and " " in n.value.strip()
        for n in ast.walk(expr)
    )


def _process_command(call: CallFact, facts: Facts) -> ast.expr | None:
    """The command a process call runs, with the variables that hold its text replaced by
    that text (``cmd = "..."; os.system(cmd)``, ``["powershell", "-Command", ps]``)."""
    node = call.node
    expr: ast.expr | None = node.args[0] if node.args else None
    if expr is None:
        expr = next((k.value for k in node.keywords if k.arg in ("args", "cmd", "command")), None)

    def value(e: ast.expr) -> ast.expr:
        if isinstance(e, ast.Name):
            v = facts.assigned(e.id, call.scope, call.line)
            if isinstance(v, ast.Constant | ast.JoinedStr | ast.BinOp | ast.List | ast.Tuple):
                return v
        return e

    if expr is None:
        return None
    expr = value(expr)
    if isinstance(expr, ast.List | ast.Tuple) and expr.elts:
        # the program (``[curl_path, ...]``) and the commands handed to it keep their text;
        # a path stays the variable that holds it (to follow it to the run)
        first, *rest = expr.elts
        elts = [value(first), *(v if _spaced(v := value(e)) else e for e in rest)]
        expr = ast.List(elts=elts, ctx=ast.Load())
    return expr


def _tool_download(call: CallFact, facts: Facts) -> _Download | None:
    """The download a process call makes with a command-line tool, saving it to a file."""
    if not is_process(call) or call.name in _RUN_EXTRA:
        return None
    expr = _process_command(call, facts)
    if expr is None:
        return None
    text = " ".join(
        n.value for n in ast.walk(expr) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )
    if not _FETCH.search(text) or not _TOOL_WORD.search(text):
        return None
    cmd = _Command()
    _flatten(expr, cmd)
    words = cmd.words()
    start = 0
    for end in [*(i for i, w in enumerate(words) if _is_separator(w)), len(words)]:
        segment = words[start:end]
        found = _segment_download(segment, facts, call)
        if found is not None:
            tool, output = found
            rest, _ = _started(words[end + 1 :])
            return _Download(tool, output, _joined(rest) if rest else None)
        start = end + 1
    return None


def _segment_download(
    segment: list[_Word], facts: Facts, call: CallFact
) -> tuple[str, ast.expr | None] | None:
    """(tool, saved file) when one command of a command line downloads to a file: the tool
    is its program, after launchers and their options (``powershell -Command iwr ...``)."""
    raw = " ".join("".join(p for p in w if isinstance(p, str)) for w in segment)
    found = _DOWNLOAD_FILE.search(raw)
    if found:
        return "DownloadFile", _file_expr([found.group(1)])
    for k, word in enumerate(segment):
        name = _word_name(word)
        if name in _DOWNLOADERS:
            saves, output = _saved(name, segment[k + 1 :], facts, call)
            return (name, output) if saves else None
        text = _word_text(word)
        if name not in _PREFIXES and not (text.startswith(("-", "/")) and len(text) <= 20):
            return None
    return None


@dataclass
class _Found(Helpers):
    """The file's helpers (see ``Helpers``), with the downloads made by tools as writes of the
    file they save (and, when the same command runs more, as runs of that rest), helpers that
    download and return the saved path (``producers``), and commands that start a file with
    ``explorer`` or ``Start-Process`` read as ``start``."""

    facts: Facts | None = None
    tools: dict[_Pos, _Download] = field(default_factory=dict)
    producers: set[str] = field(default_factory=set)
    #: producer calls assigned to a name (``p = download(url)``): position -> name
    bound: dict[_Pos, str] = field(default_factory=dict)
    #: the values a producer gives the path it returns (its literal file names)
    produced: dict[str, list[ast.AST]] = field(default_factory=dict)

    def _tool(self, call: CallFact) -> _Download | None:
        return self.tools.get(_pos(call.node))

    def _produces(self, call: CallFact) -> bool:
        return call.name.rsplit(".", 1)[-1] in self.producers and not Helpers.writes(self, call)

    def writes(self, call: CallFact) -> bool:
        tool = self._tool(call)
        if tool is not None:
            return tool.output is not None
        return self._produces(call) or super().writes(call)

    def runs(self, call: CallFact) -> bool:
        tool = self._tool(call)
        if tool is not None:
            return tool.rest is not None
        return super().runs(call)

    def path(self, call: CallFact) -> ast.expr | None:
        tool = self._tool(call)
        if tool is not None:
            return tool.output
        if self._produces(call):
            name = self.bound.get(_pos(call.node))
            return ast.Name(id=name, ctx=ast.Load()) if name else call.node
        return super().path(call)

    def command(self, call: CallFact) -> ast.expr | None:
        tool = self._tool(call)
        if tool is not None:
            return tool.rest
        expr = super().command(call)
        value = expr
        if isinstance(expr, ast.Name) and self.facts is not None:
            value = self.facts.assigned(expr.id, call.scope, call.line)
        if value is None or not isinstance(value, ast.Constant | ast.JoinedStr | ast.List):
            return expr
        if isinstance(value, ast.Constant) and not isinstance(value.value, str):
            return expr
        cmd = _Command()
        _flatten(value, cmd)
        words, changed = _started(cmd.words())
        return _joined(words) if changed else expr


def _runs_fetched(flow: Flow, facts: Facts, gid: int, call: CallFact) -> bool:
    """``call`` (an exec) runs downloaded code of its unit. In a whole install-time file the
    unit is the exec's own function: names are not scoped across a file's functions, and an
    ``f`` holding a download in one must not taint ``exec(f.read())`` of a local file in another
    (a download a helper returns is still followed)."""
    if gid < 0:
        top = facts.top_function(call.scope)
        unit, names = flow.unit(facts.scopes[top].line if top else 0, whole_file=False)
    else:
        unit, names = flow.unit(facts.scopes[gid].line if gid else 0, whole_file=False)
    return flow.sends(call.node, names, unit)


def _found(flow: Flow | None, facts: Facts, tools: dict[_Pos, _Download]) -> _Found:
    """``helpers`` of the file, with its tool downloads and the helpers that save a download
    to a parameter's path (writers) or return the path of the file they saved (producers)."""
    base = helpers(flow, facts.resolve)
    found = _Found(base.writers, base.runners, facts, tools)
    if flow is None:
        return found
    plain = Helpers()
    for d in flow.called_defs():
        params = [
            a.arg for a in (*d.args.posonlyargs, *d.args.args) if a.arg not in ("self", "cls")
        ]
        returned = {
            n.value.id
            for n in walk(d, into_functions=False)
            if isinstance(n, ast.Return) and isinstance(n.value, ast.Name)
        }
        if not params and not returned:
            continue
        fetches = False
        saved: set[str] = set()
        for n in walk(d):
            if not isinstance(n, ast.Call):
                continue
            tool = tools.get(_pos(n))
            path: ast.expr | None = tool.output if tool is not None else None
            fetches = fetches or tool is not None or _fetch_source(n, flow.name_of(n))
            if tool is None:
                call = CallFact(flow.name_of(n), dotted(n.func), n.lineno, 0, n)
                path = plain.path(call) if plain.writes(call) else None
            if not isinstance(path, ast.Name):
                continue
            saved.add(path.id)
            if tool is not None and path.id in params:
                found.writers.setdefault(d.name, params.index(path.id))
        if fetches and saved & returned:
            found.producers.add(d.name)
            found.produced[d.name] = [v for n in saved & returned for v in flow.assigned(d, n)]
    if found.producers:
        for n in walk(flow.tree):
            if (
                isinstance(n, ast.Assign)
                and len(n.targets) == 1
                and isinstance(n.targets[0], ast.Name)
                and isinstance(n.value, ast.Call)
                and dotted(n.value.func).rsplit(".", 1)[-1] in found.producers
            ):
                found.bound[_pos(n.value)] = n.targets[0].id
    return found


def _starts_program(call: CallFact, facts: Facts, tools: dict[_Pos, _Download]) -> str | None:
    """The program a call starts, unless it starts none or only a download, a build tool or a
    command that handles files (``tar``, ``make``, ``chmod``...); "…" when it is computed."""
    tool = tools.get(_pos(call.node))
    if tool is not None:
        if tool.rest is None:
            return None
        cmd = _Command()
        _flatten(tool.rest, cmd)
        words = cmd.words()
    elif call.name in _RUN_EXTRA:
        return call.name
    elif is_process(call):
        expr = _process_command(call, facts)
        if expr is None:
            return None
        cmd = _Command()
        _flatten(expr, cmd)
        words = cmd.words()
    else:
        return None
    first = True
    for word in words:
        if _is_separator(word):
            first = True
            continue
        name = _word_name(word)
        if not name and any(
            facts.resolve(dotted(n)) == "sys.executable"
            for p in word
            if isinstance(p, ast.AST)
            for n in ast.walk(p)
            if isinstance(n, ast.Attribute)
        ):
            name = "python"
        text = _word_text(word)
        if not first or name in _PREFIXES or text.startswith("-") or text.isdigit():
            continue  # a launcher's options (``bash -i -c``), ``2>&1``'s descriptor
        first = False
        if name not in _BUILD_TOOLS | _FILE_TOOLS | _DOWNLOADERS:
            return name or "…"
    return None


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            # exec(urlopen(...).read()) and friends, inline
            for call in facts.calls:
                if is_exec(call) and call.node.args:
                    inner = subcalls(call.node.args[0], facts)
                    if any(_is_fetch_name(n) for n in inner):
                        out.append(
                            emit.at(
                                src,
                                call.line,
                                call.scope,
                                0.95,
                                "executes code downloaded from the network",
                                floor=0.8,
                            )
                        )
            tools = {
                _pos(c.node): d for c in facts.calls if (d := _tool_download(c, facts)) is not None
            }
            fetches = [c for c in facts.calls if is_fetch(c)]
            if not fetches and not tools:
                continue
            file_flow = temp_flow(src) if tools or writes_and_runs(facts.calls) else None
            found = _found(file_flow, facts, tools)
            fetchers = _fetchers(file_flow, facts.resolve, tools)
            no_args = _no_arg_functions(file_flow, facts)
            if not found.writers and not tools:
                # a call of a downloading function counts as the download when that function
                # also hands back the saved path, or runs where the unit does (no arguments)
                fetchers &= found.producers | set(no_args)
            install = src.role in (Role.SETUP, Role.BACKEND, Role.PTH)
            groups = group_calls(src)
            units: dict[int, list[CallFact]] = dict(groups)
            if install:
                # install-time code: helpers call each other, so the whole file is one unit for
                # following the downloaded code or file (not for mere co-occurrence)
                units = {-1: [c for cs in groups.values() for c in cs]}
            code_flow: Flow | None = None
            running = {i for i in no_args.values() if any(found.runs(r) for r in groups.get(i, ()))}
            for gid, calls in units.items():
                fetch = next(
                    (c for c in calls if is_fetch(c) or _pos(c.node) in tools),
                    next((c for c in calls if c.name.rsplit(".", 1)[-1] in fetchers), None),
                )
                if fetch is None:
                    continue
                execs = [c for c in calls if is_exec(c) and c.node.args]
                if execs:
                    code_flow = code_flow or flow_for(
                        src, _fetch_source, _runs_code, EXEC_CALLS.__contains__
                    )
                if execs and code_flow is not None:
                    ran = next((c for c in execs if _runs_fetched(code_flow, facts, gid, c)), None)
                    if ran is not None:
                        out.append(
                            emit.at(
                                src,
                                ran.line,
                                ran.scope,
                                0.8,
                                f"downloads ({fetch.name}, line {fetch.line}) and "
                                f"executes code ({ran.name})",
                                floor=0.45,
                            )
                        )
                        continue
                # the writes and runs of the file's argument-less helpers count where they are
                # called (``def start(): subprocess.call(["x.exe"])``, called after the download)
                # (its writes only when it runs nothing: one that writes and runs is a unit of
                # its own)
                inlined = [
                    CallFact(r.name, r.raw, c.line, c.scope, r.node)
                    for c in calls
                    if gid >= 0 and c.name in no_args
                    for r in groups.get(no_args[c.name], ())
                    if found.runs(r) or (found.writes(r) and no_args[c.name] not in running)
                ][:MAX_GROUP_CALLS]
                dropped = (
                    dropped_run(src, facts, gid, calls + inlined, file_flow, found)
                    if file_flow
                    else None
                )
                if dropped is not None:
                    write, run = dropped
                    is_program = _program(calls + inlined, run, found, file_flow)
                    saver = next(
                        (
                            c
                            for c in [write, *calls, *inlined]
                            if _pos(c.node) in tools and c.line <= run.line
                        ),
                        None,
                    )
                    how = (
                        f"with {tools[_pos(saver.node)].tool} ({saver.name}, line {saver.line})"
                        if saver is not None
                        else ""
                    )
                    # a function nobody is shown to call keeps the weight of its phase
                    runtime = src.phase(run.scope) is Phase.RUNTIME
                    what = "a program it downloaded" if is_program else "what it downloaded"
                    out.append(
                        emit.at(
                            src,
                            run.line,
                            run.scope,
                            0.85 if is_program else 0.75,
                            f"downloads {how or f'({fetch.name}, line {fetch.line})'} and "
                            f"runs {what} ({run.name})",
                            floor=0.6 if is_program and not runtime else 0.0,
                        )
                    )
            # a download and a program run in one small function, not shown to be linked
            for calls in groups.values():
                if len(calls) > MAX_GROUP_CALLS:
                    continue
                fetched = next((c for c in calls if _pos(c.node) in tools), None)
                started = next(
                    (
                        (c, name)
                        for c in calls
                        if fetched is not None
                        and c.line >= fetched.line
                        and (name := _starts_program(c, facts, tools))
                    ),
                    None,
                )
                if fetched is not None and started is not None:
                    out.append(
                        emit.at(
                            src,
                            started[0].line,
                            started[0].scope,
                            0.35,
                            f"downloads with {tools[_pos(fetched.node)].tool} ({fetched.name}, "
                            f"line {fetched.line}) and then starts a program "
                            f"({started[1] if started[1] != '…' else started[0].name})",
                        )
                    )
                fetch = next((c for c in calls if is_fetch(c)), None)
                program = next((c for c in calls if _runs(c) and not _builds(c)), None)
                if fetch is None or program is None:
                    continue
                out.append(
                    emit.at(
                        src,
                        program.line,
                        program.scope,
                        0.45,
                        f"downloads ({fetch.name}, line {fetch.line}) and runs a program "
                        f"({program.name})",
                    )
                )
        yield from best_per_file(out)


def _is_fetch_name(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    head = name.split(".", 1)[0]
    if last in ("urlopen", "urlretrieve"):
        return True
    return head in ("requests", "httpx", "urllib", "urllib2", "urllib3") and last in (
        "get", "request", "urlopen", "post",
    )  # fmt: skip


RULE = _Rule()
