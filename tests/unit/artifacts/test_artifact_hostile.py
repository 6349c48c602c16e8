"""Hostile archives, all built here: each becomes a finding or an ArtifactError, never a crash."""

from __future__ import annotations

import contextlib
import io
import struct
import tarfile
import zipfile

import pytest
from archive_builders import PKG_INFO, SETUP, make_tar, make_zip, sdist_entries, wheel_entries
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from snakewarden.artifacts import ArtifactKind, Limits, read_artifact
from snakewarden.artifacts.reader import ARCHIVE_RULES
from snakewarden.errors import ArtifactError

MiB = 1024 * 1024


def rules(art: object) -> set[str]:
    return {f.rule for f in art.issues}  # type: ignore[attr-defined]


def paths(art: object) -> list[str]:
    return [m.path for m in art.members]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- plain reading


@pytest.mark.parametrize("mode", ["w:gz", "w:bz2", "w:xz", "w"])
def test_sdist_in_every_tar_compression(mode: str) -> None:
    art = read_artifact(make_tar(sdist_entries(), mode), "demo-1.0.tar.gz")
    assert art.kind is ArtifactKind.SDIST
    assert art.metadata is not None
    assert art.metadata.name == "demo"
    assert art.root == "demo-1.0/"
    assert art.member("demo-1.0/setup.py").data == SETUP  # type: ignore[union-attr]
    assert not art.issues


def test_wheel_named_tar_gz_is_read_as_a_wheel() -> None:
    art = read_artifact(make_zip(wheel_entries()), "demo-1.0.tar.gz")
    assert art.kind is ArtifactKind.WHEEL
    assert art.metadata is not None
    assert art.metadata.version == "1.0"


def test_zip_sdist_named_tar_gz_is_read_from_content() -> None:
    art = read_artifact(make_zip(sdist_entries()), "demo-1.0.tar.gz")
    assert art.kind is ArtifactKind.SDIST
    assert "demo-1.0/setup.py" in paths(art)


def test_tar_named_whl_is_read_from_content() -> None:
    art = read_artifact(make_tar(sdist_entries()), "demo-1.0-py3-none-any.whl")
    assert art.kind is ArtifactKind.SDIST


def test_egg_is_recognised() -> None:
    data = make_zip([("EGG-INFO/PKG-INFO", PKG_INFO), ("demo/__init__.py", b"x = 1\n")])
    art = read_artifact(data, "demo-1.0-py3.11.egg")
    assert art.kind is ArtifactKind.EGG
    assert art.metadata is not None
    assert art.metadata.name == "demo"


def test_loose_file() -> None:
    art = read_artifact(SETUP, "setup.py")
    assert art.kind is ArtifactKind.FILE
    assert paths(art) == ["setup.py"]


# ------------------------------------------------------------------------------ bombs


def test_zip_bomb_high_ratio_is_flagged_and_not_inflated() -> None:
    data = make_zip([*sdist_entries(), ("demo-1.0/data.bin", bytes(64 * MiB))])
    assert len(data) < MiB
    art = read_artifact(data, "demo-1.0.zip")
    assert "archive-bomb" in rules(art)
    assert "demo-1.0/data.bin" not in paths(art)
    assert sum(len(m.data) for m in art.members) < MiB


def _patch_declared_size(data: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size of every central-directory entry (a lying zip)."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos >= 0:
        struct.pack_into("<I", out, pos + 24, size)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


def test_zip_with_huge_declared_sizes() -> None:
    data = _patch_declared_size(make_zip(sdist_entries()), 0xFFFFFFF0)
    art = read_artifact(data, "demo-1.0.zip")
    assert "archive-oversized-member" in rules(art) or "archive-bomb" in rules(art)
    assert all(len(m.data) < MiB for m in art.members)


def test_zip_with_understated_sizes_reads_only_what_is_declared() -> None:
    data = _patch_declared_size(make_zip([("demo-1.0/big.py", b"x = 1\n" * 50_000)]), 10)
    art = read_artifact(data, "demo-1.0.zip")
    assert all(len(m.data) <= 10 for m in art.members)


def test_tar_bomb_stops_reading() -> None:
    limits = Limits(max_total_size=8 * MiB, max_member_size=4 * MiB)
    entries = [*sdist_entries(), *((f"demo-1.0/z{i}.bin", bytes(3 * MiB)) for i in range(6))]
    data = make_tar(entries)
    assert len(data) < MiB
    art = read_artifact(data, "demo-1.0.tar.gz", limits)
    assert "archive-bomb" in rules(art)
    assert "demo-1.0/setup.py" in paths(art)


def test_tar_member_over_the_size_bound_is_skipped() -> None:
    limits = Limits(max_member_size=MiB)
    art = read_artifact(make_tar([("demo-1.0/big.py", bytes(2 * MiB))]), "x.tar.gz", limits)
    assert "archive-oversized-member" in rules(art)


def test_archive_over_the_size_bound_is_refused() -> None:
    with pytest.raises(ArtifactError, match="bound"):
        read_artifact(make_tar(sdist_entries()), "x.tar.gz", Limits(max_archive_size=100))


def test_kept_bytes_are_bounded() -> None:
    limits = Limits(max_kept_size=64 * 1024)
    entries = [(f"demo-1.0/m{i}.py", b"# x\n" * 10_000) for i in range(10)]
    art = read_artifact(make_tar(entries), "x.tar.gz", limits)
    assert sum(len(m.data) for m in art.members) <= 64 * 1024 + 10 * limits.head_size
    assert any(not m.complete for m in art.members)


# -------------------------------------------------------------------------- paths and links


@pytest.mark.parametrize(
    "name", ["../evil.py", "demo-1.0/../../evil.py", "/etc/evil.py", "C:\\evil.py", "\\evil.py"]
)
def test_traversal_and_absolute_paths(name: str) -> None:
    art = read_artifact(make_zip([*sdist_entries(), (name, b"x = 1\n")]), "demo-1.0.zip")
    assert "archive-path-traversal" in rules(art)
    assert not any("evil" in p for p in paths(art))


def test_traversal_in_tar() -> None:
    art = read_artifact(make_tar([*sdist_entries(), ("../evil.py", b"x = 1\n")]), "x.tar.gz")
    assert "archive-path-traversal" in rules(art)


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE], ids=["symlink", "hardlink"])
def test_links_in_tar(kind: bytes) -> None:
    link = tarfile.TarInfo("demo-1.0/link.py")
    link.type = kind
    link.linkname = "/etc/passwd" if kind == tarfile.SYMTYPE else "demo-1.0/setup.py"
    art = read_artifact(make_tar([*sdist_entries(), link]), "x.tar.gz")
    assert "archive-link" in rules(art)
    assert "demo-1.0/link.py" not in paths(art)


def test_special_file_in_tar() -> None:
    fifo = tarfile.TarInfo("demo-1.0/pipe")
    fifo.type = tarfile.FIFOTYPE
    art = read_artifact(make_tar([*sdist_entries(), fifo]), "x.tar.gz")
    assert "archive-special-file" in rules(art)


def test_symlink_in_zip() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in sdist_entries():
            zf.writestr(name, data)
        info = zipfile.ZipInfo("demo-1.0/link")
        info.external_attr = (0o120777 << 16) | 0
        zf.writestr(info, "/etc/passwd")
    art = read_artifact(buf.getvalue(), "x.zip")
    assert "archive-link" in rules(art)
    assert "demo-1.0/link" not in paths(art)


def test_duplicate_member_last_copy_wins_and_both_are_kept() -> None:
    first, last = b"x = 'first'\n", b"x = 'last'\n"
    data = make_tar([*sdist_entries(), ("demo-1.0/demo/a.py", first), ("demo-1.0/demo/a.py", last)])
    art = read_artifact(data, "x.tar.gz")
    assert "archive-duplicate-member" in rules(art)
    assert art.member("demo-1.0/demo/a.py").data == last  # type: ignore[union-attr]
    assert art.member("dup1!demo-1.0/demo/a.py").data == first  # type: ignore[union-attr]
    assert art.root == "demo-1.0/"


def test_deep_paths() -> None:
    deep = "/".join(["d"] * 40) + "/x.py"
    art = read_artifact(make_tar([*sdist_entries(), (f"demo-1.0/{deep}", b"x=1\n")]), "x.tar.gz")
    assert "archive-deep-path" in rules(art)


def test_long_paths() -> None:
    art = read_artifact(make_tar([("demo-1.0/" + "a" * 2000 + ".py", b"x=1\n")]), "x.tar.gz")
    assert "archive-long-path" in rules(art)


def test_non_utf8_and_control_character_names() -> None:
    bad = tarfile.TarInfo("demo-1.0/\udcff\udcfe.py")  # raw bytes 0xff 0xfe on disk
    bad.size = 4
    ctrl = ("demo-1.0/evil\x1b[31m.py", b"x=1\n")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.GNU_FORMAT) as tf:
        tf.addfile(bad, io.BytesIO(b"x=1\n"))
        info = tarfile.TarInfo(ctrl[0])
        info.size = len(ctrl[1])
        tf.addfile(info, io.BytesIO(ctrl[1]))
    art = read_artifact(buf.getvalue(), "x.tar.gz")
    assert "archive-odd-name" in rules(art)
    for p in paths(art):
        p.encode("utf-8")  # printable: no lone surrogates
        assert "\x1b" not in p


def test_too_many_members() -> None:
    limits = Limits(max_members=10)
    entries = [(f"demo-1.0/f{i}.txt", b"x") for i in range(30)]
    art = read_artifact(make_tar(entries), "x.tar.gz", limits)
    assert "archive-too-many-members" in rules(art)
    assert len(art.members) <= 10


def test_zip_declaring_too_many_members_is_refused_before_parsing() -> None:
    data = bytearray(make_zip(sdist_entries()))
    eocd = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, eocd + 8, 0xFFFE, 0xFFFE)
    with pytest.raises(ArtifactError, match="declares"):
        read_artifact(bytes(data), "x.zip", Limits(max_declared_members=1000))


# --------------------------------------------------------------------------- broken archives


def test_truncated_tar_gz_keeps_what_was_read() -> None:
    data = make_tar([*sdist_entries(), ("demo-1.0/pad.bin", bytes(range(256)) * 4000)])
    cut = data[: len(data) * 2 // 3]
    try:
        art = read_artifact(cut, "x.tar.gz")
    except ArtifactError as exc:
        message = exc.message
    else:
        message = ""
        assert "archive-truncated" in rules(art)
    assert not message or "tar" in message


@pytest.mark.parametrize("size", [10, 100, 400])
def test_truncated_zip_is_an_error(size: int) -> None:
    with pytest.raises(ArtifactError, match="zip"):
        read_artifact(make_zip(sdist_entries())[:size], "x.zip")


def test_corrupt_member_in_zip() -> None:
    data = bytearray(make_zip([("demo-1.0/a.py", b"import os\n" * 500)]))
    start = data.find(b"PK\x03\x04") + 30 + len("demo-1.0/a.py")
    data[start : start + 20] = b"\xff" * 20
    art = read_artifact(bytes(data), "x.zip")
    assert "archive-corrupt" in rules(art)


@pytest.mark.parametrize(
    "data",
    [b"", make_tar([]), make_zip([]), make_tar([], "w"), b"\x1f\x8b" + b"\x00" * 20],
    ids=["empty-file", "empty-tar-gz", "empty-zip", "empty-tar", "garbage-gzip"],
)
def test_empty_or_garbage_archives_are_errors(data: bytes) -> None:
    with pytest.raises(ArtifactError):
        read_artifact(data, "x.tar.gz")


def test_encrypted_zip_member() -> None:
    data = bytearray(make_zip([*sdist_entries(), ("demo-1.0/secret.py", b"x = 1\n")]))
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.find(sig)
        while pos >= 0:
            flags = struct.unpack_from("<H", data, pos + off)[0]
            struct.pack_into("<H", data, pos + off, flags | 1)
            pos = data.find(sig, pos + 4)
    art = read_artifact(bytes(data), "x.zip")
    assert "archive-encrypted" in rules(art)


# ------------------------------------------------------------------------------- nesting


def test_nested_archive_one_level_is_read() -> None:
    inner = make_zip([("inner/payload.py", b"import os\n")])
    art = read_artifact(make_tar([*sdist_entries(), ("demo-1.0/vendor/inner.zip", inner)]), "x")
    assert "demo-1.0/vendor/inner.zip!inner/payload.py" in paths(art)


def test_nested_archive_two_levels_is_not_opened() -> None:
    deepest = make_zip([("deep/payload.py", b"import os\n")])
    middle = make_zip([("mid/deepest.zip", deepest)])
    art = read_artifact(make_tar([*sdist_entries(), ("demo-1.0/middle.zip", middle)]), "x")
    assert "demo-1.0/middle.zip!mid/deepest.zip" in paths(art)
    assert not any(p.count("!") > 1 for p in paths(art))


@pytest.mark.parametrize("suffix", ["gz", "bz2", "xz"])
def test_nested_single_compressed_file_is_read(suffix: str) -> None:
    import bz2
    import gzip
    import lzma

    pack = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[suffix]
    data = make_tar([*sdist_entries(), (f"demo-1.0/data/payload.py.{suffix}", pack(b"x = 1\n"))])
    art = read_artifact(data, "x.tar.gz")
    member = art.member(f"demo-1.0/data/payload.py.{suffix}!payload.py")
    assert member is not None
    assert member.data == b"x = 1\n"
    assert not rules(art)


def test_nested_compressed_bomb_is_flagged() -> None:
    import gzip

    bomb = gzip.compress(bytes(32 * MiB))
    art = read_artifact(make_tar([*sdist_entries(), ("demo-1.0/z.txt.gz", bomb)]), "x.tar.gz")
    assert "archive-bomb" in rules(art)


def test_nested_corrupt_archive_is_a_finding() -> None:
    art = read_artifact(make_tar([*sdist_entries(), ("demo-1.0/x.zip", b"PK\x03\x04junk")]), "x")
    assert "archive-corrupt" in rules(art)


def test_huge_single_line_is_read_whole() -> None:
    line = b"x = '" + b"A" * (3 * MiB) + b"'\n"
    art = read_artifact(make_tar([*sdist_entries(), ("demo-1.0/demo/blob.py", line)]), "x")
    member = art.member("demo-1.0/demo/blob.py")
    assert member is not None
    assert member.complete
    assert len(member.data) == len(line)


def test_every_issue_rule_is_described() -> None:
    art = read_artifact(make_tar([*sdist_entries(), ("../e.py", b"x")]), "x.tar.gz")
    assert rules(art) <= set(ARCHIVE_RULES)


# ----------------------------------------------------------------------------- properties

_SEEDS = [
    make_tar(sdist_entries()),
    make_tar(sdist_entries(), "w:bz2"),
    make_tar(sdist_entries(), "w:xz"),
    make_zip(sdist_entries()),
    make_zip(wheel_entries()),
]


@settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    seed=st.sampled_from(_SEEDS),
    cuts=st.lists(st.tuples(st.integers(0, 4000), st.binary(min_size=1, max_size=8)), max_size=6),
    truncate=st.integers(0, 5000),
)
@example(seed=_SEEDS[0], cuts=[], truncate=7)
@example(seed=_SEEDS[3], cuts=[(0, b"PK\x05\x06")], truncate=5000)
def test_mutated_archives_raise_only_artifact_error(
    seed: bytes, cuts: list[tuple[int, bytes]], truncate: int
) -> None:
    data = bytearray(seed)
    for pos, blob in cuts:
        p = pos % max(len(data), 1)
        data[p : p + len(blob)] = blob
    data = data[: max(1, len(data) - truncate % len(data))]
    with contextlib.suppress(ArtifactError):
        read_artifact(bytes(data), "x.tar.gz")


@settings(max_examples=100, deadline=None, database=None)
@given(st.binary(max_size=2048))
def test_random_bytes_raise_only_artifact_error(data: bytes) -> None:
    with contextlib.suppress(ArtifactError):
        read_artifact(data, "x")


def test_a_small_member_of_zero_filled_pages_is_no_bomb() -> None:
    """A shared library a wheel repair tool patched holds zero-filled pages: 2 MB at 220:1 is no
    decompression bomb (only a member inflating past ``Limits.min_bomb_size`` can be one)."""
    lib = b"\x7fELF" + bytes(2 * MiB)
    art = read_artifact(
        make_zip([*sdist_entries(), ("demo-1.0/demo.libs/libx.so.1", lib)]), "x.zip"
    )
    assert "archive-bomb" not in rules(art)
    assert "demo-1.0/demo.libs/libx.so.1" in paths(art)
