"""Tests made of literals are known before the code runs: the block they rule out is dead."""

from __future__ import annotations

import ast

import pytest

from snakewarden.analysis.facts import StdModule, collect_facts, static_truth, world_names


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
        # the platform: the same on Linux, Windows and macOS, or not known
        ("sys.platform == 'zos'", False),
        ("'zos' in sys.platform", False),
        ("sys.platform != 'cygwin'", True),
        ("sys.platform.startswith('aix')", False),
        ("sys.platform[:3] == 'win'", None),
        ("sys.platform.startswith('linux')", None),
        ("os.name == 'java'", False),
        ("os.name == 'nt'", None),
        ("platform.system() == 'OS/390'", False),
        ("platform.system().lower() == 'sunos'", False),
        ("platform.system() in ('Linux', 'Darwin')", None),
        ("platform.machine() == 's390x'", None),
        ("sys == 'zos'", None),  # a module is no value a test compares
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
    assert world_names(ast.parse(code).body) == {"sys": StdModule("sys"), "PY2": False, "SRC": "."}


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


def test_code_only_an_exotic_platform_runs_is_not_facts() -> None:
    """ibm_db-like: install steps for z/OS never run on Linux, Windows or macOS."""
    code = (
        "import os, sys, subprocess\n"
        "import platform as pf\n"
        "if 'zos' == sys.platform:\n    subprocess.run(['tso', 'x'])\n"
        "if pf.system() == 'AIX':\n    os.system('aix')\n"
        "if sys.platform == 'win32':\n    os.startfile('kept')\n"
        "def f():\n    if os.name == 'java':\n        os.remove('x')\n"
    )
    facts = collect_facts(ast.parse(code))
    names = {c.name for c in facts.calls}
    assert "os.startfile" in names
    assert not names & {"subprocess.run", "os.system", "os.remove"}
    assert facts.is_dead(4)
    assert facts.is_dead(11)
    assert not facts.is_dead(8)


@pytest.mark.parametrize(
    "shadow",
    [
        "sys = Fake()\n",
        "import fake as sys\n",
        "from fake import sys\n",
        "def g(sys):\n    pass\n",
        "for sys in []:\n    pass\n",
        "def g():\n    global sys\n    sys = Fake()\n",
        "class sys:\n    platform = 'zos'\n",
    ],
)
def test_a_module_bound_to_something_else_reads_nothing(shadow: str) -> None:
    """A module name bound to anything else anywhere makes its tests unknown: code under
    ``if sys.platform == 'zos':`` runs when ``sys`` is the attacker's object."""
    code = "import sys, os\n" + shadow + "if sys.platform == 'zos':\n    os.system('x')\n"
    names = {c.name for c in collect_facts(ast.parse(code)).calls}
    assert "os.system" in names


def test_without_an_import_a_module_name_reads_nothing() -> None:
    code = "import os\nif sys.version_info[0] == 2:\n    os.system('x')\n"
    assert "os.system" in {c.name for c in collect_facts(ast.parse(code)).calls}
