"""pth-executable: a .pth file with import lines, which Python runs at every interpreter start."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext, make_finding, parse_code, shorten
from snakewarden.analysis.rule import RuleMeta
from snakewarden.core.models import Finding, Phase, Severity

META = RuleMeta(
    id="pth-executable",
    description="a .pth file holds executable lines that run at every Python start-up",
    severity=Severity.HIGH,
    category="threat.startup.pth",
)
_EXEC_LINE = re.compile(rb"^[ \t]*import[ \t]")
_PLAIN_IMPORT = re.compile(rb"^[ \t]*import[ \t]+[\w.]+(\s*,\s*[\w.]+)*[ \t]*$")
_DANGER = re.compile(
    rb"b64decode|base64|subprocess|\bsystem\(|popen|urlopen|request|socket|marshal|zlib|codecs|"
    rb"\\x[0-9a-f]{2}|getattr\(|http",
    re.IGNORECASE,
)
#: Folders whose files serve tests and docs (a .pth there is not installed).
_DATA_DIRS = frozenset(
    {"test", "tests", "testing", "testdata", "test_data", "fixtures", "docs", "doc", "examples",
     "example", "samples"}
)  # fmt: skip
_EXEC = re.compile(rb"\b(exec|eval|compile)\s*\(")


def _classify(line: bytes) -> tuple[float, str]:
    """(base weight, message) for an executable .pth line (weight 0: nothing to report)."""
    if _DANGER.search(line):
        return 0.6, "a .pth line runs code with exec/decoding/process/network"
    if _PLAIN_IMPORT.match(line):
        return 0.05, "a .pth line imports a module at every start-up"
    tree = parse_code(line)
    if tree is not None and _namespace_package(tree):
        return 0.0, "a .pth line sets up a namespace package (the setuptools -nspkg idiom)"
    if tree is not None and not _runs_computed_code(tree):
        # exec of a literal is the literal's statements (an opt-in start-up hook)
        return 0.2, "a .pth line runs statements at every start-up"
    if _EXEC.search(line):
        return 0.25, "a .pth line runs dynamic code at every start-up"
    return 0.2, "a .pth line runs statements at every start-up"


def _namespace_package(tree: ast.Module) -> bool:
    """The setuptools ``-nspkg.pth`` line: it finds ``sitedir`` in the caller's frame and adds
    a folder to a package's ``__path__`` (registering the module in ``sys.modules``)."""
    names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    texts = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    return "sitedir" in texts and "__path__" in texts and "_getframe" in names


def _runs_computed_code(tree: ast.Module, depth: int = 0) -> bool:
    """exec/eval/compile of something other than a string literal (whose content is checked
    the same way)."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id not in ("exec", "eval", "compile") or not node.args:
            continue
        arg = node.args[0]
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            return True
        inner = parse_code(arg.value)
        if inner is None or depth > 2 or _runs_computed_code(inner, depth + 1):
            return True
    return False


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        for m in ctx.artifact.members:
            if m.suffix != ".pth":
                continue
            nested = ctx.role_of(m) == Role.NESTED  # inside a shipped archive: never installed
            # a .pth among tests, docs or fixtures is data for them: it is never installed
            data = any(p.lower() in _DATA_DIRS for p in ctx.relative(m).split("/")[:-1])
            for no, line in enumerate(m.data.splitlines(), 1):
                if not _EXEC_LINE.match(line):
                    continue
                base, msg = _classify(line)
                if not base:
                    continue
                yield make_finding(
                    META.id,
                    META.category,
                    META.severity,
                    msg,
                    file=m.path,
                    line=no,
                    evidence=shorten(line.decode("utf-8", "replace")),
                    base=base,
                    phase=Phase.RUNTIME if nested or data else Phase.STARTUP,
                    role=Role.NESTED if nested else Role.TEST if data else Role.PTH,
                )
                break


RULE = _Rule()
