"""What rules see: the artifact's code files with their role, parsed facts and YARA matches.

Everything is computed lazily and at most once per scan: one ``ast.parse`` and one facts walk
per Python file, one YARA pass per member. Files that run at install or startup (``setup.py``,
in-tree build backends, ``.pth``), ``__init__.py`` and small modules are always analysed; other
modules are parsed only when the byte-level prefilter (YARA rule ``sw_prefilter``) sees a
capability worth a look, so big benign packages are not analysed file by file.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import tomllib
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from snakewarden.analysis.decode import decode_layers
from snakewarden.analysis.facts import (
    CONSTRUCTORS,
    MAX_NODES,
    CallFact,
    Facts,
    collect_facts,
    dotted,
)
from snakewarden.analysis.messages import Messages
from snakewarden.analysis.signatures import YaraHit, scan_bytes
from snakewarden.artifacts.model import Artifact, ArtifactKind, Member
from snakewarden.core.models import Finding, Phase, Severity

__all__ = [
    "EXEC_CALLS",
    "Role",
    "ScanContext",
    "SourceFile",
    "parse_code",
    "phase_factor",
    "setuptools_command",
]

#: Files larger than these are not parsed (YARA still sees them).
MAX_PARSE_PRIORITY = 4 * 1024 * 1024
MAX_PARSE_OTHER = 1024 * 1024
#: In packages with at most READ_ALL_MODULES Python files, modules up to SMALL_MODULE bytes are
#: always parsed (cheap, and droppers are small); in bigger ones only prefiltered modules are.
SMALL_MODULE = 12 * 1024
#: Names read from a ``top_level.txt`` (it lists a package's few top-level importable names).
MAX_TOP_LEVEL = 50
READ_ALL_MODULES = 60
EVIDENCE_CHARS = 200

_TEST_DIRS = frozenset(
    {"test", "tests", "testing", "docs", "doc", "docs_src", "examples", "example", "benchmarks",
     "bench", "samples", "sample", "demo", "demos", "tutorial", "tutorials"}
)  # fmt: skip
_PTH_EXEC = re.compile(rb"^[ \t]*import[ \t]", re.MULTILINE)
#: Top-level module names setuptools' automatic discovery never installs (its flat-layout
#: exclusions: test and task-runner files, build helpers, private names).
_NOT_DISCOVERED = re.compile(
    r"setup|conftest|tests?|examples?|build|toxfile|noxfile|pavement|dodo|tasks|fabfile"
    r"|[Ss][Cc]onstruct|conanfile|manage|benchmarks?|exercises?|htmlcov|[._].*"
)
#: Top-level folders setuptools' automatic discovery never takes for packages.
_NOT_PACKAGES = re.compile(
    r"ci|bin|debian|docs?|documentation|manpages|news|newsfragments|changelog|tests?|unit_tests?"
    r"|examples?|scripts|tools|utils?|python|build|dist|venv|env|requirements|tasks|fabfile"
    r"|site_scons|benchmarks?|exercises?|htmlcov|src|[._].*"
)
#: Build configuration files at the top of an sdist: a module they name may be installed.
_BUILD_CONFIGS = frozenset({"setup.py", "setup.cfg", "pyproject.toml"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Role:
    """Where a file sits, which decides when its code runs."""

    SETUP = "setup"  # setup.py: runs on install (and on build of an sdist)
    BACKEND = "backend"  # an in-tree PEP 517 build backend: runs on install
    PTH = "pth"  # a .pth file: its import lines run at every interpreter start
    INIT = "init"  # a package's __init__.py: runs on import
    MODULE = "module"  # any other module: its top level runs when imported
    TEST = "test"  # tests, docs and examples: rarely run by users
    SCRIPT = "script"  # a .py outside any package (scripts/, tools/): never imported by users
    NESTED = "nested"  # inside an archive shipped in the package (vendored wheels, fixtures)


#: How much a finding counts by where its code runs (install/startup code runs unasked).
_FACTORS: dict[tuple[str, Phase], float] = {
    (Role.INIT, Phase.IMPORT): 0.75,
    (Role.MODULE, Phase.IMPORT): 0.65,
    (Role.TEST, Phase.IMPORT): 0.3,
    (Role.TEST, Phase.RUNTIME): 0.15,
    (Role.SCRIPT, Phase.IMPORT): 0.3,
    (Role.SCRIPT, Phase.RUNTIME): 0.15,
    (Role.NESTED, Phase.IMPORT): 0.3,
    (Role.NESTED, Phase.RUNTIME): 0.15,
}


#: A package with at most this many Python files is "small": it exists to do one thing, so its
#: functions are likely all used, and capabilities weigh more than in a big library.
SMALL_PACKAGE_FILES = 10
SMALL_PACKAGE_BYTES = 150 * 1024
_SMALL_FACTORS = {Phase.IMPORT: 0.95, Phase.RUNTIME: 0.7}


def phase_factor(phase: Phase, role: str, small: bool = False) -> float:
    """The multiplier applied to a rule's base weight for code in ``role`` running at ``phase``
    (in a small package, see ``SMALL_PACKAGE_FILES``, for package code)."""
    if phase in (Phase.INSTALL, Phase.STARTUP):
        return 1.0
    if small and role in (Role.INIT, Role.MODULE) and phase in _SMALL_FACTORS:
        return _SMALL_FACTORS[phase]
    if (role, phase) in _FACTORS:
        return _FACTORS[(role, phase)]
    if phase is Phase.IMPORT:
        return 0.65
    if phase is Phase.RUNTIME:
        return 0.3
    return 0.5


@dataclass
class SourceFile:
    """A Python source (or the executable lines of a .pth) and what is known about it."""

    member: Member
    rel: str
    role: str
    source: bytes
    small: bool = False
    _py2: bytes | None = None
    _facts: Facts | None = None
    _parsed: bool = False
    _lines: list[str] | None = None
    _groups: dict[int, list[CallFact]] | None = None
    _doc_lines: set[int] | None = None
    _comments: dict[int, int] | None = None
    #: A second parse kept for the rules that follow data through the code (see ``tree``).
    _tree: ast.Module | None = None
    _tree_parsed: bool = False
    _messages: Messages | None = None
    #: Scopes that code elsewhere in the package runs (see ``ScanContext.link``), with the phase
    #: it runs them at; filled on the first ``phase`` query.
    _entered: dict[int, Phase] | None = None
    #: Class scopes of setup.py that override only ``develop`` (see ``_developer_only``).
    _develop_classes: set[int] | None = None
    #: For code a file hands to exec/eval/compile (see ``ScanContext.executed_sources``): the
    #: file and the line of that call, and when the code runs (that of the call).
    origin: tuple[SourceFile, int] | None = None
    run_phase: Phase | None = None
    _owner: ScanContext | None = None

    @property
    def package(self) -> ScanContext | None:
        """The scan this file is part of (None for a file analysed alone)."""
        return self._owner

    def groups(self) -> dict[int, list[CallFact]]:
        """Calls grouped by their outermost function (0 = module level), computed once."""
        if self._groups is None:
            self._groups = {}
            facts = self.facts
            if facts is not None:
                for c in facts.calls:
                    self._groups.setdefault(facts.top_function(c.scope), []).append(c)
        return self._groups

    @property
    def path(self) -> str:
        return self.member.path

    @property
    def base_phase(self) -> Phase:
        if self.role in (Role.SETUP, Role.BACKEND):
            return Phase.INSTALL
        if self.role == Role.PTH:
            return Phase.STARTUP
        return Phase.IMPORT

    @property
    def facts(self) -> Facts | None:
        """The facts of the parsed module, or None when it does not parse (parsed once)."""
        if not self._parsed:
            self._parsed = True
            limit = MAX_PARSE_PRIORITY if self.role != Role.MODULE else MAX_PARSE_OTHER
            if len(self.source) <= limit or _few_tokens(self.source):
                tree = parse_code(self.source)
                if tree is None and (py2 := py2_rewrite(self.source)) is not None:
                    tree = parse_code(py2)
                    if tree is not None:
                        self._py2 = py2
                try:
                    self._facts = collect_facts(tree) if tree is not None else None
                except (RecursionError, MemoryError):
                    self._facts = None
        return self._facts

    def tree(self) -> ast.Module | None:
        """The module's syntax tree for the rules that walk it (``parsed_source`` parsed once
        more, then kept for this scan: the facts keep only the nodes they point at)."""
        if not self._tree_parsed:
            self._tree_parsed = True
            if self.facts is not None:
                self._tree = parse_code(self.parsed_source)
        return self._tree

    @property
    def parsed_source(self) -> bytes:
        """The text whose facts these are: ``source``, or its Python 2 rewrite."""
        return self._py2 if self._py2 is not None else self.source

    def is_doc_line(self, lineno: int) -> bool:
        """True when line ``lineno`` lies in a docstring (a bare string statement)."""
        if self._doc_lines is None:
            facts = self.facts
            self._doc_lines = facts.doc_lines() if facts is not None else set()
        return lineno in self._doc_lines

    def in_pattern(self, lineno: int, text: str) -> bool:
        """True when ``text`` on line ``lineno`` lies in a string literal written as a regular
        expression (``r"cat\\s+.*\\.npmrc"``, ``r"pastebin\\.com|hastebin\\.com"``): a pattern
        code matches text against, as a scanner's rules do, not a path or address it uses."""
        return self._in_literal(lineno, text, is_regex)

    def in_prose(self, lineno: int, text: str) -> bool:
        """True when ``text`` on line ``lineno`` lies in a string literal written as prose (a
        language model's prompt with worked examples, a long help text; see ``is_prose``)."""
        return self._in_literal(lineno, text, is_prose)

    def _in_literal(self, lineno: int, text: str, written_as: Callable[[str], bool]) -> bool:
        """True when ``text`` on line ``lineno`` lies in a string literal ``written_as`` holds
        for."""
        facts = self.facts
        if facts is None or not text:
            return False
        return any(
            s.line <= lineno <= max(s.line, s.end_line) and text in s.value and written_as(s.value)
            for s in facts.strings
        )

    def in_message(self, lineno: int, text: str) -> bool:
        """True when ``text`` on line ``lineno`` lies in a string literal the code only shows to
        a person: an install hint it prints, an error it raises, a ``help=`` text (see
        ``snakewarden.analysis.messages``)."""
        facts = self.facts
        if facts is None or not text:
            return False
        if not any(s.line <= lineno <= max(s.line, s.end_line) for s in facts.strings):
            return False
        if self._messages is None:
            tree = self.tree()
            if tree is None:
                return False
            owner = self._owner
            self._messages = Messages(tree, owner.imported_names() if owner is not None else ())
        return self._messages.shown_at(lineno, text)

    def in_comment(self, lineno: int, col: int) -> bool:
        """True when character column ``col`` of line ``lineno`` lies in a comment (also one
        after code: ``x = 1  # curl … | sh``)."""
        if self._comments is None:
            self._comments = comment_starts(self.source)
        start = self._comments.get(lineno)
        return start is not None and col >= start

    def phase(self, scope: int) -> Phase:
        """When the code in ``scope`` runs: by the file's role, what its module level reaches,
        and what other files of the package run of it (``ScanContext.link``). In setup.py, a
        block that only a developer's command runs (``if sys.argv[1] == "publish"``), and a
        ``develop`` command override (editable installs of a checkout), run at no install from
        an index (see ``_developer_only``)."""
        if self.run_phase is not None:
            return self.run_phase
        base = self.base_phase
        if base is Phase.INSTALL and scope and self._developer_only(scope):
            return Phase.RUNTIME
        if base is not Phase.IMPORT:
            return base
        facts = self.facts
        if facts is None:
            return Phase.IMPORT
        entered = self.entered().get(scope)
        if entered is not None and entered is not Phase.IMPORT:
            return entered
        if entered is Phase.IMPORT or scope in facts.reachable():
            return Phase.IMPORT
        return Phase.RUNTIME

    def _developer_only(self, scope: int) -> bool:
        """True when ``scope`` of setup.py runs only for a developer working on the project:
        inside a block guarded by a command pip never runs (a ``command`` scope of the facts),
        or inside a command class pip never runs (see ``developer_commands``)."""
        facts = self.facts
        if facts is None:
            return False
        if facts.scopes[facts.top_function(scope)].kind == "command":
            return True
        developer = self.developer_classes()
        while scope > 0 and developer:
            if scope in developer:
                return True
            scope = facts.scopes[scope].parent
        return False

    def developer_classes(self) -> set[int]:
        """The command classes of this setup.py that pip never runs (``developer_commands``),
        computed once."""
        if self._develop_classes is None:
            facts = self.facts
            self._develop_classes = (
                set() if facts is None else developer_commands(facts, self.tree())
            )
        return self._develop_classes

    def entered(self) -> dict[int, Phase]:
        """Scopes of this file that other files run, and when (install, start-up, import)."""
        if self._entered is None:
            if self._owner is None:
                self._entered = {}
            else:
                self._owner.link()
        return self._entered if self._entered is not None else {}

    @property
    def install_time(self) -> bool:
        """True when the whole file runs on install or at start-up: setup.py, an in-tree
        backend, a .pth, or a script or module that setup.py runs or imports."""
        if self.run_phase is not None:
            return self.run_phase in (Phase.INSTALL, Phase.STARTUP)
        if self.base_phase in (Phase.INSTALL, Phase.STARTUP):
            return True
        return self.entered().get(0) in (Phase.INSTALL, Phase.STARTUP)

    def line(self, lineno: int) -> str:
        """The stripped source line ``lineno`` (1-based), shortened for evidence."""
        if self._lines is None:
            self._lines = self.source.decode("utf-8", "replace").splitlines()
        if 1 <= lineno <= len(self._lines):
            return shorten(self._lines[lineno - 1].strip())
        return ""


def setuptools_command(base: str) -> str | None:
    """The command a class base stands for when it is a setuptools or distutils command class
    (``setuptools.command.install.install`` -> ``install``), else None."""
    if ".command." in f".{base}" or base.startswith(("setuptools", "distutils")):
        return base.rsplit(".", 1)[-1]
    return None


#: Builtins that run code they are given (``execfile`` a file's).
EXEC_CALLS = frozenset({"exec", "eval", "compile", "execfile", "builtins.exec", "builtins.eval"})
#: Code handed to exec/eval/compile: how many texts per scan, how deep, how big.
MAX_EXECUTED = 32
MAX_EXEC_DEPTH = 3
MAX_EXECUTED_SIZE = 512 * 1024
_EXEC_NAMES = EXEC_CALLS - {"execfile"}  # the ones given the code itself
#: Calls whose result is their argument decoded (the chain around an executed literal).
_DECODING = frozenset(
    {"b64decode", "b32decode", "b16decode", "b85decode", "a85decode", "decodebytes",
     "urlsafe_b64decode", "decompress", "fromhex", "unhexlify", "decode"}
)  # fmt: skip


def _literal_text(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Constant) and isinstance(node.value, bytes):
        return node.value.decode("utf-8", "replace")
    return None


def _executed_text(arg: ast.expr, facts: Facts, scope: int, line: int) -> str | None:
    """The code text an exec/eval/compile argument stands for, when it is a literal (or a
    name assigned one) or a literal decoded in place (``b64decode("...")``, possibly wrapped in
    ``.decode()`` and ``zlib.decompress``)."""
    if isinstance(arg, ast.Name):
        value = facts.assigned(arg.id, scope, line)
        if value is None or isinstance(value, ast.Name):
            return None
        arg = value
    text = _literal_text(arg)
    if text is not None:
        return text
    node: ast.expr = arg
    decoded = False
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        if name not in _DECODING:
            return None
        decoded = decoded or name != "decode"
        if node.args:
            node = node.args[0]
        elif isinstance(node.func, ast.Attribute):
            node = node.func.value  # a method without arguments: ``data.decode()``
        else:
            return None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "encode"
            and not node.args
        ):
            node = node.func.value
    text = _literal_text(node) if decoded else None
    if text is None:
        return None
    layers = decode_layers(text)
    return layers[1] if layers is not None else None


#: A Python interpreter as a program's path (``python3.11``, ``/usr/bin/python3``, ``py.exe``).
_PYTHON_PROGRAM = re.compile(r"(?:.*[/\\])?python[0-9.]*w?(?:\.exe)?|py(?:\.exe)?", re.I)


def _is_sys_executable(node: ast.AST, facts: Facts) -> bool:
    return isinstance(node, ast.Attribute) and facts.resolve(dotted(node)) == "sys.executable"


def _inline_python(call: CallFact, facts: Facts) -> ast.expr | None:
    """The code of ``[python, ..., "-c", CODE]`` (the call's argument vector: its first list
    argument) given to a process call (``sys.executable`` or a literal python), else None."""
    if not call.name.startswith(_PROCESS_PREFIXES):
        return None
    argv = next((a for a in call.node.args if isinstance(a, ast.List | ast.Tuple)), None)
    if argv is None or len(argv.elts) < 3:
        return None
    first = argv.elts[0]
    if not (
        _is_sys_executable(first, facts)
        or (
            isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and _PYTHON_PROGRAM.fullmatch(first.value)
        )
    ):
        return None
    for i, elt in enumerate(argv.elts[1:4], start=1):
        if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
            return None
        if elt.value == "-c":
            return argv.elts[i + 1] if i + 1 < len(argv.elts) else None
        if not elt.value.startswith("-"):
            return None  # a script: what follows are its arguments
    return None


#: Calls that start a shell command (besides ``_PROCESS_PREFIXES``).
_SHELL_RUNNERS = ("os.system", "os.popen")
_RUNS_PYTHON = re.compile(r"\bpython[0-9.]*w?\b|\.pyw?\b|\bpy\s", re.I)


def _runs_python(calls: list[CallFact], facts: Facts) -> bool:
    """One of ``calls`` starts a Python interpreter or a ``.py`` script (a literal word of its
    command, or ``sys.executable``)."""
    for c in calls:
        if not c.name.startswith((*_PROCESS_PREFIXES, *_SHELL_RUNNERS)) or not c.node.args:
            continue
        for n in ast.walk(c.node.args[0]):
            if isinstance(n, ast.Constant) and isinstance(n.value, str):
                if _RUNS_PYTHON.search(n.value):
                    return True
            elif _is_sys_executable(n, facts):
                return True
    return False


def _written_code(
    call: CallFact, src: SourceFile, facts: Facts, starts_python: dict[int, bool]
) -> ast.expr | None:
    """The text of ``x.write(TEXT)`` when the same function also starts Python or a ``.py``
    script: code dropped to a file to be run. ``starts_python`` keeps the answer per function
    (a generator of many writes asks once)."""
    if call.name.rsplit(".", 1)[-1] not in ("write", "write_text") or len(call.node.args) != 1:
        return None
    top = facts.top_function(call.scope)
    if top not in starts_python:
        starts_python[top] = _runs_python(src.groups().get(top, []), facts)
    return call.node.args[0] if starts_python[top] else None


def _executed_code(src: SourceFile) -> Iterator[SourceFile]:
    """The texts ``src`` hands to exec/eval/compile, or to ``python -c``, or writes to a file
    where the same function then starts Python, that parse as Python, as sources."""
    facts = src.facts
    if facts is None:
        return
    starts_python: dict[int, bool] = {}
    for call in facts.calls:
        if call.name in _EXEC_NAMES and call.node.args:
            code: ast.expr | None = call.node.args[0]
        else:
            code = _inline_python(call, facts) or _written_code(call, src, facts, starts_python)
        if code is None:
            continue
        text = _executed_text(code, facts, call.scope, call.line)
        if text is None or len(text) > MAX_EXECUTED_SIZE:
            continue
        inner = SourceFile(
            src.member,
            src.rel,
            src.role,
            text.encode("utf-8", "replace"),
            src.small,
            origin=src.origin or (src, call.line),
            run_phase=src.phase(call.scope),
        )
        if inner.facts is not None and inner.facts.calls:  # ``eval("1 + 2")`` calls nothing
            yield inner


#: Syntax only regular expressions have: groups with options, negated classes, quantified
#: classes; or an alternation beside an escaped metacharacter (no file name holds ``|``).
_REGEX_SYNTAX = re.compile(r"\(\?[:!=<iPmsx]|\[\^|\\[sdwSDW][+*?{]")
_REGEX_ESCAPE = re.compile(r"\\[.$()\[\]*+?|^]")


#: Longer strings are not taken for patterns (nor searched for one).
MAX_PATTERN = 4000


def is_regex(value: str) -> bool:
    """``value`` is written as a regular expression (see ``_REGEX_SYNTAX``)."""
    if len(value) > MAX_PATTERN:
        return False
    return bool(_REGEX_SYNTAX.search(value)) or ("|" in value and bool(_REGEX_ESCAPE.search(value)))


#: A word of running text: lower-case letters after an optional capital, with the punctuation
#: that may follow it.
_PROSE_WORD = re.compile(r"[(\"']?[A-Za-z][a-z]+(?:'[a-z]+)?[.,;:!?)\"']{0,2}")
#: Prose holds at least this many words, this share of them words of running text, and
#: sentences.
PROSE_MIN_WORDS = 40
PROSE_SHARE = 0.6
MAX_PROSE = 100_000


def is_prose(value: str) -> bool:
    """``value`` is running text (at least ``PROSE_MIN_WORDS`` words, ``PROSE_SHARE`` of them
    plain words, and at least two sentences): commands quoted inside it are examples for a
    reader. A script (shell, PowerShell, Python) is mostly flags, paths, operators and names."""
    if len(value) > MAX_PROSE:
        return False
    words = value.split()
    if len(words) < PROSE_MIN_WORDS:
        return False
    plain = sum(1 for w in words if _PROSE_WORD.fullmatch(w))
    sentences = value.count(". ") + value.count(".\n")
    return plain >= PROSE_SHARE * len(words) and sentences >= 2


def comment_starts(source: bytes) -> dict[int, int]:
    """Per line, the character column where a comment starts (Python's own tokenizer, so a
    ``#`` inside a string is none); what precedes a tokenizing error, for a broken file, and
    nothing for one over ``MAX_PARSE_PRIORITY``."""
    out: dict[int, int] = {}
    if len(source) > MAX_PARSE_PRIORITY:
        return out
    try:
        for tok in tokenize.tokenize(io.BytesIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.start[1]
    except (tokenize.TokenError, SyntaxError, ValueError, UnicodeDecodeError):
        pass
    return out


def parse_code(source: bytes | str) -> ast.Module | None:
    """``source`` parsed with ``ast``, or None when it does not parse (never raises)."""
    try:
        # A hostile file's SyntaxWarnings (invalid escapes…) are noise for the user and, under
        # -W error, would turn a parsable file into an unparsable one.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None


#: Python 2 statements rewritten, line by line (line numbers kept), so that old setup scripts
#: parse: ``print >>f, x``, ``print x``, ``exec code``, ``except E, e:``, ``raise E, msg``,
#: ``0777``.
_PY2_REWRITES = (
    (re.compile(rb"^([ \t]*)print[ \t]*>>[ \t]*([^,\n]+),[ \t]*(.+?)[ \t]*$", re.M),
     rb"\1print(\3, file=\2)"),
    (re.compile(rb"^([ \t]*)print[ \t]+(?![ \t(=.,)\]])(.+?)[ \t]*$", re.M), rb"\1print(\2)"),
    (re.compile(rb"^([ \t]*)exec[ \t]+(?![ \t(=.,)\]])(.+?)[ \t]*$", re.M), rb"\1exec(\2)"),
    (re.compile(rb"^([ \t]*except[ \t]+[^:,\n]+),[ \t]*(\w+)[ \t]*:", re.M), rb"\1 as \2:"),
    (re.compile(rb"^([ \t]*raise[ \t]+[\w.]+)[ \t]*,[ \t]*(.+?)[ \t]*$", re.M), rb"\1(\2)"),
    (re.compile(rb"(?<![\w.])0([0-7]+)(?![\w.])"), rb"0o\1"),
)  # fmt: skip


def py2_rewrite(source: bytes) -> bytes | None:
    """``source`` with its Python 2 statements rewritten, or None when there was none."""
    out = source
    for pattern, repl in _PY2_REWRITES:
        out = pattern.sub(repl, out)
    return out if out != source else None


#: A file over the parse bounds is still parsed when it holds few tokens: megabytes of padding
#: or one huge literal (a favourite way to push a payload out of sight) parse quickly.
MAX_TOKENS_ESTIMATE = 300_000


def _few_tokens(source: bytes) -> bool:
    estimate = sum(source.count(c) for c in (b"\n", b"(", b",", b"=", b" "))
    return estimate <= MAX_TOKENS_ESTIMATE


def shorten(text: str, limit: int = EVIDENCE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


@dataclass
class ScanContext:
    artifact: Artifact
    _sources: list[SourceFile] | None = None
    _yara: dict[str, list[YaraHit]] = field(default_factory=dict)
    _code_hits: list[tuple[Member, list[YaraHit]]] | None = None
    _backend_paths: set[str] | None = None
    _by_path: dict[str, SourceFile] | None = None
    _package_dirs: set[str] | None = None
    _own: int | None = None
    _small: bool | None = None
    _read_all: bool | None = None
    _linked: bool = False
    _executed: list[SourceFile] | None = None
    _by_name: dict[str, list[Member]] | None = None
    _imported: frozenset[str] | None = None
    _top_modules: tuple[frozenset[str], bool] | None = None
    _layout: bool | None = None

    def source(self, member: Member) -> SourceFile | None:
        """The analysed source of ``member``, if it is one."""
        if self._by_path is None:
            self._by_path = {s.member.path: s for s in self.sources()}
        return self._by_path.get(member.path)

    # -- files ------------------------------------------------------------------------------
    def members_named(self, name: str) -> list[Member]:
        """The archive's members whose file name is ``name`` (indexed once per scan)."""
        if self._by_name is None:
            self._by_name = {}
            for m in self.artifact.members:
                self._by_name.setdefault(m.name, []).append(m)
        return self._by_name.get(name, [])

    def imported_names(self) -> frozenset[str]:
        """The last names of what the package's analysed modules import (``from .a import
        CMD`` -> ``CMD``), gathered once per scan."""
        if self._imported is None:
            self._imported = frozenset(
                target.rsplit(".", 1)[-1]
                for src in self.sources()
                if (facts := src.facts) is not None
                for target in facts.imports.values()
            )
        return self._imported

    def python_members(self) -> list[Member]:
        return [m for m in self.artifact.members if m.suffix in (".py", ".pyw") and m.complete]

    def relative(self, member: Member) -> str:
        path = member.path.rsplit("!", 1)[-1]
        if "!" in member.path:
            # a nested sdist: strip its own top folder too
            head, sep, rest = path.partition("/")
            return rest if sep and "-" in head else path
        return self.artifact.relative(path)

    def role_of(self, member: Member) -> str:
        if "!" in member.path and self.own_members() > 3:
            return Role.NESTED
        rel = self.relative(member)
        parts = rel.split("/")
        name = parts[-1]
        if member.suffix == ".pth":
            return Role.PTH
        if name == "setup.py" and (
            len(parts) == 1 or (len(parts) == 2 and parts[0] not in self.package_dirs())
        ):
            # (one folder down for archives with a second top folder; a ``setup.py`` inside
            # an importable package is one of its modules: pip never runs it)
            return Role.SETUP
        if rel in self.backend_paths():
            return Role.BACKEND
        if any(p.lower() in _TEST_DIRS for p in parts[:-1]) or name.startswith("test_"):
            return Role.TEST
        if name == "conftest.py":
            return Role.TEST
        if name == "__init__.py":
            return Role.INIT
        if not name.rsplit(".", 1)[0].isidentifier():
            return Role.SCRIPT  # "a.b.py", "collect-symbols.py" cannot be imported
        if len(parts) > 1 and "!" not in member.path and parts[0] not in ("src", "lib"):
            folder = "/".join(parts[:-1])
            if folder not in self.package_dirs() and not self._wheel_package(parts):
                return Role.SCRIPT
        if (
            len(parts) == 1
            and "!" not in member.path
            and self._source_tree()
            and not self.installs_top_module(name.rsplit(".", 1)[0])
        ):
            return Role.SCRIPT  # a helper beside setup.py (bootstrap.py, a release script)
        return Role.MODULE

    def _wheel_package(self, parts: list[str]) -> bool:
        """A wheel installs every folder of a package as it is: a folder without
        ``__init__.py`` under one with it imports as a namespace package (``from .sub import
        x``); only ``*.data`` and ``*.dist-info`` hold no modules."""
        if self.artifact.kind is not ArtifactKind.WHEEL:
            return False
        top = parts[0]
        return not top.endswith((".data", ".dist-info")) and top in self.package_dirs()

    def _source_tree(self) -> bool:
        """True for an sdist, or a folder laid out like one (a build configuration at its top
        and no ``__init__.py``): its top holds the project's files, not a package's modules."""
        if self._layout is None:
            kind = self.artifact.kind
            top = {self.relative(m) for m in self.artifact.members}
            self._layout = kind is ArtifactKind.SDIST or (
                kind is ArtifactKind.FOLDER
                and bool(top & _BUILD_CONFIGS)
                and "__init__.py" not in top
            )
        return self._layout

    def installs_top_module(self, stem: str) -> bool:
        """Whether building this sdist may install the ``.py`` at its top named ``stem``: the
        build configuration (``setup.py``, ``setup.cfg``, ``pyproject.toml``) or ``top_level.txt``
        names it, it is named after the project (flit, hatch, poetry), or the project has no
        package of its own, so setuptools' discovery takes its top-level modules. Otherwise a
        file there is a helper of the source tree (a buildout ``bootstrap.py``, a release
        script) that pip never installs."""
        if self._top_modules is None:
            words: set[str] = set(self._top_level_names())
            for m in self.artifact.members:
                if m.name in _BUILD_CONFIGS and "!" not in m.path and "/" not in self.relative(m):
                    words.update(_WORD.findall(m.data[:MAX_PARSE_OTHER].decode("utf-8", "replace")))
            meta = self.artifact.metadata
            if meta is not None and meta.name:
                words.add(re.sub(r"[-_.]+", "_", meta.name))
            tops = {d.split("/", 1)[0] for d in self.package_dirs()}
            tops |= {d.split("/", 2)[1] for d in self.package_dirs() if d.startswith("src/")}
            own = any(_NOT_PACKAGES.fullmatch(t) is None for t in tops)
            self._top_modules = (frozenset(w.lower() for w in words), own)
        named, own = self._top_modules
        if stem.lower() in named:
            return True
        return not own and _NOT_DISCOVERED.fullmatch(stem) is None

    def small(self) -> bool:
        """True for a package with few Python files (see ``SMALL_PACKAGE_FILES``)."""
        if self._small is None:
            code = [
                m
                for m in self.artifact.members
                if m.suffix in (".py", ".pyw") and "!" not in m.path
            ]
            self._small = (
                len(code) <= SMALL_PACKAGE_FILES
                and sum(m.size for m in code) <= SMALL_PACKAGE_BYTES
            )
        return self._small

    def small_enough_to_read_all(self) -> bool:
        """Packages with few modules get every module parsed; big ones only the prefiltered."""
        if self._read_all is None:
            n = sum(1 for m in self.artifact.members if m.suffix in (".py", ".pyw"))
            self._read_all = n <= READ_ALL_MODULES
        return self._read_all

    def own_members(self) -> int:
        """How many members the artifact has outside nested archives."""
        if self._own is None:
            self._own = sum(1 for m in self.artifact.members if "!" not in m.path)
        return self._own

    def package_dirs(self) -> set[str]:
        """Folders (relative) that are importable packages: those that hold an
        ``__init__.py``, and the top-level names the metadata's ``top_level.txt`` lists
        (``*.egg-info/``, ``*.dist-info/``) with the folders under them (namespace packages
        need no ``__init__.py``)."""
        if self._package_dirs is None:
            dirs = {
                self.relative(m).rsplit("/", 1)[0]
                for m in self.artifact.members
                if m.name == "__init__.py" and "/" in self.relative(m)
            }
            tops = self._top_level_names()
            for m in self.artifact.members:
                rel = self.relative(m)
                if "/" in rel and "!" not in m.path and rel.split("/", 1)[0] in tops:
                    dirs.add(rel.rsplit("/", 1)[0])
            self._package_dirs = dirs
        return self._package_dirs

    def _top_level_names(self) -> set[str]:
        """The importable top-level names ``top_level.txt`` of the package's own metadata
        lists (at most ``MAX_TOP_LEVEL`` of them)."""
        names: set[str] = set()
        for m in self.artifact.members:
            rel = self.relative(m)
            parts = rel.split("/")
            if (
                m.name == "top_level.txt"
                and "!" not in m.path
                and len(parts) <= 3
                and parts[-2].endswith((".egg-info", ".dist-info"))
            ):
                for line in m.data.decode("utf-8", "replace").splitlines()[:MAX_TOP_LEVEL]:
                    name = line.strip()
                    if name.isidentifier():
                        names.add(name)
        return names

    def backend_paths(self) -> set[str]:
        """Relative paths of modules an in-tree build backend (``backend-path``) may load."""
        if self._backend_paths is None:
            self._backend_paths = set()
            for backend, dirs in self.build_backends():
                if not dirs:
                    continue
                mod = backend.split(":", 1)[0].replace(".", "/")
                for d in dirs:
                    d = d.strip("./")
                    prefix = f"{d}/" if d else ""
                    self._backend_paths.add(f"{prefix}{mod}.py")
                    self._backend_paths.add(f"{prefix}{mod}/__init__.py")
        return self._backend_paths

    def build_backends(self) -> list[tuple[str, list[str]]]:
        """(build-backend, backend-path) from the root pyproject.toml, when it declares one."""
        for m in self.artifact.members:
            if self.relative(m) == "pyproject.toml" and "!" not in m.path and m.complete:
                try:
                    doc = tomllib.loads(m.data.decode("utf-8", "replace"))
                except (tomllib.TOMLDecodeError, ValueError):
                    return []
                bs = doc.get("build-system")
                if not isinstance(bs, dict):
                    return []
                backend = bs.get("build-backend")
                paths = bs.get("backend-path")
                if not isinstance(backend, str):
                    return []
                dirs = [p for p in paths if isinstance(p, str)] if isinstance(paths, list) else []
                return [(backend, dirs)]
        return []

    def sources(self) -> list[SourceFile]:
        """The Python sources worth analysing (see the module docstring), in member order."""
        if self._sources is None:
            found: list[SourceFile] = []
            for m in self.artifact.members:
                if not m.complete:
                    continue
                if m.suffix == ".pth":
                    lines = [ln for ln in m.data.splitlines() if _PTH_EXEC.match(ln)]
                    if lines:
                        role = Role.NESTED if self.role_of(m) == Role.NESTED else Role.PTH
                        found.append(SourceFile(m, self.relative(m), role, _pth_source(m.data)))
                    continue
                if m.suffix not in (".py", ".pyw"):
                    continue
                role = self.role_of(m)
                if (
                    role in (Role.MODULE, Role.NESTED)
                    and (len(m.data) > SMALL_MODULE or not self.small_enough_to_read_all())
                    and not self.prefilter(m)
                ):
                    continue
                if role in (Role.TEST, Role.SCRIPT) and (
                    len(m.data) > SMALL_MODULE or not self.prefilter(m)
                ):
                    continue
                found.append(SourceFile(m, self.relative(m), role, m.data, self.small()))
            for src in found:
                src._owner = self
            self._sources = found
        return self._sources

    def executed_sources(self) -> list[SourceFile]:
        """Code the package's files hand to ``exec``/``eval``/``compile`` or ``python -c`` as a
        literal, or as a literal decoded on the spot (base64, hex, zlib), or write to a file in
        a function that then starts Python: each such text that parses as Python is analysed
        like a file, as running where and when the call runs. Its findings name the
        calling file and line. Followed a few levels deep (code that execs code that execs...),
        bounded in count and size."""
        if self._executed is None:
            found: list[SourceFile] = []
            todo = [src for src in self.sources() if src.facts is not None]
            for _ in range(MAX_EXEC_DEPTH):
                # lazily: nothing past the bound is parsed
                level = (inner for src in todo for inner in _executed_code(src))
                todo = list(islice(level, MAX_EXECUTED - len(found)))
                found += todo
            self._executed = found
        return self._executed

    def link(self) -> None:
        """Follow code across the package's files: which of their scopes other files run, when.

        setup.py (an in-tree backend, a .pth) runs at install (start-up) the files and modules
        it executes (``subprocess.run([sys.executable, "post.py"])``, ``exec(open("post.py")
        .read())``, ``runpy``, ``__import__("pkg.hook")``); a package's import-time code, and
        code so executed, runs what it calls of other modules (``from .core import start;
        start()``). What setup.py merely imports or calls of the package is not followed: that
        is build tooling in most projects. Each file records the scopes so entered with the
        strongest phase; chains of calls are followed for a few rounds.
        """
        if self._linked:
            return
        self._linked = True
        sources = self.sources()
        for src in sources:
            src._entered = {}
        index = _ModuleIndex(sources)
        for _ in range(LINK_ROUNDS):
            wanted: dict[tuple[int, Phase], tuple[SourceFile, set[int]]] = {}
            for src in sources:
                for target, roots, phase in _entries(src, index):
                    entered = target._entered if target._entered is not None else {}
                    new = {r for r in roots if _RANK[phase] > _RANK.get(entered.get(r), 0)}
                    if new:
                        wanted.setdefault((id(target), phase), (target, set()))[1].update(new)
            if not wanted:
                break
            for (_, phase), (target, scopes) in wanted.items():
                _enter(target, scopes, phase)

    def release(self) -> None:
        """Drop the sources' back-references to this context (call when the rules are done)."""
        for src in self._sources or ():
            src._owner = None

    # -- YARA -------------------------------------------------------------------------------
    def yara(self, member: Member) -> list[YaraHit]:
        """YARA matches of ``member``'s bytes (whole or head), computed once per member."""
        hits = self._yara.get(member.path)
        if hits is None:
            hits = scan_bytes(member.data) if member.data else []
            self._yara[member.path] = hits
        return hits

    def prefilter(self, member: Member) -> bool:
        return any(h.rule == "sw_prefilter" for h in self.yara(member))

    def yara_hits(self, *rules: str, code_only: bool = True) -> Iterator[tuple[Member, YaraHit]]:
        """Every (member, hit) whose YARA rule is one of ``rules``, over code members (Python,
        .pth, scripts, extensionless files with a shebang) or, with ``code_only=False``, all."""
        wanted = set(rules)
        if code_only:
            if self._code_hits is None:  # the code members with hits, listed once per scan
                members = self.artifact.members
                self._code_hits = [(m, y) for m in members if is_code(m) and (y := self.yara(m))]
            pairs: Iterable[tuple[Member, list[YaraHit]]] = self._code_hits
        else:
            pairs = ((m, self.yara(m)) for m in self.artifact.members)
        for m, hits in pairs:
            for h in hits:
                if h.rule in wanted:
                    yield m, h

    # -- findings ---------------------------------------------------------------------------
    def role_for_path(self, member: Member) -> str:
        return self.role_of(member)


# -- code across files ----------------------------------------------------------------------------

#: Rounds of ``ScanContext.link`` (each follows one more step of a chain of calls across files).
LINK_ROUNDS = 4
#: How strongly a phase counts when several callers reach the same scope.
_RANK: dict[Phase | None, int] = {Phase.INSTALL: 3, Phase.STARTUP: 3, Phase.IMPORT: 2}
#: Calls that run a file or module of the package named by a string in their arguments.
_FILE_RUNNERS = frozenset(
    {"exec", "execfile", "builtins.exec", "runpy.run_path", "runpy.run_module",
     "importlib.import_module", "__import__", "importlib.util.spec_from_file_location",
     "imp.load_source", "importlib.machinery.SourceFileLoader", "os.system", "os.popen",
     "os.startfile"}
)  # fmt: skip
_PROCESS_PREFIXES = ("subprocess.", "os.exec", "os.spawn", "os.posix_spawn", "asyncio.create_sub")
#: Runners that execute the file as a program (its ``if __name__ == "__main__"`` block runs).
_AS_MAIN = ("exec", "execfile", "builtins.exec", "runpy.run_path", "os.system", "os.popen")
_CMD_TOKENS = re.compile(r"[\s'\"]+")
MAX_LINK_NODES = 300


class _ModuleIndex:
    """The package's analysed modules by dotted name (``pkg.sub.mod``; under ``src/`` or ``lib/``
    also without that folder) and by file name."""

    def __init__(self, sources: list[SourceFile]) -> None:
        self.modules: dict[str, SourceFile] = {}
        self.files: dict[str, list[SourceFile]] = {}
        for src in sources:
            if src.role in (Role.TEST, Role.NESTED) or src.member.suffix == ".pth":
                continue
            self.files.setdefault(src.rel.rsplit("/", 1)[-1], []).append(src)
            name = _module_name(src.rel)
            self.modules.setdefault(name, src)
            head, _, rest = name.partition(".")
            if rest and head in ("src", "lib"):
                self.modules.setdefault(rest, src)

    @staticmethod
    def pick(cands: list[SourceFile], caller: SourceFile) -> SourceFile:
        """The candidate beside the caller, else the shallowest."""
        folder = caller.rel.rsplit("/", 1)[0] if "/" in caller.rel else ""
        for c in cands:
            if (c.rel.rsplit("/", 1)[0] if "/" in c.rel else "") == folder:
                return c
        return min(cands, key=lambda c: (c.rel.count("/"), c.rel))

    def lookup(self, caller: SourceFile, module: str) -> SourceFile | None:
        """The module ``module`` as the caller would import it: relative to its own package and
        the packages above (the dots of relative imports are not kept), then absolute."""
        package = _module_name(caller.rel)
        if caller.member.name != "__init__.py":
            package = package.rpartition(".")[0]
        while package:
            found = self.modules.get(f"{package}.{module}")
            if found is not None:
                return found
            package = package.rpartition(".")[0]
        return self.modules.get(module)

    def resolve(
        self, caller: SourceFile, dotted: str, depth: int = 0
    ) -> Iterator[tuple[SourceFile, list[int]]]:
        """The scopes that ``dotted`` (a module, or a function or class of one) names."""
        parts = dotted.split(".")
        for k in range(len(parts), 0, -1):
            target = self.lookup(caller, ".".join(parts[:k]))
            if target is None:
                continue
            facts = target.facts
            if target is caller or facts is None:
                return
            rest = parts[k:]
            yield target, [0]
            if not rest:
                return
            roots = _named_scopes(facts, rest)
            if roots:
                yield target, roots
            elif depth < 2 and rest[0] in facts.imports:
                # re-exported (``from .core import start`` in the package's __init__.py)
                yield from self.resolve(target, facts.imports[rest[0]], depth + 1)
            return

    def files_named(self, caller: SourceFile, text: str) -> Iterator[tuple[SourceFile, bool]]:
        """Files of the package that a command or path string names (``python post.py``,
        ``-m pkg.post``), each with whether it runs as the main program."""
        tokens = [t for t in _CMD_TOKENS.split(text) if t]
        for i, tok in enumerate(tokens):
            if tok.endswith((".py", ".pyw")):
                path = tok.replace("\\", "/").lstrip("./")
                cands = self.files.get(path.rsplit("/", 1)[-1], [])
                best = [c for c in cands if c.rel.endswith(path)] or cands
                if best:
                    yield self.pick(best, caller), True
            elif i > 0 and tokens[i - 1] == "-m" and tok in self.modules:
                yield self.modules[tok], True


def _module_name(rel: str) -> str:
    """``pkg/sub/mod.py`` -> ``pkg.sub.mod``; ``pkg/__init__.py`` -> ``pkg``."""
    parts = rel.removesuffix(".pyw").removesuffix(".py").split("/")
    if len(parts) > 1 and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _named_scopes(facts: Facts, rest: list[str]) -> list[int]:
    """The top-level function ``rest[0]``, or the class ``rest[0]``: its method ``rest[1]``, or
    (a call of the class) its body and constructors."""
    out: list[int] = []
    for sid in facts.scopes[0].children if facts.scopes else []:
        sc = facts.scopes[sid]
        if sc.name != rest[0] or sc.kind not in ("function", "class"):
            continue
        out.append(sid)
        if sc.kind == "class":
            wanted = rest[1:2] or CONSTRUCTORS
            out.extend(
                c
                for c in sc.children
                if facts.scopes[c].kind == "function" and facts.scopes[c].name in wanted
            )
    return out


def _caller_phase(src: SourceFile, scope: int, strict: set[int]) -> Phase | None:
    """When code in ``scope`` of ``src`` runs unasked (None: only when called by a user, or in
    tests, dev scripts and nested archives unless something runs them). Import-time code is
    what module level reaches by plain names (``strict``): the loose closure of
    ``Facts.reachable`` would make most of a library import-time once followed across files."""
    base = src.base_phase
    if src.role == Role.SETUP:
        return base if scope in strict else None
    if base is not Phase.IMPORT:
        return base
    entered = (src._entered or {}).get(scope)
    if entered is not None or src.role in (Role.TEST, Role.SCRIPT, Role.NESTED):
        return entered
    return Phase.IMPORT if scope in strict else None


#: setuptools commands that ``pip install`` (or a build of the sdist) runs; not ``develop``,
#: which only editable installs of a local checkout run.
PIP_COMMANDS = frozenset(
    {"install", "egg_info", "bdist_wheel", "build", "build_py", "build_ext",
     "build_clib", "build_scripts", "sdist", "dist_info", "editable_wheel", "install_lib",
     "install_scripts", "install_data", "install_headers", "install_egg_info", "bdist_egg",
     "easy_install"}
)  # fmt: skip


def _command_keys(tree: ast.Module | None) -> dict[str, set[str | None]]:
    """Per name used in setup.py, the ``cmdclass`` keys it is registered under: ``{"docs": X}``,
    ``dict(docs=X)``, ``cmdclass["docs"] = X``. None stands for a key not known before the code
    runs, a key the file names elsewhere too (``self.run_command("docs")`` from a command pip
    runs), or a use that is no registration (``commands.append(X)``); a class deriving from it
    (``class B(X)``) and its own methods naming it (``super(X, self)``) are no use."""
    uses: dict[str, list[str | None]] = {}
    if tree is None:
        return {}
    neutral: set[int] = set()  # Name nodes that are registrations, bases or a class's own name
    strings: dict[str, int] = {}
    # depth first, with the names of the classes around each node
    stack: list[tuple[ast.AST, frozenset[str]]] = [(tree, frozenset())]
    for _ in range(MAX_NODES):
        if not stack:
            break
        node, inside = stack.pop()
        if isinstance(node, ast.ClassDef):
            neutral.update(id(b) for b in node.bases)
            inside = inside | {node.name}
        stack.extend((child, inside) for child in ast.iter_child_nodes(node))
        if isinstance(node, ast.Name) and node.id in inside:
            neutral.add(id(node))
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings[node.value] = strings.get(node.value, 0) + 1
        pairs: list[tuple[object, ast.expr]] = []
        if isinstance(node, ast.Dict):
            pairs = list(zip(node.keys, node.values, strict=True))
        elif isinstance(node, ast.Call):
            pairs = [(k.arg, k.value) for k in node.keywords]
        elif isinstance(node, ast.Assign):
            pairs = [(t.slice, node.value) for t in node.targets if isinstance(t, ast.Subscript)]
        for key, value in pairs:
            if isinstance(value, ast.Name):
                if isinstance(key, ast.Constant):
                    key = key.value
                uses.setdefault(value.id, []).append(key if isinstance(key, str) else None)
                neutral.add(id(value))
        if (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and id(node) not in neutral
        ):
            uses.setdefault(node.id, []).append(None)
    # a key written once more than it is registered is named by code (run_command, sub_commands)
    registered: dict[str, int] = {}
    for keys in uses.values():
        for k in keys:
            if k is not None:
                registered[k] = registered.get(k, 0) + 1
    return {
        name: {k if k is None or strings.get(k, 0) <= registered[k] else None for k in keys}
        for name, keys in uses.items()
    }


def developer_commands(facts: Facts, tree: ast.Module | None) -> set[int]:
    """Class scopes of setup.py that only a developer's ``python setup.py CMD`` runs: command
    classes registered in ``cmdclass`` only under names pip never runs (a ``build_py`` subclass
    registered as ``docs``), or deriving only from commands pip never runs (``develop``, run by
    ``pip install -e`` of a local checkout; ``test``, ``upload``, ``Command`` itself) and
    registered under none that it runs; every class deriving from one must be one too. A use
    that is no registration, or a key not known (see ``_command_keys``), may make pip run it."""
    uses = _command_keys(tree)
    bases_of: dict[str, set[str]] = {}
    subs: dict[str, set[str]] = {}
    for name, bases, _line, _parent in facts.class_bases:
        bases_of.setdefault(name, set()).update(bases)
        for base in bases:
            subs.setdefault(base, set()).add(name)
    known: dict[str, set[str]] = {}

    def commands(name: str, depth: int = 0) -> set[str]:
        """The setuptools commands ``name`` derives from, through the file's own classes."""
        if name in known:
            return known[name]
        found: set[str] = set()
        known[name] = found  # (a cycle of bases ends here)
        for base in bases_of.get(name, ()):
            cmd = setuptools_command(base)
            if cmd is not None and (cmd == "Command" or cmd.islower()):
                found.add(cmd)  # (``Extension``, ``Distribution``: no commands)
            elif base in bases_of and depth < 8:
                found |= commands(base, depth + 1)
        return found

    candidates: set[str] = set()
    for name in bases_of:
        cmds = commands(name)
        keys = uses.get(name, set())
        if not cmds or None in keys or keys & PIP_COMMANDS:
            continue
        if keys or name in subs or not cmds & PIP_COMMANDS:
            candidates.add(name)
    # a class is only as developer-only as the classes deriving from it
    todo = [n for n in candidates if any(sub not in candidates for sub in subs.get(n, ()))]
    while todo:
        name = todo.pop()
        if name in candidates:
            candidates.discard(name)
            todo.extend(b for b in bases_of.get(name, ()) if b in candidates)
    return {
        c
        for name, _bases, line, parent in facts.class_bases
        if name in candidates
        for c in facts.scopes[parent].children
        if facts.scopes[c].name == name and facts.scopes[c].line == line
    }


def _setup_runs(facts: Facts, developer: set[int]) -> set[int]:
    """The scopes of setup.py that pip runs: module level and what it calls, and the methods of
    the commands pip invokes (``class PostInstall(install)``), not custom commands that only a
    developer runs (``python setup.py import_data``, the classes of ``developer``)."""
    commands: set[str] = set()
    for _ in range(2):  # a command deriving from another one of the file
        for name, bases, _line, _scope in facts.class_bases:
            if any(b.rsplit(".", 1)[-1] in PIP_COMMANDS or b in commands for b in bases):
                commands.add(name)
    roots = [0]
    for sc in facts.scopes:
        if sc.kind == "class" and sc.name in commands and sc.id not in developer:
            roots.extend(c for c in sc.children if facts.scopes[c].kind == "function")
    return facts.reachable_from(roots, strict=True)


def _entries(src: SourceFile, index: _ModuleIndex) -> Iterator[tuple[SourceFile, list[int], Phase]]:
    """(file, scopes, phase) that code of ``src`` running unasked enters elsewhere."""
    facts = src.facts
    if facts is None:
        return
    phases: dict[int, Phase | None] = {}
    strict: set[int] = set()
    if src.role in (Role.INIT, Role.MODULE):
        strict = facts.reachable_from([0], strict=True)
    elif src.role == Role.SETUP:
        strict = _setup_runs(facts, src.developer_classes())

    def phase_of(scope: int) -> Phase | None:
        if scope not in phases:
            phases[scope] = _caller_phase(src, scope, strict)
        return phases[scope]

    # What setup.py itself imports or calls of the package is mostly build tooling (version
    # helpers, compiler and code-generation scripts): only the files it executes count.
    setup = src.base_phase is not Phase.IMPORT
    for call in facts.calls:
        at = phase_of(call.scope)
        if at is None:
            continue
        if not setup and call.raw.split(".", 1)[0] in facts.imports:
            # a function (or class) of another module, called: ``start()``, ``pkg.core.start()``
            for target, roots in index.resolve(src, call.name):
                yield target, roots, at
        if call.name in _FILE_RUNNERS or call.name.startswith(_PROCESS_PREFIXES):
            yield from _files_run(src, call, index, at)


def _files_run(
    src: SourceFile, call: CallFact, index: _ModuleIndex, at: Phase
) -> Iterator[tuple[SourceFile, list[int], Phase]]:
    """The package's files that ``call`` executes (a script, ``exec`` of a file, ``runpy``)."""
    as_program = call.name in _AS_MAIN or call.name.startswith(_PROCESS_PREFIXES)
    for text in _literals(call.node):
        for target, as_main in index.files_named(src, text):
            tfacts = target.facts
            if target is src or tfacts is None:
                continue
            roots = [0]
            if as_main and as_program:
                roots += [c for c in tfacts.scopes[0].children if tfacts.scopes[c].kind == "main"]
            yield target, roots, at
        if call.name in ("runpy.run_module", "importlib.import_module", "__import__"):
            for target, roots in index.resolve(src, text):
                yield target, roots, at


def _literals(node: ast.Call) -> list[str]:
    """String constants among a call's arguments (a bounded walk)."""
    out: list[str] = []
    stack: list[ast.AST] = [*node.args, *(kw.value for kw in node.keywords)]
    seen = 0
    while stack and seen < MAX_LINK_NODES:
        cur = stack.pop()
        seen += 1
        if isinstance(cur, ast.Constant) and isinstance(cur.value, str):
            if len(cur.value) < 500:
                out.append(cur.value)
            continue
        stack.extend(ast.iter_child_nodes(cur))
    return out


def _enter(target: SourceFile, roots: set[int], phase: Phase) -> None:
    """Record that ``roots`` of ``target`` (and what they reach) run at ``phase``."""
    facts = target.facts
    if facts is None or target._entered is None:
        return
    # module level (an import) runs as usual; functions entered from elsewhere run what they
    # call by name (not every method their attribute calls could mean)
    closure = facts.reachable_from([0]) if 0 in roots else set()
    closure |= facts.reachable_from(sorted(roots - {0}), strict=True)
    for sid in closure:
        if _RANK[phase] > _RANK.get(target._entered.get(sid), 0):
            target._entered[sid] = phase


CODE_SUFFIXES = frozenset(
    {".py", ".pyw", ".pth", ".sh", ".bash", ".zsh", ".ps1", ".psm1", ".bat", ".cmd", ".vbs",
     ".vbe", ".js", ".jse", ".wsf", ".hta", ".command", ".pyx"}
)  # fmt: skip


def is_code(member: Member) -> bool:
    """Python, .pth, or a script (by suffix, or a shebang on an extensionless file)."""
    if member.suffix in CODE_SUFFIXES:
        return True
    return member.suffix == "" and member.data[:2] == b"#!"


def _pth_source(data: bytes) -> bytes:
    """Only the lines ``site`` executes (those starting with ``import``); others become blank so
    line numbers stay right."""
    out = [ln if _PTH_EXEC.match(ln) else b"" for ln in data.splitlines()]
    return b"\n".join(out)


def make_finding(
    meta_id: str,
    category: str,
    severity: Severity,
    message: str,
    *,
    file: str,
    line: int,
    evidence: str,
    base: float,
    phase: Phase,
    role: str,
    floor: float = 0.0,
    small: bool = False,
) -> Finding:
    """A finding whose weight is ``base`` scaled by where the code runs (never below
    ``base * floor``: some behaviour is damning wherever it sits)."""
    if role in (Role.TEST, Role.SCRIPT, Role.NESTED):
        floor = 0.0  # tests, dev scripts and embedded archives do not run on install or import
    weight = round(min(1.0, base * max(phase_factor(phase, role, small), floor)), 4)
    return Finding(
        rule=meta_id,
        category=category,
        severity=severity,
        message=message,
        file=file,
        line=line,
        evidence=evidence,
        weight=weight,
        phase=phase,
    )
