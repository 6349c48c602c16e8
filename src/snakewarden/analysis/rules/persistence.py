"""persistence: Run keys, startup folders, scheduled tasks, cron, systemd, launch agents.

Two kinds of evidence. A *mention* (a YARA hit on a Run key, a startup folder, a crontab
command, a shell start-up file name...) weighs little: installers of shell completion, docs and
tools that manage services mention these places all the time. An *install* weighs more: code
that writes one of those places, found in the syntax tree:

- a file opened for writing or appending, written (``write_text``), copied, moved, linked or
  downloaded to a path that resolves (literals, ``os.path.join``/``expanduser``,
  ``Path.home() / ...``, ``os.getenv("APPDATA")``, variables and small path helpers of the
  file) to a persistence location: a shell start-up file, the Windows Startup folder, a crontab
  or cron folder, a systemd unit folder, LaunchAgents/LaunchDaemons, XDG autostart, rc.local;
- a value set under a ``...\\CurrentVersion\\Run`` (or RunOnce) key opened or created in the
  same function (``winreg.OpenKey``/``CreateKey`` then ``SetValueEx``);
- a command run that installs it: ``crontab -`` / ``crontab FILE``, ``systemctl enable``,
  ``schtasks /create``, ``reg add ...\\Run``, ``launchctl load``, a shell redirect into one of
  the places above.

A download saved in the Startup folder (the write fetches it, or its function fetches a URL)
is a program fetched to run at every log-on: a dropper's install, heavy wherever it sits.

A text that only *shows* such a command (printed instructions) is not a write. A line added to
a shell start-up file for completion or ``PATH`` by code that runs only when called (a CLI's
``--install-completion``) is ordinary and weighs little; the same at install time or import does
not get that discount. The weight is then scaled by where the code runs (``Emitter.at``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from snakewarden.analysis.context import ScanContext, SourceFile
from snakewarden.analysis.facts import CallFact, Facts, dotted
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, is_process, parsed
from snakewarden.analysis.rules._flow import taint_flow, walk
from snakewarden.analysis.rules.download_execute import is_fetch
from snakewarden.core.models import Finding, Phase, Severity

META = RuleMeta(
    id="persistence",
    description="installs itself to survive reboots (Run keys, startup folder, cron, systemd...)",
    severity=Severity.HIGH,
    category="threat.persistence",
)
_WEIGHTS = {"sw_persistence_windows": 0.6, "sw_persistence_unix": 0.3, "sw_shell_rc": 0.1}
_DOCS = (".md", ".rst", ".txt", ".html", ".ipynb")
#: Base weights of installs: clearly above the mentions of the same places (``_WEIGHTS``).
WINDOWS_BASE = 0.7  # a Run key value, a file in the Startup folder, a scheduled task
UNIX_BASE = 0.65  # a crontab, a systemd unit, a launch agent, an init script
SHELL_RC_BASE = 0.5  # a line added to a shell start-up file
AUTOSTART_BASE = 0.3  # an XDG autostart entry (desktop apps offer "start at login")
LAUNCHCTL_BASE = 0.5  # loading a launch agent (the plist may be anyone's)
#: Windows installs (a Run key, the Startup folder, a scheduled task: next to never legitimate in
#: a package) never weigh less than this share of their base, like their mentions.
FLOOR = 0.35
#: A download saved into the Startup folder: a program fetched to run at every log-on (a
#: dropper's install), damning wherever the code sits.
DOWNLOADED_BASE = 0.95
DOWNLOADED_FLOOR = 0.9
_STARTUP = "the Windows Startup folder"

# -- persistence locations, matched on a normalised path (lower case, ``/`` separators, ``~``
#    for the home folder, ``%name%`` for an environment variable, ``…`` for what is not known)

#: (kind, pattern, base weight, floor) for paths written to.
_PLACES: tuple[tuple[str, re.Pattern[str], float, float], ...] = (
    (
        "the Windows Startup folder",
        re.compile(r"start ?menu/programs/startup(/|$)|(^|/)shell:(common )?startup(/|$)"),
        WINDOWS_BASE,
        FLOOR,
    ),
    (
        "a crontab",
        re.compile(
            r"^/etc/cron\.(d|daily|hourly|weekly|monthly)/|^/etc/crontab$|^/var/spool/cron(/|$)"
            r"|^/var/spool/cron/crontabs/"
        ),
        UNIX_BASE,
        0.0,
    ),
    (
        "a systemd unit",
        re.compile(
            r"(^|/)(\.config/systemd/user|etc/systemd/(system|user)|(usr/)?lib/systemd/"
            r"(system|user))/[^/]+$"
        ),
        UNIX_BASE,
        0.0,
    ),
    ("a launch agent", re.compile(r"(^|/)library/launch(agents|daemons)/[^/]+$"), UNIX_BASE, 0.0),
    ("an init script", re.compile(r"^/etc/(rc\.local|init\.d/[^/]+)$"), UNIX_BASE, 0.0),
    (
        "a shell start-up file",
        re.compile(
            r"(^|/)\.(bashrc|zshrc|bash_profile|bash_login|profile|zprofile|zlogin|zshenv)$"
            r"|^/etc/(profile|bash\.bashrc|zshrc|zsh/zshrc|zprofile)$|^/etc/profile\.d/[^/]+$"
            r"|(^|/)\.config/fish/config\.fish$"
            r"|(^|/)(windows)?powershell/(microsoft\.powershell_)?profile\.ps1$"
        ),
        SHELL_RC_BASE,
        0.0,
    ),
    (
        "an autostart entry",
        re.compile(r"(^|/)(\.config|etc/xdg)/autostart/[^/]+$"),
        AUTOSTART_BASE,
        0.0,
    ),
)
_SHELL_RC = "a shell start-up file"
#: Where the user's (or every user's) shell start-up files are: the home folder, a variable
#: naming it, a system folder, or the current folder (a bare name, after ``chdir(home)``).
_HOME_ANCHOR = re.compile(
    r"~|%(?!te?mp)\w+%/|/etc/|/home/|/root/|/users/|[a-z]:/users/|/var/root/|\.[\w.]+$"
)
#: A folder that only holds what starts up (a copy *into* it installs the file).
_FOLDERS = re.compile(
    r"start ?menu/programs/startup/?$|(^|/)shell:(common )?startup/?$|^/etc/cron\.d/?$"
    r"|(^|/)library/launch(agents|daemons)/?$|(^|/)\.config/autostart/?$"
    r"|(^|/)(\.config/systemd/user|etc/systemd/system)/?$"
)
#: Registry keys whose values run at log-on.
_RUN_KEY = re.compile(
    r"currentversion/+(run|runonce|runservices|runservicesonce|policies/+explorer/+run)/*$"
    r"|winlogon/*$"
)
#: Strings whose presence in a file makes it worth resolving paths (cheap pre-filter, on the
#: lower-cased text of literals short enough to be a path or a command).
_HINT = re.compile(
    r"bashrc|zshrc|bash_profile|bash_login|profile|zlogin|zshenv|config\.fish|startup|cron"
    r"|systemd|systemctl|launch(agents|daemons|ctl)|schtasks|scheduledtask|currentversion"
    r"|winlogon|autostart|rc\.local|init\.d|appdata|start menu"
)
_HINT_CHARS = 16384

# -- commands that install persistence (on the lower-cased command text, ``…`` for unknowns)

_COMMANDS: tuple[tuple[str, re.Pattern[str], float, float], ...] = (
    (
        "a Run key (reg add)",
        re.compile(
            r"\breg(\.exe)?\s+add\s+.*currentversion[\\/]+(run|runonce)\b"
            r"|(new|set)-itemproperty\b.*currentversion[\\/]+(run|runonce)\b"
        ),
        WINDOWS_BASE,
        FLOOR,
    ),
    (
        "a scheduled task",
        re.compile(r"\bschtasks(\.exe)?\b.*\s/create\b|\bregister-scheduledtask\b"),
        WINDOWS_BASE,
        FLOOR,
    ),
    (
        "a systemd unit (systemctl enable)",
        re.compile(r"\bsystemctl\s+(-{1,2}[\w-]+\s+)*enable\b"),
        UNIX_BASE,
        0.0,
    ),
    (
        "a launch agent (launchctl load)",
        re.compile(r"\blaunchctl\s+(-\w+\s+)*(load|bootstrap)\b"),
        LAUNCHCTL_BASE,
        0.0,
    ),
)
#: ``crontab`` as a command (at the start, after a separator or ``sudo``) and its first argument.
_CRONTAB = re.compile(r"(?:^|[|;&(`]|\bsudo)\s*(?:[\w./-]*/)?crontab(?:\s+-u\s+\S+)?(?:\s+(\S+))?")
#: A shell redirect, ``tee``, or copy naming its destination.
_REDIRECT = re.compile(r"(?:>>?|\btee\s+(?:-a\s+)?)\s*[\"']?([^\s\"';|&]+)")
#: PowerShell adding to its own start-up profile.
_PS_PROFILE = re.compile(r"\b(add-content|set-content|out-file)\b[^|;]*\$profile\b")
#: A word of a command line, quoted or not.
_WORD = re.compile(r'"([^"]+)"|\'([^\']+)\'|(\S+)')
#: Commands that copy, move or link a file to their last argument.
_COPY_COMMANDS = frozenset({"cp", "mv", "copy", "move", "xcopy", "ln", "install", "robocopy"})

#: Calls that open a file: the path is their first argument, the mode their second.
_OPENERS = frozenset({"open", "io.open", "codecs.open", "builtins.open"})
#: Calls that put a file at the path in their second argument.
_COPIES = frozenset(
    {
        "shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.move", "shutil.copytree",
        "os.rename", "os.replace", "os.link", "os.symlink", "urllib.request.urlretrieve",
        "urllib.urlretrieve", "wget.download",
    }
)  # fmt: skip
#: Registry calls that open or create a key (its path is an argument).
_REG_OPEN = frozenset(
    {
        "winreg.OpenKey", "winreg.OpenKeyEx", "winreg.CreateKey", "winreg.CreateKeyEx",
        "_winreg.OpenKey", "_winreg.OpenKeyEx", "_winreg.CreateKey", "_winreg.CreateKeyEx",
        "win32api.RegOpenKeyEx", "win32api.RegOpenKey", "win32api.RegCreateKey",
        "win32api.RegCreateKeyEx",
    }
)  # fmt: skip
_REG_SET = frozenset(
    {
        "winreg.SetValueEx", "_winreg.SetValueEx", "winreg.SetValue", "_winreg.SetValue",
        "win32api.RegSetValueEx", "win32api.RegSetValue",
    }
)  # fmt: skip
#: Registry writes reported as such (whatever the key).
_REG_CALLS = ("winreg.SetValueEx", "_winreg.SetValueEx", "winreg.CreateKey")
#: Lines a CLI adds to the user's shell start-up for completion or ``PATH`` (ordinary when the
#: user runs it).
_SHELL_SETUP = re.compile(
    r"complet|compinit|compdef|fpath|argcomplete|\bexport\s+path=|\bpath=|\$path"
    r"|\bsource\s+\S",
    re.IGNORECASE,
)
SETUP_BASE = 0.2
MAX_SETUP_CALLS = 80

_PATH_CALLS = frozenset(
    {"os.path.expanduser", "os.path.expandvars", "os.path.abspath", "os.path.realpath",
     "os.path.normpath", "str", "os.fspath", "posixpath.expanduser", "ntpath.expandvars"}
)  # fmt: skip
_JOINS = frozenset({"os.path.join", "posixpath.join", "ntpath.join"})
_PATHS = frozenset(
    {"pathlib.Path", "Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.WindowsPath",
     "PurePath", "PosixPath", "WindowsPath"}
)  # fmt: skip
_HOMES = frozenset({"pathlib.Path.home", "Path.home", "os.path.expanduser"})
_ENV_GET = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
#: Path methods that return the same path in another form.
_SAME = frozenset({"expanduser", "resolve", "absolute", "expandvars", "as_posix"})
MAX_DEPTH = 8
MAX_TEXT_NODES = 300
MAX_RETURNS = 200
UNKNOWN = "…"


@dataclass
class _Paths:
    """Resolves the text of path and command expressions in one file."""

    facts: Facts
    src: SourceFile
    #: returned expressions of the file's functions, by name (parsed only when asked for)
    _returns: dict[str, list[ast.expr]] | None = None
    _params: dict[str, list[str]] = field(default_factory=dict)
    #: nodes left to visit in the current ``text`` (a hostile file must not make it slow)
    _budget: int = 0

    def returns(self, name: str) -> list[ast.expr]:
        if self._returns is None:
            self._returns = {}
            flow = taint_flow(self.src, lambda *_: False)
            if flow is not None:
                defs = [
                    n
                    for n in walk(flow.tree)
                    if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                ]
                for d in defs[:MAX_RETURNS]:
                    a = d.args
                    self._params[d.name] = [x.arg for x in (*a.posonlyargs, *a.args)]
                    found = [
                        n.value
                        for n in walk(d, into_functions=False)
                        if isinstance(n, ast.Return) and n.value is not None
                    ]
                    if found:
                        self._returns.setdefault(d.name, found)
        return self._returns.get(name, [])

    def text(self, node: ast.AST, scope: int, line: int) -> str:
        """The text of ``node`` as a path or command: literal parts kept, variables followed to
        their last value, unknown parts as ``…``."""
        self._budget = MAX_TEXT_NODES
        return self._text(node, scope, line, 0)

    def _text(self, node: ast.AST, scope: int, line: int, depth: int) -> str:
        self._budget -= 1
        if depth > MAX_DEPTH or self._budget < 0:
            return UNKNOWN
        d = depth + 1
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else UNKNOWN
        if isinstance(node, ast.JoinedStr):
            return "".join(
                v.value
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
                else self._text(v.value, scope, line, d)
                if isinstance(v, ast.FormattedValue)
                else UNKNOWN
                for v in node.values
            )
        if isinstance(node, ast.Name):
            value = self.facts.assigned(node.id, scope, line)
            return UNKNOWN if value is None else self._text(value, scope, line, d)
        if isinstance(node, ast.BinOp):
            left, right = (
                self._text(node.left, scope, line, d),
                self._text(node.right, scope, line, d),
            )
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Div):  # Path / "x"
                return f"{left}/{right}"
            if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
                values = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
                parts = re.split(r"%[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]", left)
                return _interleave(parts, [self._text(v, scope, line, d) for v in values])
            return UNKNOWN
        if isinstance(node, ast.Subscript):
            env = _env_name(node.value, node.slice, self.facts)
            return f"%{env}%" if env else UNKNOWN
        if isinstance(node, ast.List | ast.Tuple):
            return " ".join(self._text(e, scope, line, d) for e in node.elts)
        if isinstance(node, ast.IfExp):
            return self._text(node.body, scope, line, d)
        if isinstance(node, ast.Call):
            return self._call_text(node, scope, line, d)
        return UNKNOWN

    def _call_text(self, node: ast.Call, scope: int, line: int, d: int) -> str:
        name = self.facts.resolve(dotted(node.func))
        args = node.args
        if name in _HOMES and not args:
            return "~"
        if name in _ENV_GET and args:
            env = _literal(args[0])
            return f"%{env}%" if env else UNKNOWN
        if name in _PATH_CALLS and args:
            return self._text(args[0], scope, line, d)
        if name in _JOINS or name in _PATHS:
            return "/".join(self._text(a, scope, line, d) for a in args) if args else UNKNOWN
        func = node.func
        if isinstance(func, ast.Attribute):
            recv = func.value
            if func.attr == "joinpath" and args:
                parts = [
                    self._text(recv, scope, line, d),
                    *(self._text(a, scope, line, d) for a in args),
                ]
                return "/".join(parts)
            if func.attr in _SAME:
                return self._text(recv, scope, line, d)
            if func.attr == "format" and isinstance(recv, ast.Constant | ast.Name):
                parts = re.split(r"\{[^{}]*\}", self._text(recv, scope, line, d))
                return _interleave(parts, [self._text(a, scope, line, d) for a in args])
            if func.attr == "join" and isinstance(recv, ast.Constant) and args:
                inner = args[0]
                if isinstance(inner, ast.List | ast.Tuple):
                    return str(recv.value).join(self._text(e, scope, line, d) for e in inner.elts)
        # a path helper of the file (``def startup_dir(): return os.path.join(...)``)
        short = name.rsplit(".", 1)[-1]
        if isinstance(func, ast.Name) or (
            isinstance(func, ast.Attribute) and dotted(func.value) in ("self", "cls")
        ):
            for value in self.returns(short):
                text = self._text(value, scope, line, d)
                if _place(text, folder=True) is not None:
                    return text
        return UNKNOWN

    def helper_params(self, name: str) -> list[str]:
        self.returns(name)
        return self._params.get(name, [])


def _interleave(parts: list[str], values: list[str]) -> str:
    out: list[str] = []
    for i, part in enumerate(parts):
        out.append(part)
        if i < len(parts) - 1:
            out.append(values[i] if i < len(values) else UNKNOWN)
    return "".join(out)


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _env_name(value: ast.AST, key: ast.AST, facts: Facts) -> str | None:
    """``APPDATA`` for ``os.environ["APPDATA"]``."""
    if facts.resolve(dotted(value)) != "os.environ":
        return None
    return _literal(key)


def normalise(text: str) -> str:
    """Lower case, ``/`` separators, no doubled separators, no quotes around the path."""
    text = text.strip().strip("\"'").lower().replace("\\", "/")
    text = re.sub(r"/{2,}", "/", text)
    text = re.sub(r"^\$home\b|^\$\{home\}|^%userprofile%|^%homepath%|^%home%", "~", text)
    return text


def _place(text: str, *, folder: bool = False) -> tuple[str, float, float] | None:
    """(kind, base, floor) when ``text`` names a persistence location (or, with ``folder``, a
    folder whose files start up: a file copied into it)."""
    path = normalise(text)
    for kind, pattern, base, floor in _PLACES:
        if pattern.search(path):
            if kind == _SHELL_RC and not _HOME_ANCHOR.match(path):
                return None  # a start-up file of a temporary or computed home (a subshell's)
            return kind, base, floor
    if folder and _FOLDERS.search(path):
        for kind, pattern, base, floor in _PLACES:
            if pattern.search(path.rstrip("/") + "/x"):
                return kind, base, floor
    return None


def _mode(call: CallFact, index: int) -> str | None:
    node = call.node
    mode: ast.AST | None = node.args[index] if len(node.args) > index else None
    for kw in node.keywords:
        if kw.arg == "mode":
            mode = kw.value
    return _literal(mode) if mode is not None else None


def _written(call: CallFact) -> tuple[ast.expr, bool] | None:
    """(the expression naming the file a call writes, whether it may be a folder the file is
    put into) for a call that writes a file."""
    node = call.node
    name = call.name
    func = node.func
    if name in _OPENERS and node.args:
        mode = _mode(call, 1)
        if mode is not None and any(m in mode for m in "wax+"):
            return node.args[0], False
        return None
    if name == "os.open" and len(node.args) >= 2:
        flags = {n.attr for n in ast.walk(node.args[1]) if isinstance(n, ast.Attribute)}
        if flags & {"O_WRONLY", "O_RDWR", "O_APPEND", "O_CREAT"}:
            return node.args[0], False
        return None
    if name in _COPIES:
        dest = [
            *node.args[1:2],
            *(k.value for k in node.keywords if k.arg in ("dst", "dest", "filename", "out")),
        ]
        return (dest[0], True) if dest else None
    if isinstance(func, ast.Attribute):
        if func.attr in ("write_text", "write_bytes", "symlink_to", "hardlink_to"):
            return func.value, False
        if func.attr == "open" and name not in ("os.open",):
            mode = _mode(call, 0)
            if mode is not None and any(m in mode for m in "wax+"):
                return func.value, False
        if func.attr in ("CreateShortCut", "CreateShortcut") and node.args:
            return node.args[0], False
    return None


def _command_kind(text: str) -> tuple[str, float, float, bool] | None:
    """(what, base, floor, a place written) when a command line installs persistence."""
    cmd = text.lower()
    for kind, pattern, base, floor in _COMMANDS:
        if pattern.search(cmd):
            return kind, base, floor, False
    for m in _CRONTAB.finditer(cmd):
        arg = m.group(1)
        if arg is None or arg == "-" or not arg.startswith("-"):
            return "a crontab (crontab -)", UNIX_BASE, 0.0, False
    for m in _REDIRECT.finditer(cmd):
        place = _place(m.group(1))
        if place is not None:
            return (*place, True)
    if _PS_PROFILE.search(cmd):
        return _SHELL_RC, SHELL_RC_BASE, 0.0, True
    words = [next(g for g in w if g) for w in _WORD.findall(cmd)]
    if len(words) > 1 and words[0] in _COPY_COMMANDS:
        place = _place(words[-1], folder=True)
        if place is not None:
            return (*place, True)
    return None


def _command_arg(call: CallFact) -> ast.expr | None:
    node = call.node
    if node.args:
        return node.args[0]
    return next((k.value for k in node.keywords if k.arg in ("args", "cmd", "command")), None)


def _setup_line(paths: _Paths, call: CallFact) -> bool:
    """The unit writing a shell start-up file adds completion or ``PATH`` set-up to it: its
    strings, or the values its calls are given (a line built elsewhere), say so."""
    facts = paths.facts
    top = facts.top_function(call.scope)
    if any(
        _SHELL_SETUP.search(s.value)
        for s in facts.strings
        if facts.top_function(s.scope) == top and not s.is_doc
    ):
        return True
    group = paths.src.groups().get(top, [])[:MAX_SETUP_CALLS]
    return any(
        _SHELL_SETUP.search(paths.text(arg, c.scope, c.line))
        for c in group
        for arg in (*c.node.args, *(k.value for k in c.node.keywords))
        if isinstance(arg, ast.Name | ast.JoinedStr | ast.BinOp | ast.Call)
    )


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for m, h in ctx.yara_hits(*_WEIGHTS):
            if m.path.endswith(_DOCS):
                continue
            out.append(
                emit.in_member(
                    ctx,
                    m,
                    h,
                    _WEIGHTS[h.rule],
                    f"persistence mechanism ({h.matched.decode(errors='replace')[:60]})",
                    floor=0.35,
                )
            )
        for src, facts in parsed(ctx):
            for call in facts.calls:
                if call.name in _REG_CALLS:
                    out.append(  # noqa: PERF401
                        emit.at(
                            src, call.line, call.scope, 0.2, f"writes the registry ({call.name})"
                        )
                    )
            if any(
                _HINT.search(s.value.lower())
                for s in facts.strings
                if not s.is_doc and len(s.value) <= _HINT_CHARS
            ):
                out.extend(_installs(emit, src, facts))
        yield from best_per_file(out)


def _installs(emit: Emitter, src: SourceFile, facts: Facts) -> Iterator[Finding]:
    """Findings for code that writes a persistence location (see the module docstring)."""
    paths = _Paths(facts, src)
    run_keys: set[int] = set()  # top functions that open or create a Run key
    star = bool(facts.modules & {"winreg", "_winreg"})
    for call in facts.calls:
        name = _registry_name(call, star)
        if (name in _REG_OPEN or name in _REG_SET) and any(
            _RUN_KEY.search(normalise(paths.text(a, call.scope, call.line)))
            for a in call.node.args[1:3]
        ):
            run_keys.add(facts.top_function(call.scope))
    writers = _writer_scopes(facts)
    for call in facts.calls:
        if _registry_name(call, star) in _REG_SET and facts.top_function(call.scope) in run_keys:
            yield emit.at(
                src,
                call.line,
                call.scope,
                WINDOWS_BASE,
                "installs persistence: sets a value under a Run key",
                floor=FLOOR,
            )
            continue
        found = _written(call)
        if found is not None:
            target, into = found
            text = paths.text(target, call.scope, call.line)
            place = _place(text, folder=into)
            if place is not None and place[0] == _STARTUP and _downloads(facts, call):
                yield emit.at(
                    src,
                    call.line,
                    call.scope,
                    DOWNLOADED_BASE,
                    "installs persistence: saves a download in the Windows Startup folder "
                    f"({normalise(text)[:60]}), run at every log-on",
                    floor=DOWNLOADED_FLOOR,
                )
            elif place is not None:
                yield _write(emit, paths, call, place, text)
            continue
        if is_process(call):
            arg = _command_arg(call)
            if arg is None:
                continue
            text = paths.text(arg, call.scope, call.line)
            kind = _command_kind(text)
            if kind is None:
                continue
            what, base, floor, is_place = kind
            if is_place:
                yield _write(emit, paths, call, (what, base, floor), text)
            else:
                yield emit.at(
                    src,
                    call.line,
                    call.scope,
                    base,
                    f"installs persistence: runs a command that installs {what}",
                    floor=floor,
                )
            continue
        func = call.node.func
        if isinstance(func, ast.Name) and func.id in writers:
            # a helper of the file that writes the path it is given
            for index, arg in enumerate(call.node.args[:3]):
                text = paths.text(arg, call.scope, call.line)
                place = _place(text, folder=True)
                if place is not None and _writer(paths, writers[func.id], func.id, index):
                    yield _write(emit, paths, call, place, text)
                    break


def _downloads(facts: Facts, call: CallFact) -> bool:
    """The write saves downloaded content: the call downloads itself (``urlretrieve``), or the
    function making it fetches a URL."""
    if is_fetch(call):
        return True
    top = facts.top_function(call.scope)
    return any(is_fetch(c) for c in facts.calls if facts.top_function(c.scope) == top)


def _registry_name(call: CallFact, star: bool) -> str:
    """The call's name, as ``winreg.X`` for a bare ``X`` when the file star-imports winreg."""
    if star and "." not in call.name:
        return f"winreg.{call.name}"
    return call.name


def _writer_scopes(facts: Facts) -> dict[str, list[tuple[str, bool]]]:
    """Per function name, the names of the variables its write calls write to (and whether
    into a folder): a call of the function may hand it the path."""
    out: dict[str, list[tuple[str, bool]]] = {}
    for call in facts.calls:
        if call.scope <= 0 or facts.scopes[call.scope].kind != "function":
            continue
        found = _written(call)
        if found is not None and isinstance(found[0], ast.Name):
            out.setdefault(facts.scopes[call.scope].name, []).append((found[0].id, found[1]))
    return out


def _writer(paths: _Paths, written: list[tuple[str, bool]], name: str, index: int) -> bool:
    """The file's function ``name`` writes the file named by its parameter ``index``."""
    params = [p for p in paths.helper_params(name) if p not in ("self", "cls")]
    return index < len(params) and any(var == params[index] for var, _ in written)


def _write(
    emit: Emitter,
    paths: _Paths,
    call: CallFact,
    place: tuple[str, float, float],
    text: str,
) -> Finding:
    kind, base, floor = place
    src = paths.src
    if kind == _SHELL_RC and src.phase(call.scope) is Phase.RUNTIME and _setup_line(paths, call):
        return emit.at(
            src,
            call.line,
            call.scope,
            SETUP_BASE,
            "adds shell set-up (completion, PATH) to a shell start-up file when called",
        )
    return emit.at(
        src,
        call.line,
        call.scope,
        base,
        f"installs persistence: writes {kind} ({normalise(text)[:60]})",
        floor=floor,
    )


RULE = _Rule()
