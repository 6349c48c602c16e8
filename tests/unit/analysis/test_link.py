"""Code across files: what other files of a package run of a module, and when.

See ``ScanContext.link``.

Also the facts the rules lean on for it: strict reachability, assignments, ``__import__`` names.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from snakewarden.analysis.context import ScanContext, SourceFile
from snakewarden.analysis.facts import collect_facts
from snakewarden.artifacts import artifact_from_files
from snakewarden.core.models import Phase


def _reader(data: bytes) -> Callable[[int], bytes]:
    return lambda n: data[:n]


def context(files: dict[str, str]) -> ScanContext:
    """An unpacked project (with a root file, so that no folder is taken for its top folder)."""
    files = {"pyproject.toml": "", **files}
    entries = [(p, len(t.encode()), _reader(t.encode())) for p, t in files.items()]
    return ScanContext(artifact_from_files("demo", entries))


def source(ctx: ScanContext, rel: str) -> SourceFile:
    return next(s for s in ctx.sources() if s.rel == rel)


def phase_of(ctx: ScanContext, rel: str, function: str) -> Phase:
    src = source(ctx, rel)
    assert src.facts is not None
    scope = next(s.id for s in src.facts.scopes if s.name == function)
    return src.phase(scope)


def test_init_calling_a_sibling_function_runs_it_at_import() -> None:
    ctx = context(
        {
            "acme/__init__.py": "from .core import start\nstart()\n",
            "acme/core.py": "def helper():\n    pass\n\ndef start():\n    helper()\n\n"
            "def unused():\n    pass\n",
        }
    )
    assert phase_of(ctx, "acme/core.py", "start") is Phase.IMPORT
    assert phase_of(ctx, "acme/core.py", "helper") is Phase.IMPORT
    assert phase_of(ctx, "acme/core.py", "unused") is Phase.RUNTIME


def test_functions_only_imported_or_registered_stay_runtime() -> None:
    ctx = context(
        {
            "acme/__init__.py": "from .core import start\nfrom .hooks import register\n"
            "register(start)\n",
            "acme/core.py": "def start():\n    pass\n",
            "acme/hooks.py": "HOOKS = []\n\ndef register(f):\n    HOOKS.append(f)\n",
        }
    )
    assert phase_of(ctx, "acme/core.py", "start") is Phase.RUNTIME
    assert phase_of(ctx, "acme/hooks.py", "register") is Phase.IMPORT


def test_calling_a_class_runs_its_constructor_not_its_other_methods() -> None:
    ctx = context(
        {
            "acme/__init__.py": "from .core import Client\nDEFAULT = Client()\n",
            "acme/core.py": "class Client:\n    def __init__(self):\n        pass\n\n"
            "    def send(self):\n        pass\n",
        }
    )
    assert phase_of(ctx, "acme/core.py", "__init__") is Phase.IMPORT
    assert phase_of(ctx, "acme/core.py", "send") is Phase.RUNTIME


def test_setup_running_a_shipped_script_makes_it_install_code() -> None:
    ctx = context(
        {
            "setup.py": "import subprocess, sys, os\nfrom setuptools import setup\n"
            'subprocess.call([sys.executable, os.path.join("tools", "post.py")])\n'
            'setup(name="demo")\n',
            # a dev script (outside the package), analysed because it has a capability
            "tools/post.py": "import urllib.request\n\ndef main():\n"
            '    urllib.request.urlopen("https://collector.example.invalid/")\n\n'
            "if __name__ == '__main__':\n    main()\n",
        }
    )
    post = source(ctx, "tools/post.py")
    assert post.install_time
    assert phase_of(ctx, "tools/post.py", "main") is Phase.INSTALL


def test_setup_executing_a_module_by_name_makes_it_install_code() -> None:
    ctx = context(
        {
            "setup.py": "from setuptools import setup\n"
            '__import__("acme.hook")\nsetup(name="demo")\n',
            "acme/__init__.py": "",
            "acme/hook.py": "def go():\n    pass\n\ngo()\n",
        }
    )
    assert phase_of(ctx, "acme/hook.py", "go") is Phase.INSTALL


def test_what_setup_merely_imports_or_calls_is_not_install_code() -> None:
    # build helpers (version readers, code generators) are what setup.py imports in most projects
    ctx = context(
        {
            "setup.py": "from setuptools import setup\nfrom build_helpers import generate\n"
            'generate()\nsetup(name="demo")\n',
            "build_helpers.py": "def generate():\n    pass\n",
        }
    )
    assert not source(ctx, "build_helpers.py").install_time
    assert phase_of(ctx, "build_helpers.py", "generate") is Phase.RUNTIME


def test_tests_calling_package_code_do_not_make_it_import_time() -> None:
    ctx = context(
        {
            "acme/__init__.py": "",
            "acme/core.py": "def start():\n    pass\n",
            "tests/test_core.py": "from acme.core import start\nstart()\n",
        }
    )
    assert phase_of(ctx, "acme/core.py", "start") is Phase.RUNTIME


def test_strict_reachability_follows_plain_calls_and_started_threads() -> None:
    facts = collect_facts(
        ast.parse(
            "import threading\n"
            "def worker():\n    pass\n"
            "def callback():\n    pass\n"
            "def run():\n    threading.Thread(target=worker).start()\n    register(callback)\n"
            "class C:\n    def method(self):\n        pass\n"
            "def other():\n    C().method()\n"
        )
    )
    ids = {s.name: s.id for s in facts.scopes}
    reached = facts.reachable_from([ids["run"]], strict=True)
    assert ids["worker"] in reached
    assert ids["callback"] not in reached
    assert ids["method"] not in facts.reachable_from([ids["other"]], strict=True)
    assert ids["method"] in facts.reachable_from([ids["other"]])  # named: self.method()


def test_assigned_finds_the_last_local_value_else_the_module_constant() -> None:
    facts = collect_facts(
        ast.parse('URL = "a"\ndef f():\n    cmd = "x"\n    cmd = "y"\n    run(cmd, URL)\n')
    )
    f = next(s.id for s in facts.scopes if s.name == "f")
    cmd = facts.assigned("cmd", f, 5)
    url = facts.assigned("URL", f, 5)
    assert isinstance(cmd, ast.Constant)
    assert cmd.value == "y"
    assert isinstance(url, ast.Constant)
    assert url.value == "a"
    assert facts.assigned("missing", f, 5) is None


def test_calls_on_a_dunder_import_resolve_to_the_module() -> None:
    facts = collect_facts(ast.parse('__import__("os").system("id")\n'))
    assert "os.system" in {c.name for c in facts.calls}


def test_setup_custom_commands_pip_never_runs_are_not_followed() -> None:
    script = "import urllib.request\n\nurllib.request.urlopen('https://data.example.invalid/')\n"
    setup = (
        "import subprocess, sys\nfrom setuptools import Command, setup\n"
        "from setuptools.command.install import install\n\n"
        "class fetch_data(Command):\n    def run(self):\n"
        "        subprocess.check_call([sys.executable, 'tools/fetch.py'])\n\n"
        "class PostInstall(install):\n    def run(self):\n"
        "        subprocess.check_call([sys.executable, 'tools/post.py'])\n\n"
        "setup(name='demo', cmdclass={'fetch_data': fetch_data, 'install': PostInstall})\n"
    )
    ctx = context({"setup.py": setup, "tools/fetch.py": script, "tools/post.py": script})
    assert not source(ctx, "tools/fetch.py").install_time
    assert source(ctx, "tools/post.py").install_time
