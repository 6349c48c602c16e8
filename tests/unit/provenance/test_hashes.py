from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from snakewarden.errors import FetchError, UsageError
from snakewarden.provenance.hashes import (
    OptionLine,
    PinnedRequirement,
    UnpinnedRequirementError,
    file_version,
    parse_requirements,
    render_locked,
)
from snakewarden.provenance.model import IndexFile

A = "a" * 64
B = "b" * 64
C = "c" * 64


def test_parses_pinned_lines_options_and_continuations() -> None:
    text = (
        "# comment\n"
        "--index-url https://example.invalid/simple\n"
        "Requests==2.32.3  # trailing comment\n"
        "\n"
        'foo[bar]==1.0 ; python_version >= "3.8" \\\n'
        f"    --hash=sha256:{A.upper()}\n"
        "--require-hashes\n"
    )
    lines = parse_requirements(text)
    assert lines[0] == OptionLine(2, "--index-url https://example.invalid/simple")
    req = lines[1]
    assert isinstance(req, PinnedRequirement)
    assert (req.name, req.version, req.lineno) == ("requests", Version("2.32.3"), 3)
    foo = lines[2]
    assert isinstance(foo, PinnedRequirement)
    assert foo.text == 'foo[bar]==1.0 ; python_version >= "3.8"'
    assert foo.hashes == (A,)
    assert len(lines) == 3


def test_every_bad_line_is_reported() -> None:
    text = "\n".join(
        [
            "ok==1.0",
            "loose>=1.0",
            "star==1.*",
            "bare",
            "url @ https://example.invalid/x.whl",
            "-r other.txt",
            "-e .",
            "--weird-option",
            "md5==1.0 --hash=md5:abcd",
            "!!!",
            "pinned==1.0 --global-option=x",
        ]
    )
    with pytest.raises(UnpinnedRequirementError) as info:
        parse_requirements(text, "req.txt")
    numbers = [n for n, _, _ in info.value.lines]
    assert numbers == list(range(2, 12))
    message = info.value.diagnostics()
    assert "req.txt:2: loose>=1.0  (not pinned to one version with ==)" in message
    assert "direct URL" in message
    assert "nested requirement files" in message
    assert "hint: pin every requirement" in message
    assert isinstance(info.value, UsageError)


def test_bounds() -> None:
    with pytest.raises(UsageError, match="longer than"):
        parse_requirements("x" * 10_000)


def test_file_version() -> None:
    assert file_version("Foo_Bar-1.0-py3-none-any.whl") == (
        canonicalize_name("foo-bar"),
        Version("1.0"),
    )
    assert file_version("foo-1.0.tar.gz") == ("foo", Version("1.0"))
    assert file_version("foo-1.0.zip") == ("foo", Version("1.0"))
    assert file_version("foo-1.0.egg") is None
    assert file_version("garbage.whl") is None


def _files() -> dict[str, list[IndexFile]]:
    return {
        "requests": [
            IndexFile("requests-2.32.3-py3-none-any.whl", "u", B),
            IndexFile("requests-2.32.3.tar.gz", "u", A),
            IndexFile("requests-2.32.2.tar.gz", "u", C),
            IndexFile("requests-2.32.3.tar.gz.asc", "u", C),
        ],
        "foo": [
            IndexFile("foo-1.0.tar.gz", "u", C, yanked=True),
            IndexFile("foo-1.0.zip", "u", ""),
        ],
    }


def test_render_locked() -> None:
    lines = parse_requirements("-i https://example.invalid/simple\nrequests==2.32.3\nfoo==1.0\n")
    result = render_locked(lines, _files(), header="made by a test")  # type: ignore[arg-type]
    assert result.text == (
        "# made by a test\n"
        "-i https://example.invalid/simple\n"
        "requests==2.32.3 \\\n"
        f"    --hash=sha256:{A} \\\n"
        f"    --hash=sha256:{B}\n"
        "foo==1.0 \\\n"
        f"    --hash=sha256:{C}\n"
    )
    assert result.pinned == 2
    assert any("yanked" in w for w in result.warnings)
    assert any("no sha256" in w for w in result.warnings)


def test_pinned_hash_must_be_served() -> None:
    ok = parse_requirements(f"requests==2.32.3 --hash=sha256:{A}\n")
    assert render_locked(ok, _files()).pinned == 1  # type: ignore[arg-type]
    bad = parse_requirements(f"requests==2.32.3 --hash=sha256:{C}\n")
    with pytest.raises(FetchError, match="not the digest of any file"):
        render_locked(bad, _files())  # type: ignore[arg-type]


def test_missing_release_and_missing_digests() -> None:
    lines = parse_requirements("requests==9.9\nnothing==1.0\nfoo==1.0\n")
    files = _files()
    files["foo"] = [IndexFile("foo-1.0.zip", "u", "")]
    with pytest.raises(FetchError) as info:
        render_locked(lines, files)  # type: ignore[arg-type]
    text = info.value.message
    assert "no file of requests 9.9" in text
    assert "no file of nothing 1.0" in text
    assert "no sha256 digest for any file" in text
