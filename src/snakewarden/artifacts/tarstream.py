"""A lean reader of tar streams: headers parsed with slicing, member data read on demand.

``tarfile`` builds a ``TarInfo`` and runs regular expressions over every PAX header, which costs
more than decompressing the archive. This reader handles what sdists hold (POSIX ustar, PAX
``x`` headers for long names and sizes, GNU ``L``/``K`` long names) and raises
``TarUnsupported`` on anything else (sparse files, base-256 sizes, a bad first header), so the
caller can fall back to ``tarfile`` for that archive.

A gzip stream held in memory is inflated by ``GzipSource`` in large steps, without the layers of
file objects ``gzip.GzipFile`` reads through. It serves only a clean single-member stream: on
anything else (corrupt or truncated data, bytes after the member) it raises ``InflateStop``, or
``drain`` returns False, and the caller reads the archive again through ``GzipFile``, whose
exact behaviour on such streams (where it stops, what it says) is the one reported.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

BLOCK = 512
_ZERO = bytes(BLOCK)
_MAX_META = 1024 * 1024  # a PAX or GNU long-name header larger than this is not read
_SKIP_CHUNK = 256 * 1024


class TarUnsupported(Exception):
    """The stream uses a tar feature this reader leaves to ``tarfile``."""


class TarCorrupt(Exception):
    """The stream is truncated or a header is damaged (after the first one)."""


class InflateStop(Exception):
    """``GzipSource`` met a gzip stream it leaves to ``gzip.GzipFile`` (see the module doc)."""


@dataclass(slots=True)
class TarEntry:
    name: str
    kind: str  # "file", "dir", "symlink", "hardlink", "special"
    size: int
    linkname: str
    read: Callable[[int], bytes]


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _octal(field: bytes) -> int:
    if field[:1] and field[0] & 0x80:
        raise TarUnsupported("base-256 number")
    digits = field.split(b"\0", 1)[0].strip(b" \0")
    if not digits:
        return 0
    try:
        return int(digits, 8)
    except ValueError as exc:
        raise TarCorrupt(f"bad number field {digits[:20]!r}") from exc


def _pax(payload: bytes) -> dict[bytes, bytes]:
    records: dict[bytes, bytes] = {}
    pos = 0
    while pos < len(payload):
        space = payload.find(b" ", pos)
        if space < 0:
            break
        try:
            length = int(payload[pos:space])
        except ValueError as exc:
            raise TarCorrupt("bad PAX record length") from exc
        if length <= 0 or pos + length > len(payload):
            raise TarCorrupt("bad PAX record length")
        key, sep, value = payload[space + 1 : pos + length - 1].partition(b"=")
        if sep:
            records[key] = value
        pos += length
    if any(k.startswith(b"GNU.sparse") for k in records):
        raise TarUnsupported("GNU sparse member")
    return records


class _Stream:
    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh

    def exact(self, n: int) -> bytes:
        chunks: list[bytes] = []
        left = n
        while left > 0:
            chunk = self.fh.read(left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def skip(self, n: int) -> None:
        while n > 0:
            chunk = self.fh.read(min(n, _SKIP_CHUNK))
            if not chunk:
                raise TarCorrupt("unexpected end of data")
            n -= len(chunk)


#: Compressed bytes fed to zlib at a time, and the most it inflates in one step.
_INFLATE_IN = 64 * 1024
_INFLATE_OUT = 256 * 1024
#: How much of a stream may be left after the end of the tar archive (padding, in practice).
_DRAIN_LIMIT = 1024 * 1024


class GzipSource:
    """The inflated bytes of the gzip stream ``data`` (one member), read in order.

    Memory stays bounded: at most ``_INFLATE_OUT`` bytes are inflated ahead of the reader.
    """

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._in = 0  # compressed bytes handed to zlib
        self._zlib = zlib.decompressobj(wbits=31)  # gzip header and trailer checked by zlib
        self._buf = b""
        self._pos = 0

    def _inflate(self) -> bytes:
        """The next inflated bytes; b"" at the clean end of the stream."""
        z = self._zlib
        while True:
            if z.eof:
                if z.unused_data or self._in < len(self._data):
                    raise InflateStop("data after the gzip member")
                return b""
            tail: bytes | memoryview = z.unconsumed_tail
            if not tail:
                if self._in >= len(self._data):
                    raise InflateStop("truncated gzip stream")
                tail = self._data[self._in : self._in + _INFLATE_IN]
                self._in += _INFLATE_IN
            try:
                out = z.decompress(tail, _INFLATE_OUT)
            except zlib.error as exc:
                raise InflateStop(str(exc)) from exc
            if out:
                return out

    def exact(self, n: int) -> bytes:
        """The next ``n`` bytes (fewer only at the end of the stream)."""
        pos = self._pos
        end = pos + n
        if end <= len(self._buf):
            self._pos = end
            return self._buf[pos:end]
        chunks = [self._buf[pos:]]
        left = n - (len(self._buf) - pos)
        while left > 0:
            out = self._inflate()
            if not out:
                self._buf, self._pos = b"", 0
                return b"".join(chunks)
            if len(out) <= left:
                chunks.append(out)
                left -= len(out)
                continue
            chunks.append(out[:left])
            self._buf, self._pos = out, left
            return b"".join(chunks)
        self._buf, self._pos = b"", 0
        return b"".join(chunks)

    def drain(self, limit: int = _DRAIN_LIMIT) -> bool:
        """True when the rest of the stream (at most ``limit`` bytes) inflates cleanly to its
        end: then ``gzip.GzipFile`` could not have failed anywhere on the stream either."""
        left = limit
        self._buf, self._pos = b"", 0
        try:
            while out := self._inflate():
                left -= len(out)
                if left < 0:
                    return False
        except InflateStop:
            return False
        return True

    def skip(self, n: int) -> None:
        left = n - (len(self._buf) - self._pos)
        if left <= 0:
            self._pos += n
            return
        self._buf, self._pos = b"", 0
        while left > 0:
            out = self._inflate()
            if not out:
                raise TarCorrupt("unexpected end of data")
            if len(out) > left:
                self._buf, self._pos = out, left
                return
            left -= len(out)


def iter_tar(fh: IO[bytes] | GzipSource) -> Iterator[TarEntry]:
    """The members of the tar stream ``fh``, in order. Data left unread is skipped."""
    stream = fh if isinstance(fh, GzipSource) else _Stream(fh)
    pending: dict[bytes, bytes] = {}
    first = True
    while True:
        block = stream.exact(BLOCK)
        if not block:
            return  # no end-of-archive blocks: tolerated
        if len(block) < BLOCK:
            raise TarCorrupt("unexpected end of data")
        if block == _ZERO:
            return
        stored = _octal(block[148:156]) if not first else _first_checksum(block)
        if sum(block[:148]) + 256 + sum(block[156:]) != stored:
            if first:
                raise TarUnsupported("first header checksum")
            return  # as tarfile (and so pip) does: a damaged header after the first ends it
        first = False
        size = _octal(block[124:136])
        padded = -(-size // BLOCK) * BLOCK
        flag = block[156:157]
        if flag in (b"x", b"g", b"L", b"K"):
            if size > _MAX_META:
                raise TarUnsupported("oversized meta header")
            payload = stream.exact(padded)
            if len(payload) < padded:
                raise TarCorrupt("unexpected end of data")
            payload = payload[:size]
            if flag == b"x":
                pending.update(_pax(payload))
            elif flag == b"L":
                pending[b"path"] = payload.rstrip(b"\0")
            elif flag == b"K":
                pending[b"linkpath"] = payload.rstrip(b"\0")
            continue  # "g": global PAX headers carry nothing this reader uses
        name = block[:100].split(b"\0", 1)[0]
        if block[257:263] == b"ustar\0":
            prefix = block[345:500].split(b"\0", 1)[0]
            if prefix:
                name = prefix + b"/" + name
        linkname = block[157:257].split(b"\0", 1)[0]
        if b"path" in pending:
            name = pending[b"path"]
        if b"linkpath" in pending:
            linkname = pending[b"linkpath"]
        if b"size" in pending:
            try:
                size = int(pending[b"size"])
            except ValueError as exc:
                raise TarCorrupt("bad PAX size") from exc
            padded = -(-size // BLOCK) * BLOCK
        pending = {}
        if flag in (b"0", b"\0", b"7"):
            kind = "dir" if flag == b"\0" and name.endswith(b"/") else "file"
        elif flag == b"5":
            kind = "dir"
        elif flag == b"2":
            kind = "symlink"
        elif flag == b"1":
            kind = "hardlink"
        elif flag in (b"3", b"4", b"6"):
            kind = "special"
        else:
            raise TarUnsupported(f"member type {flag!r}")
        if kind != "file":  # as tarfile does: links, folders and devices carry no data
            yield TarEntry(_text(name), kind, 0, _text(linkname), _no_data)
            continue
        consumed = 0

        def read(n: int, size: int = size) -> bytes:
            nonlocal consumed
            want = max(0, min(n, size - consumed))
            data = stream.exact(want)
            consumed += len(data)
            if len(data) < want:
                raise TarCorrupt("unexpected end of data")
            return data

        yield TarEntry(_text(name), kind, size, _text(linkname), read)
        stream.skip(padded - consumed)


def _first_checksum(block: bytes) -> int:
    try:
        return _octal(block[148:156])
    except TarCorrupt as exc:
        raise TarUnsupported("first header unreadable") from exc


def _no_data(n: int) -> bytes:
    return b""
