"""Tests made of literals are known before the code runs: the block they rule out is dead."""

from __future__ import annotations

import ast

import pytest

from snakewarden.analysis.facts import collect_facts, static_truth, version_names


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
        # the Python version: the same on every Python of today, or not known
        ("sys.version_info[0] == 2", False),
        ("sys.version_info[0] >= 3", True),
        ("sys.version_info < (3,)", False),
        ("sys.version_info[:2] <= (2, 6)", False),
        ("sys.version_info[:2] < (3, 5)", False),
        ("sys.version_info.major == 2", False),
        ("six.PY2", False),
        ("not six.PY3", False),
        ("sys.version_info >= (3, 10)", None),
        ("sys.version_info < (3, 12)", None),
        ("sys.version_info[0] == 2 or os.getenv('X')", None),
        ("sys.version_info[9] == 1", None),
        ("sys.platform == 'zos'", None),
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


def test_names_the_python_version_decides() -> None:
    code = (
        "import sys\n"
        "PY2 = sys.version_info[0] == 2\n"
        "if sys.version_info[0] == 3:\n    SRC = '.'\nelse:\n    SRC = 'py2_source'\n"
        "FLAG = False\n"  # not decided by the version: another module may set it
        "if sys.version_info >= (3, 11):\n    NEW = 1\nelse:\n    NEW = 0\n"  # not known
        "COUNT = sys.version_info[0] == 3\nCOUNT = 0\n"  # assigned twice
        "RESET = sys.version_info[0] == 3\ndef reset():\n    global RESET\n    RESET = 0\n"
    )
    assert version_names(ast.parse(code).body) == {"PY2": False, "SRC": "."}


def test_code_only_python_2_runs_is_not_facts() -> None:
    """PyLaTeX-like: a setup step that converts sources for Python 2 runs only where a name set
    by a version test says so; a parameter of the same name is another variable."""
    code = (
        "import sys, subprocess\n"
        "PY2 = sys.version_info[0] == 2\n"
        "if sys.version_info[0] == 3:\n    source_dir = '.'\nelse:\n    source_dir = 'py2'\n"
        "def convert():\n"
        "    if source_dir == 'py2' and not DONE:\n        subprocess.check_call(['3to2'])\n"
        "def other(source_dir):\n"
        "    if source_dir == 'py2':\n        subprocess.run(['kept'])\n"
        "if PY2:\n    exec('print 1')\n"
        "if sys.version_info < (3,):\n    import os; os.system('old')\n"
    )
    names = {c.name for c in collect_facts(ast.parse(code)).calls}
    assert "subprocess.run" in names
    assert not names & {"subprocess.check_call", "exec", "os.system"}
