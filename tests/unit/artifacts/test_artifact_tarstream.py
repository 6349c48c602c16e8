"""The lean tar reader agrees with tarfile, and hands what it does not know back to it."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest
from archive_builders import sdist_entries
from hypothesis import given, settings
from hypothesis import strategies as st

from snakewarden.artifacts import read_artifact
from snakewarden.artifacts import reader as reader_module
from snakewarden.artifacts.tarstream import TarUnsupported, iter_tar

LONG = "demo-1.0/" + "/".join(["deep_folder_name"] * 12) + "/module.py"


def _tar(fmt: int, entries: list[tuple[str, bytes]], mode: str = "w") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode, format=fmt) as tf:  # type: ignore[call-overload]
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT])
def test_long_names_in_every_format(fmt: int) -> None:
    name = LONG if fmt != tarfile.USTAR_FORMAT else "demo-1.0/" + "p" * 120 + "/m.py"
    data = _tar(fmt, [*sdist_entries(), (name, b"x = 1\n")])
    entries = list(iter_tar(io.BytesIO(data)))
    assert name in [e.name for e in entries]
    art = read_artifact(data, "x.tar")
    assert art.member(name) is not None


def test_pax_size_and_unicode_names() -> None:
    data = _tar(tarfile.PAX_FORMAT, [("demo-1.0/naïve_模块.py", b"y = 2\n" * 1000)])
    entry = next(iter_tar(io.BytesIO(data)))  # data is read while the entry is current
    assert entry.name == "demo-1.0/naïve_模块.py"
    assert entry.size == 6000
    assert entry.read(10) == b"y = 2\ny = "


def test_sparse_members_fall_back_to_tarfile(monkeypatch: pytest.MonkeyPatch) -> None:
    data = bytearray(_tar(tarfile.GNU_FORMAT, [("demo-1.0/a.py", b"x = 1\n")]))
    data[156:157] = b"S"  # GNU sparse: left to tarfile
    header = bytes(data[:512])
    chk = sum(header[:148]) + 256 + sum(header[156:])
    data[148:156] = f"{chk:06o}\0 ".encode()
    with pytest.raises(TarUnsupported):
        list(iter_tar(io.BytesIO(bytes(data))))
    calls: list[bool] = []
    real = reader_module._read_tar_with

    def spy(*args: object, fast: bool) -> None:
        calls.append(fast)
        real(*args, fast=fast)  # type: ignore[arg-type]

    monkeypatch.setattr(reader_module, "_read_tar_with", spy)
    read_artifact(bytes(data), "x.tar")
    assert calls == [True, False]


def test_damaged_header_after_the_first_ends_the_archive_like_tarfile() -> None:
    data = bytearray(_tar(tarfile.USTAR_FORMAT, [("a/x.py", b"x=1\n"), ("a/y.py", b"y=2\n")]))
    data[1024 + 10] ^= 0xFF  # second header's name: checksum no longer matches
    assert [e.name for e in iter_tar(io.BytesIO(bytes(data)))] == ["a/x.py"]
    with tarfile.open(fileobj=io.BytesIO(bytes(data))) as tf:
        assert tf.getnames() == ["a/x.py"]


_NAMES = st.lists(
    st.text(alphabet="abcdefghij_-.é模", min_size=1, max_size=40).filter(
        lambda s: s not in (".", "..")
    ),
    min_size=1,
    max_size=6,
).map("/".join)


@settings(max_examples=60, deadline=None, database=None)
@given(
    fmt=st.sampled_from([tarfile.PAX_FORMAT, tarfile.GNU_FORMAT]),
    entries=st.lists(st.tuples(_NAMES, st.binary(max_size=3000)), min_size=1, max_size=8),
)
def test_lean_reader_agrees_with_tarfile(fmt: int, entries: list[tuple[str, bytes]]) -> None:
    data = _tar(fmt, entries, "w:gz")
    ours = [(e.name, e.read(10_000)) for e in iter_tar(gzip.GzipFile(fileobj=io.BytesIO(data)))]
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        theirs = [(ti.name, tf.extractfile(ti).read()) for ti in tf.getmembers()]  # type: ignore[union-attr]
    assert ours == theirs
