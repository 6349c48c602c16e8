"""Pathological sources never crash or hang the analysis."""

from __future__ import annotations

from snakewarden.analysis import analyze
from snakewarden.analysis.facts import collect_facts
from snakewarden.artifacts import artifact_from_files
from snakewarden.core.models import Verdict


def _reader(data: bytes):
    return lambda n: data[:n]


def scan(files: dict[str, bytes]):
    entries = [(p, len(d), _reader(d)) for p, d in files.items()]
    return analyze(artifact_from_files("demo", entries), target="demo")


def test_nesting_beyond_the_parser_limit_is_survived() -> None:
    deep = b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n"
    result = scan({"setup.py": deep, "demo/__init__.py": deep})
    assert result.verdict in (Verdict.CLEAN, Verdict.SUSPICIOUS)


def test_deep_but_valid_nesting_is_walked_without_recursion() -> None:
    import ast

    source = "x = " + "[" * 180 + "exec(y)" + "]" * 180
    facts = collect_facts(ast.parse(source))
    assert any(c.name == "exec" for c in facts.calls)


def test_megabyte_single_line_and_huge_literal() -> None:
    long_line = b"x = 1" + b" + 1" * 250_000 + b"\n"
    huge_literal = b'BLOB = "' + b"A" * 3_000_000 + b'"\n'
    result = scan({"demo/__init__.py": long_line, "setup.py": huge_literal})
    assert result.verdict is not Verdict.ERROR
    assert any(f.rule == "encoded-blob" for f in result.findings)


def test_binary_junk_named_py_and_null_bytes() -> None:
    junk = bytes(range(256)) * 100
    result = scan({"setup.py": junk, "demo/__init__.py": b"import os\x00\n"})
    assert result.verdict is Verdict.CLEAN


def test_names_that_cannot_be_decoded_are_left_alone() -> None:
    """An index past a literal's end, or a key no table holds, while decoding a name looked up
    with getattr: the name stays unknown."""
    code = (
        b"import builtins, os\n"
        b"NAMES = ['a', 'b']\n"
        b"f = getattr(builtins, NAMES[5])\n"
        b"g = getattr(os, 'sy'[7] + 'stem')\n"
    )
    result = scan({"demo/__init__.py": code})
    assert result.verdict is not Verdict.ERROR
