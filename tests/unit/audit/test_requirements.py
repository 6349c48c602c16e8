from __future__ import annotations

from pathlib import Path

import pytest

from snakewarden.audit.requirements import logical_lines, read_requirements
from snakewarden.errors import AuditError

ENV = {
    "python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux",
    "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64",
    "implementation_name": "cpython", "platform_python_implementation": "CPython",
    "implementation_version": "3.11.7", "platform_release": "", "platform_version": "",
}  # fmt: skip


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_pins_hashes_extras_markers_and_problems(tmp_path: Path) -> None:
    req = _write(
        tmp_path,
        "requirements.txt",
        "# comment\n"
        "Requests[socks]==2.19.0 \\\n"
        "    --hash=sha256:aaaa \\\n"
        "    --hash=sha256:bbbb\n"
        "--index-url https://example.invalid/simple\n"
        "flask>=1.0  # a range\n"
        "pywin32==306 ; sys_platform == 'win32'\n"
        "tomli==2.0.1 ; python_version < '3.12'\n"
        "-e git+https://example.invalid/repo.git#egg=localpkg\n"
        "demo @ https://example.invalid/demo-1.0.tar.gz\n"
        "https://example.invalid/thing-1.0-py3-none-any.whl\n"
        "numpy==1.*\n"
        "not a requirement ===\n",
    )
    inputs = read_requirements(req, environment=ENV)
    deps = {d.name: d for d in inputs.dependencies}
    assert set(deps) == {"requests", "tomli"}
    assert deps["requests"].version == "2.19.0"
    assert deps["requests"].hashes == ("sha256:aaaa", "sha256:bbbb")
    assert deps["requests"].extras == ("socks",)
    assert deps["requests"].line == 2
    assert deps["requests"].path == str(req)
    reasons = {(p.subject, p.error): p.reason for p in inputs.problems}
    assert "unpinned" in reasons[("flask>=1.0", True)]
    assert "unpinned" in reasons[("numpy==1.*", True)]
    assert "marker" in reasons[("pywin32", False)]
    assert "editable" in reasons[("localpkg", True)]
    assert "direct URL" in reasons[("demo", True)]
    assert any("cannot parse" in p.reason for p in inputs.problems)
    assert sum(p.error for p in inputs.problems) == 6


def test_includes_constraints_cycles_and_missing_files(tmp_path: Path) -> None:
    _write(tmp_path, "base.txt", "-r sub/more.txt\n-c constraints.txt\nflask\n-r missing.txt\n")
    _write(tmp_path, "sub/more.txt", "--requirement=../base.txt\nsix==1.16.0\n")
    _write(tmp_path, "constraints.txt", "flask==0.12.2\nunused==1.0\n")
    inputs = read_requirements(tmp_path / "base.txt", environment=ENV)
    versions = {d.name: d.version for d in inputs.dependencies}
    assert versions == {"six": "1.16.0", "flask": "0.12.2"}
    flask = next(d for d in inputs.dependencies if d.name == "flask")
    assert "pinned by" in flask.origin
    reasons = [p.reason for p in inputs.problems]
    assert any("cycle" in r for r in reasons)
    assert any("cannot read" in r for r in reasons)
    assert len(inputs.sources) == 3


def test_depth_bound(tmp_path: Path) -> None:
    for i in range(15):
        _write(tmp_path, f"r{i}.txt", f"-r r{i + 1}.txt\n")
    _write(tmp_path, "r15.txt", "six==1.0\n")
    inputs = read_requirements(tmp_path / "r0.txt", environment=ENV)
    assert inputs.dependencies == ()
    assert any("deeper" in p.reason for p in inputs.problems)


def test_editable_can_be_accepted(tmp_path: Path) -> None:
    req = _write(tmp_path, "r.txt", "-e .\n")
    inputs = read_requirements(req, environment=ENV, skip_editable=True)
    assert [p.error for p in inputs.problems] == [False]


def test_remote_include_is_not_fetched(tmp_path: Path) -> None:
    req = _write(tmp_path, "r.txt", "-r https://example.invalid/req.txt\n")
    (problem,) = read_requirements(req, environment=ENV).problems
    assert problem.error
    assert "not fetched" in problem.reason


def test_missing_top_level_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="cannot read"):
        read_requirements(tmp_path / "nope.txt", environment=ENV)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"a==1\n" * (3 * 1024 * 1024))
    with pytest.raises(AuditError, match="larger"):
        read_requirements(big, environment=ENV)


def test_logical_lines() -> None:
    text = "a==1 \\\n  --hash=sha256:x\n\n# only a comment\nb==2 # trailing\nurl#frag==1\n"
    assert logical_lines(text) == [(1, "a==1 --hash=sha256:x"), (5, "b==2"), (6, "url#frag==1")]


def test_shared_example(shared_data: Path) -> None:
    inputs = read_requirements(shared_data / "requirements-example.txt")
    assert len(inputs.dependencies) == 40
    assert inputs.problems == ()


@pytest.mark.parametrize(
    "line",
    ["Foo.Bar_baz==1.0.post1", "x==1!2.0+local.7", "a-b == 1.0-rc1", "Z9==0", "pkg==2.0.0.dev3"],
)
def test_simple_pins_read_as_packaging_reads_them(tmp_path: Path, line: str) -> None:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    (d,) = read_requirements(_write(tmp_path, "r.txt", line + "\n"), environment=ENV).dependencies
    req = Requirement(line)
    (spec,) = req.specifier
    assert (d.name, d.version, d.display_name) == (
        canonicalize_name(req.name),
        spec.version,
        req.name,
    )
