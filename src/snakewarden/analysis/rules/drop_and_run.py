"""drop-and-run: code writes a file (often to a temp folder) and then executes that file.

Dropping is writing a file and then running *that* file: the file the code wrote (a name bound
to its path, the same path expression, or the same literal file name) must stand where a program
stands in the command: first, after a shell separator, or as the script of an interpreter or
launcher (``python x.py``, ``start x.exe``, ``cmd /c x.bat``, ``powershell -File x.ps1``). A temp
file handed to a program as data (``gpg --verify sig.tmp``, ``[editor, path]``) is not a drop.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from snakewarden.analysis.context import Role, ScanContext, SourceFile
from snakewarden.analysis.facts import CallFact, Facts, dotted
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, is_process, parsed
from snakewarden.analysis.rules._flow import Flow, taint_flow, walk
from snakewarden.analysis.rules.process_exec import _BUILD_TOOLS, _command_text, _first_word
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="drop-and-run",
    description="writes a file (a temp script or program) and then executes that file",
    severity=Severity.HIGH,
    category="threat.dropper.drop_run",
)
_TEMP = frozenset(
    {
        "tempfile.NamedTemporaryFile",
        "tempfile.mkstemp",
        "tempfile.mktemp",
        "tempfile.gettempdir",
        "tempfile.TemporaryFile",
        "tempfile.mkdtemp",
    }
)
#: Calls that put a file at the path in their second argument.
_COPIES = frozenset(
    {"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.move", "os.rename", "os.replace"}
)
_RUNNERS = frozenset({"os.startfile"})
MAX_GROUP_CALLS = 60
#: Programs that run the file named after them (after their options).
_LAUNCHERS = frozenset(
    {
        "python", "python3", "python2", "py", "pythonw", "sh", "bash", "zsh", "dash", "ksh",
        "cmd", "start", "powershell", "pwsh", "cscript", "wscript", "node", "perl", "ruby",
        "mshta", "rundll32", "regsvr32", "msiexec", "nohup", "exec", "call", "open",
        "xdg-open", "setsid", "sudo", "env",
    }
)  # fmt: skip
#: Calls that turn a path into another form of the same path.
_PATH_CALLS = frozenset(
    {"str", "os.fspath", "pathlib.Path", "Path", "os.path.abspath", "os.path.realpath",
     "os.path.normpath", "os.path.expanduser", "os.path.join"}
)  # fmt: skip
MAX_PATH_DEPTH = 8
#: At most this many functions of a file are examined as writing or running helpers.
MAX_HELPERS = 400
#: Extensions of files that "running" only opens in a viewer or editor.
_DOCUMENTS = frozenset(
    {"txt", "md", "rst", "html", "htm", "pdf", "png", "jpg", "jpeg", "gif", "svg", "csv",
     "json", "xml", "log", "dot", "ps", "eps", "dvi", "tex", "h", "c", "sig", "dat", "asc"}
)  # fmt: skip
#: Tokens after which a new command starts.
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})
#: File names that are programs or scripts (what a computed launcher would run).
_SCRIPT_EXT = re.compile(
    r"\.(py|pyw|exe|scr|com|bat|cmd|ps1|psm1|vbs|vbe|js|jse|wsf|hta|sh|bash|msi|dll|jar|elf|bin)\b",
    re.IGNORECASE,
)
_BLANK = re.compile(r"\s")
#: A launcher's option (``-File``, ``--quiet``, ``/c``, ``//nologo``), not the file it runs.
_OPTION = re.compile(r"^(-{1,2}[\w-]+(=.*)?|/{1,2}[A-Za-z][\w:-]*)$")
#: A word that names a file (has an extension or a folder), not an option value (Hidden).
_PATHLIKE = re.compile(r"[./\\~]")
_TOKEN_SPLIT = re.compile(r"(\s+|&&|\|\||[;|&])")
#: Python interpreters (``python``, ``python3.12``, ``pythonw``, the ``py`` launcher).
_INTERPRETER = re.compile(r"python[0-9.]*w?|py")


def _writes(call: CallFact) -> bool:
    if call.name in _TEMP or call.name in _COPIES:
        return True
    if call.name.endswith((".write_bytes", ".write_text")):
        return True
    if call.name.rsplit(".", 1)[-1] in ("urlretrieve", "rename", "extractall"):
        return True
    if call.name == "wget.download":
        return True
    if call.name in ("open", "io.open") and len(call.node.args) >= 2:
        mode = call.node.args[1]
        return isinstance(mode, ast.Constant) and "w" in str(mode.value)
    if call.name in ("open", "io.open"):
        return any(
            kw.arg == "mode" and isinstance(kw.value, ast.Constant) and "w" in str(kw.value.value)
            for kw in call.node.keywords
        )
    return False


def _written_path(call: CallFact) -> ast.expr | None:
    """The expression naming the file a write call creates, when it names one."""
    node = call.node
    if call.name in _COPIES or call.name.endswith("urlretrieve") or call.name == "wget.download":
        dest = [*node.args[1:2], *(k.value for k in node.keywords if k.arg in ("out", "filename"))]
        return dest[0] if dest else None
    if call.name.endswith((".rename", ".extractall")):  # Path(a).rename(b), zf.extractall(dir)
        dest = [*node.args[:1], *(k.value for k in node.keywords if k.arg in ("target", "path"))]
        return dest[0] if dest else None
    if call.name.endswith((".write_bytes", ".write_text")) and isinstance(node.func, ast.Attribute):
        recv = node.func.value
        if isinstance(recv, ast.Call) and recv.args:  # Path(p).write_bytes(...)
            return recv.args[0]
        return recv
    if call.name in ("open", "io.open") and node.args:
        return node.args[0]
    return None


def _basenames(expr: ast.AST) -> set[str]:
    """File names written literally in a path expression (``"C:/x/a.exe"`` -> ``a.exe``)."""
    out: set[str] = set()
    for n in ast.walk(expr):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            base = re.split(r"[/\\]", n.value.strip())[-1].strip("\"' ")
            if len(base) >= 2 and re.fullmatch(r"[\w.~$-]+", base):
                out.add(base)
    return out


@dataclass
class _Dropped:
    """What refers to the files a unit of code wrote."""

    direct: set[str] = field(default_factory=set)  # variables a file was written to
    names: set[str] = field(default_factory=set)  # variables derived from those or temp files
    attrs: set[str] = field(default_factory=set)  # attributes holding it (``self.path``)
    dumps: set[str] = field(default_factory=set)  # the path expressions themselves
    basenames: set[str] = field(default_factory=set)  # literal file names
    executable: bool = False  # some written file is not known to be a document

    def note(self, names: set[str]) -> None:
        """Record the file names of one written file (all its literal names or suffixes)."""
        exts = {n.rsplit(".", 1)[-1].lower() for n in names if "." in n}
        if not exts or not exts <= _DOCUMENTS:
            self.executable = True

    def text(self, text: str) -> bool:
        return any(re.search(rf"(?<![\w.-]){re.escape(b)}(?![\w.-])", text) for b in self.basenames)


def _is_temp(node: ast.Call, name: str) -> bool:
    return name in _TEMP


class _Command:
    """A command as a sequence of tokens, each a list of pieces (literal text or expressions)."""

    def __init__(self) -> None:
        self.tokens: list[list[str | ast.AST]] = [[]]

    def text(self, value: str, *, split: bool) -> None:
        if not split:
            self._piece(value)
            self.tokens.append([])
            return
        for part in _TOKEN_SPLIT.split(value):
            if not part:
                continue
            if part.isspace():
                self.tokens.append([])
            elif part in _SEPARATORS:
                self.tokens.extend([[part], []])
            else:
                self._piece(part)

    def expr(self, node: ast.AST) -> None:
        self._piece(node)

    def end(self) -> None:
        self.tokens.append([])

    def _piece(self, piece: str | ast.AST) -> None:
        self.tokens[-1].append(piece)

    def words(self) -> list[list[str | ast.AST]]:
        return [t for t in self.tokens if t]


def _flatten(node: ast.AST, cmd: _Command, *, in_list: bool = False) -> None:
    if isinstance(node, ast.List | ast.Tuple):
        for elt in node.elts:
            _flatten(elt, cmd, in_list=True)
            cmd.end()
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        cmd.text(node.value, split=True)
    elif isinstance(node, ast.JoinedStr):
        for v in node.values:
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                cmd.text(v.value, split=True)
            elif isinstance(v, ast.FormattedValue):
                cmd.expr(v.value)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        _flatten(node.left, cmd)
        _flatten(node.right, cmd)
    elif (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Mod)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.left.value, str)
    ):  # "lsof -p %s > %s" % (pid, path)
        values = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        _interleave(re.split(r"%[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]", node.left.value), values, cmd)
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    ):  # "{} {}".format(python, path)
        _interleave(re.split(r"\{[^{}]*\}", node.func.value.value), list(node.args), cmd)
    else:
        cmd.expr(node)
    _ = in_list


def _built(unit: ast.AST, name: str) -> list[ast.expr]:
    """The values a variable is given in ``unit``, with ``+=`` additions joined to the value
    they extend (``cmd = "qsub ..."; cmd += " %s" % script`` is one command)."""
    steps: list[tuple[int, int, ast.expr, bool]] = []
    for n in walk(unit):
        if isinstance(n, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in n.targets
        ):
            steps.append((n.lineno, n.col_offset, n.value, False))
        elif (
            isinstance(n, ast.AugAssign)
            and isinstance(n.op, ast.Add)
            and isinstance(n.target, ast.Name)
            and n.target.id == name
        ):
            steps.append((n.lineno, n.col_offset, n.value, True))
    out: list[ast.expr] = []
    for _, _, value, extends in sorted(steps, key=lambda s: (s[0], s[1])):
        if extends and out:
            out[-1] = ast.BinOp(left=out[-1], op=ast.Add(), right=value)
        else:
            out.append(value)
    return out


def _has_words(expr: ast.AST) -> bool:
    """A literal with blanks in it: text or a command line, not a file path."""
    return any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and bool(_BLANK.search(n.value))
        for n in ast.walk(expr)
    )


def _interleave(texts: list[str], values: list[ast.expr], cmd: _Command) -> None:
    """A format string's literal parts with its values in the placeholders' places."""
    for i, text in enumerate(texts):
        cmd.text(text, split=True)
        if i < len(texts) - 1:
            if i < len(values):
                _flatten(values[i], cmd)
            else:
                cmd.expr(ast.Constant(value=None))  # a placeholder without its value


def _word_text(word: list[str | ast.AST]) -> str:
    return "".join(p for p in word if isinstance(p, str)).strip("\"'")


class _Checker:
    def __init__(
        self, flow: Flow | None, unit: ast.AST | None, dropped: _Dropped, resolve: object
    ) -> None:
        self.flow = flow
        self.unit = unit
        self.dropped = dropped
        self.resolve = resolve

    def _is_dropped(self, word: list[str | ast.AST]) -> bool:
        return any(
            self.dropped.text(p) if isinstance(p, str) else self._path(p) for p in word
        ) or self.dropped.text(_word_text(word))

    def _is_launcher(self, word: list[str | ast.AST]) -> bool:
        text = _word_text(word)
        if text:
            first = text.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower().removesuffix(".exe")
            if first in _LAUNCHERS or re.fullmatch(r"python[0-9.]*w?", first):
                return True
        return any(
            isinstance(n, ast.Name | ast.Attribute)
            and callable(self.resolve)
            and self.resolve(dotted(n)) == "sys.executable"
            for p in word
            if isinstance(p, ast.AST)
            for n in ast.walk(p)
        )

    def _is_python(self, word: list[str | ast.AST]) -> bool:
        """The launcher is a Python interpreter (a literal name or ``sys.executable``)."""
        text = _word_text(word)
        if text:
            return bool(_INTERPRETER.fullmatch(_first_word(text)))
        return self._is_launcher(word)

    def _path(self, node: ast.AST, depth: int = 0) -> bool:
        """``node`` is the path of a dropped file (or the temp file object holding it): the
        written path itself, a variable holding it, a conversion of it (``str(p)``,
        ``tmp.name``), or a file in a temp folder (``os.path.join(tmpdir, "x.exe")``)."""
        if ast.dump(node) in self.dropped.dumps:
            return True
        if depth > MAX_PATH_DEPTH:
            return False
        if isinstance(node, ast.Name):
            if node.id in self.dropped.direct:
                return True
            if node.id not in self.dropped.names:
                return False
            flow, unit = self.flow, self.unit
            values = flow.assigned(unit, node.id, loops=True) if flow and unit else []
            return all(self._path(v, depth + 1) for v in values)
        if isinstance(node, ast.Attribute):
            if dotted(node) in self.dropped.attrs:
                return True
            return node.attr == "name" and self._path(node.value, depth + 1)
        if isinstance(node, ast.Call) and callable(self.resolve):
            name = self.resolve(dotted(node.func))
            if name in _TEMP:
                return True
            return name in _PATH_CALLS and any(self._path(a, depth + 1) for a in node.args)
        if isinstance(node, ast.BinOp | ast.JoinedStr) and not _has_words(node):
            # a path built from a dropped one (``d / "x.exe"``, ``d + "/x.exe"``, f"{d}/x.exe")
            parts = [node.left, node.right] if isinstance(node, ast.BinOp) else node.values
            return any(
                self._path(p.value if isinstance(p, ast.FormattedValue) else p, depth + 1)
                for p in parts
            )
        return False

    def runs_dropped(self, command: ast.expr) -> bool:
        """True when a dropped file stands where a program stands in ``command``."""
        unit = self.unit
        if self._path(command):
            return True
        exprs: list[ast.expr] = [command]
        if isinstance(command, ast.Name) and unit is not None:
            exprs = _built(unit, command.id) or [command]
        for expr in exprs:
            cmd = _Command()
            _flatten(expr, cmd)
            # program: this word is what runs; launched: a launcher (python, start, cmd /c,
            # powershell -File...) ran, so what follows is its script; opaque: the program is
            # computed (a variable, a decoded string), and a dropped script handed to it counts
            program, launched, opaque, python = True, False, False, False
            for word in cmd.words():
                text = _word_text(word)
                computed = any(isinstance(p, ast.AST) for p in word)
                if text in _SEPARATORS:
                    program, launched, opaque = True, False, False
                    continue
                if launched and not computed:
                    if text == "-m" or (text == "-c" and python):
                        launched = False  # python -m <module> / -c <code>: not a dropped file
                        continue
                    if not text or _OPTION.match(text) or not _PATHLIKE.search(text):
                        continue  # an option of the launcher or its value (-W Hidden, /c)
                dropped = self._is_dropped(word)
                if dropped and (program or launched):
                    return True
                if dropped and opaque:
                    # a dropped script or program handed to a computed launcher
                    names = text or " ".join(self.dropped.basenames)
                    if _SCRIPT_EXT.search(names):
                        return True
                if program or launched:
                    # this word is the program (or the launcher's script): what follows are
                    # its arguments, unless it launches in turn (start cmd /c x.bat)
                    was_program = program
                    program = False
                    launched = self._is_launcher(word)
                    python = launched and self._is_python(word)
                    if was_program and not launched and not text and computed:
                        opaque = True
        return False


def _runs_script(cmd: str) -> bool:
    """A Python interpreter given a script to run (``python x.py``, ``python …``), not a
    module (``-m pip``), inline code (``-c``), a build (``setup.py``) or nothing."""
    if not _INTERPRETER.fullmatch(_first_word(cmd)):
        return False
    for word in cmd.split()[1:]:
        word = word.strip("'\"")
        if word in ("-m", "-c") or not word:
            return False
        if not word.startswith("-"):
            return _first_word(word) != "setup.py"
    return False


def _runs(call: CallFact) -> bool:
    if call.name in _RUNNERS:
        return True
    if not is_process(call):
        return False
    cmd = _command_text(call.node)
    # an interpreter counts when it runs a script: the run must still name the dropped file
    return cmd is None or _first_word(cmd) not in _BUILD_TOOLS or _runs_script(cmd)


def _command(call: CallFact) -> ast.expr | None:
    node = call.node
    if node.args:
        return node.args[0]
    for kw in node.keywords:
        if kw.arg in ("args", "cmd", "command", "path", "filepath"):
            return kw.value
    return None


@dataclass
class Helpers:
    """The file's functions that write the file, or run the program, named by a parameter
    (``def fetch(url, dest): open(dest, "wb")...``, ``def start(path): Popen([path])``): name
    -> index of that parameter."""

    writers: dict[str, int] = field(default_factory=dict)
    runners: dict[str, int] = field(default_factory=dict)

    def writes(self, call: CallFact) -> bool:
        return _writes(call) or _short(call) in self.writers

    def runs(self, call: CallFact) -> bool:
        return _runs(call) or _short(call) in self.runners

    def path(self, call: CallFact) -> ast.expr | None:
        index = self.writers.get(_short(call))
        if index is not None and not _writes(call):
            return call.node.args[index] if index < len(call.node.args) else None
        return _written_path(call)

    def command(self, call: CallFact) -> ast.expr | None:
        index = self.runners.get(_short(call))
        if index is not None and not _runs(call):
            return call.node.args[index] if index < len(call.node.args) else None
        return _command(call)


def _short(call: CallFact) -> str:
    return call.name.rsplit(".", 1)[-1]


def helpers(flow: Flow | None, resolve: object) -> Helpers:
    """The writing and running helpers of the file ``flow`` parsed (see ``Helpers``)."""
    found = Helpers()
    if flow is None:
        return found
    for d in flow.called_defs()[:MAX_HELPERS]:
        params = [
            a.arg for a in (*d.args.posonlyargs, *d.args.args) if a.arg not in ("self", "cls")
        ]
        if not params:
            continue
        for node in walk(d):
            if not isinstance(node, ast.Call):
                continue
            call = CallFact(flow.name_of(node), dotted(node.func), node.lineno, 0, node)
            path = _written_path(call) if _writes(call) else None
            if isinstance(path, ast.Name) and path.id in params:
                found.writers.setdefault(d.name, params.index(path.id))
            cmd = _command(call) if _runs(call) else None
            if cmd is None:
                continue
            for i, p in enumerate(params):
                checker = _Checker(None, None, _Dropped(direct={p}, executable=True), resolve)
                if checker.runs_dropped(cmd):
                    found.runners.setdefault(d.name, i)
                    break
    return found


def dropped_run(
    src: SourceFile,
    facts: Facts,
    gid: int,
    calls: list[CallFact],
    flow: Flow | None,
    found: Helpers | None = None,
) -> tuple[CallFact, CallFact] | None:
    """(write, run) when the calls of a unit (``gid``: its top function, 0 for the module, -1
    for a whole install-time file) write a file and then run that file, themselves or through
    the file's helpers (``found``)."""
    found = found or Helpers()
    writes = [c for c in calls if found.writes(c)]
    if not writes:
        return None
    # within a function the file is written before it runs; across the helpers of a whole
    # install-time file, source order says nothing about the order they are called in
    first = min(c.line for c in writes) if gid >= 0 else 0
    runs = [c for c in calls if c.line >= first and found.runs(c)]
    if not runs:
        return None
    dropped = _Dropped()
    for w in writes:
        if w.name in _TEMP:
            dropped.note(
                {
                    "x" + str(k.value.value)
                    for k in w.node.keywords
                    if k.arg == "suffix" and isinstance(k.value, ast.Constant)
                }
            )
            continue
        path = found.path(w)
        if path is None or dotted(path) == "os.devnull":
            continue
        dropped.dumps.add(ast.dump(path))
        names = _basenames(path)
        if isinstance(path, ast.Name):
            dropped.direct.add(path.id)
            if flow is not None:
                for value in flow.assigned(flow.tree, path.id):
                    names |= _basenames(value)
        elif isinstance(path, ast.Attribute):
            dropped.attrs.add(dotted(path))
        dropped.basenames |= names
        dropped.note(names)
    if not dropped.executable:
        return None  # reports or images written and opened for the user to see
    unit: ast.AST | None = None
    if flow is not None:
        whole = gid < 0
        line = 0 if gid <= 0 else facts.scopes[gid].line
        unit, _ = flow.unit(line, whole_file=whole)
        dropped.names = flow.taint(unit, into_functions=True, seed=dropped.direct, containers=False)
    checker = _Checker(flow, unit, dropped, facts.resolve)
    run = next(
        (c for c in runs if (cmd := found.command(c)) is not None and checker.runs_dropped(cmd)),
        None,
    )
    if run is None:
        return None
    return next((c for c in writes if c.line <= run.line), writes[0]), run


def writes_and_runs(calls: list[CallFact]) -> bool:
    """The calls write a file and run a program (a drop is possible among them)."""
    return any(_writes(c) for c in calls) and any(_runs(c) for c in calls)


def temp_flow(src: SourceFile) -> Flow | None:
    """The flow that ``dropped_run`` follows paths with (temp files are their sources)."""
    return taint_flow(src, _is_temp)


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            install = src.role in (Role.SETUP, Role.BACKEND, Role.PTH)
            if not writes_and_runs(facts.calls):
                continue  # neither the file nor its helpers write and run
            flow: Flow | None = None
            found: Helpers | None = None
            for gid, calls in src.groups().items():
                if len(calls) > MAX_GROUP_CALLS:
                    continue
                flow = flow or temp_flow(src)
                found = found or helpers(flow, facts.resolve)
                if not any(found.writes(c) for c in calls) or not any(found.runs(c) for c in calls):
                    continue
                dropped = dropped_run(src, facts, gid, calls, flow, found)
                if dropped is None:
                    continue
                write, run = dropped
                temp = any(c.name in _TEMP for c in calls)
                base = 0.5 if temp else 0.15
                if install:
                    base += 0.1
                out.append(
                    emit.at(
                        src,
                        run.line,
                        run.scope,
                        base,
                        f"writes a file ({write.name}, line {write.line}) then runs it "
                        f"({run.name})",
                    )
                )
        yield from best_per_file(out)


RULE = _Rule()
