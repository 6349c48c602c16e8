"""``GzipSource`` serves exactly what ``gzip.GzipFile`` would, and hands every damaged or unusual
stream back to it, so that the artifact read is the same either way."""

from __future__ import annotations

import gzip
import io
import tarfile
import zlib

import pytest
from archive_builders import make_tar, sdist_entries
from hypothesis import given, settings
from hypothesis import strategies as st

from snakewarden.artifacts import Artifact, read_artifact
from snakewarden.artifacts import reader as reader_module
from snakewarden.artifacts.tarstream import GzipSource, InflateStop
from snakewarden.errors import ArtifactError


def _sdist(extra: int = 0) -> bytes:
    entries = sdist_entries([(f"demo-1.0/demo/m{i}.py", b"x = 1\n" * (50 + i)) for i in range(6)])
    if extra:
        entries.append(("demo-1.0/data.bin", bytes(range(256)) * (extra // 256)))
    return make_tar(entries)


def _view(art: Artifact) -> object:
    return (
        [(m.path, m.data, m.size, m.complete) for m in art.members],
        [(f.rule, f.message, f.file) for f in art.issues],
        art.metadata,
    )


def _through_gzipfile(data: bytes) -> object:
    """What the reader makes of ``data`` with ``GzipSource`` out of the way."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(reader_module, "_read_tar_inflating", lambda *_: False)
        try:
            return _view(read_artifact(data, "demo-1.0.tar.gz"))
        except ArtifactError as exc:
            return exc.message


def _read(data: bytes) -> object:
    try:
        return _view(read_artifact(data, "demo-1.0.tar.gz"))
    except ArtifactError as exc:
        return exc.message


@pytest.mark.parametrize("step", [1, 7, 512, 4096, 300_000])
def test_reads_in_any_step_give_the_inflated_bytes(step: int) -> None:
    raw = bytes(range(256)) * 4000 + b"tail"
    source = GzipSource(gzip.compress(raw, mtime=0))
    got = bytearray()
    while chunk := source.exact(step):
        got += chunk
    assert bytes(got) == raw
    assert source.drain()


def test_skip_then_read() -> None:
    raw = bytes(range(256)) * 4000
    source = GzipSource(gzip.compress(raw, mtime=0))
    source.skip(1000)
    assert source.exact(10) == raw[1000:1010]
    source.skip(500_000)
    assert source.exact(10) == raw[501_010:501_020]


@pytest.mark.parametrize(
    "data",
    [
        gzip.compress(b"x" * 100_000, mtime=0)[:-20],  # truncated
        gzip.compress(b"x" * 100_000, mtime=0) + b"junk",  # bytes after the member
        gzip.compress(b"x" * 100, mtime=0) + gzip.compress(b"y" * 100, mtime=0),  # a second member
    ],
)
def test_unusual_streams_stop(data: bytes) -> None:
    source = GzipSource(data)
    with pytest.raises(InflateStop):
        source.exact(10**6)
    assert not GzipSource(data).drain()


def test_drain_is_bounded() -> None:
    source = GzipSource(gzip.compress(bytes(4 * 1024 * 1024), mtime=0))
    assert not source.drain()


def test_clean_archives_are_read_once_through_gzip_source(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _sdist(extra=600_000)
    calls: list[bool] = []
    real = reader_module._read_tar_with

    def spy(*args: object, fast: bool, source: GzipSource | None = None) -> None:
        calls.append(source is not None)
        real(*args, fast=fast, source=source)  # type: ignore[arg-type]

    monkeypatch.setattr(reader_module, "_read_tar_with", spy)
    art = read_artifact(data, "demo-1.0.tar.gz")
    assert calls == [True]
    assert art.member("demo-1.0/demo/m3.py") is not None


def _damaged(data: bytes, how: str) -> bytes:
    if how == "truncated":
        return data[: len(data) * 2 // 3]
    if how == "flipped":
        b = bytearray(data)
        b[len(b) // 2] ^= 0x10
        return bytes(b)
    if how == "trailing":
        return data + b"\x00" * 100
    if how == "garbage":
        return data + b"not gzip"
    if how == "crc":
        return data[:-8] + bytes(4) + data[-4:]
    if how == "length":
        return data[:-4] + bytes(4)
    if how == "members":
        raw = zlib.decompress(data, wbits=31)
        return gzip.compress(raw[:3000], mtime=0) + gzip.compress(raw[3000:], mtime=0)
    raise AssertionError(how)


@pytest.mark.parametrize(
    "how", ["truncated", "flipped", "trailing", "garbage", "crc", "length", "members"]
)
def test_damaged_streams_read_as_gzipfile_reads_them(how: str) -> None:
    data = _damaged(_sdist(extra=300_000), how)
    assert _read(data) == _through_gzipfile(data)


@settings(max_examples=40, deadline=None, database=None)
@given(
    entries=st.lists(
        st.tuples(st.sampled_from(["a.py", "b.txt", "c.bin", "d/e.py"]), st.binary(max_size=5000)),
        min_size=1,
        max_size=6,
    ),
    cut=st.one_of(st.none(), st.floats(min_value=0.05, max_value=1.0)),
)
def test_agrees_with_gzipfile(entries: list[tuple[str, bytes]], cut: float | None) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, payload in entries:
            info = tarfile.TarInfo("demo-1.0/" + name)
            info.size = len(payload)
            tf.addfile(info, io.BytesIO(payload))
    data = buf.getvalue()
    if cut is not None:
        data = data[: max(20, int(len(data) * cut))]
    assert _read(data) == _through_gzipfile(data)
