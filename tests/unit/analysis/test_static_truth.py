"""Tests made of literals are known before the code runs: the block they rule out is dead."""

from __future__ import annotations

import ast

import pytest

from snakewarden.analysis.facts import collect_facts, static_truth


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        ("False", False),
        ("0", False),
        ("'1.0'.startswith('%%')", False),
        ("'%%version%%'.startswith('%%')", True),
        ("'a' == 'b'", False),
        ("1 != 2", True),
        ("'x' in 'xyz'", True),
        ("not False and 'a' in 'abc'", True),
        ("False or 0", False),
        ("sys.platform == 'win32'", None),
        ("os.environ.get('CI')", None),
        ("False and os.getenv('X')", False),
        ("True or os.getenv('X')", True),
        ("'1.0'.startswith(PREFIX)", None),
    ],
)
def test_static_truth(test: str, expected: bool | None) -> None:
    assert static_truth(ast.parse(test, mode="eval").body) is expected


def test_calls_under_a_false_test_are_not_facts() -> None:
    code = (
        "import os\n"
        "if '1.0'.startswith('%%'):\n    os.system('dead')\nelse:\n    os.getcwd()\n"
        "if True:\n    os.listdir('.')\nelse:\n    os.remove('x')\n"
        "def f():\n    if 0:\n        os.kill(1, 9)\n"
    )
    names = {c.name for c in collect_facts(ast.parse(code)).calls}
    assert {"os.getcwd", "os.listdir"} <= names
    assert not names & {"os.system", "os.remove", "os.kill"}
