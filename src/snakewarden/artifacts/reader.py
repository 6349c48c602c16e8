"""Read a distribution from its bytes, within bounds, without extracting anything.

The archive type is sniffed from the content (wheels renamed ``.tar.gz`` exist); tar streams go
through the lean reader of ``tarstream`` (tarfile for what it does not handle). Members are kept
in memory: code and text whole (up to a bound), other files by their first bytes. Archives nested
one level deep are opened too. Hostile structure (links, traversal, bombs, duplicates, truncation)
becomes a finding on the artifact; only an unreadable or empty input raises ``ArtifactError``.
"""

from __future__ import annotations

import bz2
import contextlib
import encodings.cp437  # noqa: F401  (zip names: loaded now, not lazily mid-scan)
import gzip
import hashlib
import io
import lzma
import re
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from packaging.metadata import parse_email

from snakewarden.artifacts.model import Artifact, ArtifactKind, CoreMetadata, Limits, Member
from snakewarden.artifacts.tarstream import (
    GzipSource,
    InflateStop,
    TarCorrupt,
    TarEntry,
    TarUnsupported,
    iter_tar,
)
from snakewarden.core.models import Finding, Severity
from snakewarden.errors import ArtifactError

#: Members whose whole content is read (code, scripts, packaging metadata and config).
CODE_SUFFIXES = frozenset(
    {
        ".py", ".pyw", ".pyx", ".pxd", ".pxi", ".pth", ".sh", ".bash", ".zsh", ".ksh",
        ".ps1", ".psm1", ".psd1", ".bat", ".cmd", ".vbs", ".vbe", ".js", ".jse", ".wsf",
        ".hta", ".cfg", ".toml", ".ini", ".rb", ".pl", ".php", ".lua", ".applescript",
        ".scpt", ".command", ".desktop", ".service", ".plist", ".reg", ".lnk", ".in",
        ".spec", ".yml", ".yaml", ".json", ".txt",
    }
)  # fmt: skip
META_NAMES = frozenset(
    {"PKG-INFO", "METADATA", "RECORD", "WHEEL", "entry_points.txt", "setup.cfg", "Makefile"}
)
ARCHIVE_SUFFIXES = frozenset({".zip", ".whl", ".egg", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".jar"})
#: A file without a suffix is read whole when it is at most this large (scripts often have none).
_SMALL_PLAIN = 256 * 1024
_MAX_DESCRIPTION = 64 * 1024

ReadFn = Callable[[int], bytes]

#: The structural rules the reader itself applies (id -> one-line description), for reporters.
ARCHIVE_RULES: dict[str, str] = {
    "archive-path-traversal": "A member path is absolute or climbs out of the archive with '..'",
    "archive-long-path": "A member path is longer than the bound",
    "archive-deep-path": "A member path is nested deeper than the bound",
    "archive-duplicate-member": "The same member path appears twice; the last copy wins on install",
    "archive-odd-name": "A member name holds control characters or is not valid UTF-8",
    "archive-too-many-members": "The archive holds more members than the bound",
    "archive-oversized-member": "A member is larger than the per-file bound and was not read",
    "archive-bomb": "Decompression bomb: too many uncompressed bytes or too high a ratio",
    "archive-link": "A symbolic or hard link inside the distribution",
    "archive-special-file": "A device, fifo or other special member inside the distribution",
    "archive-corrupt": "A member (or a nested archive) could not be read",
    "archive-encrypted": "An encrypted member that cannot be inspected",
    "archive-truncated": "The archive is truncated or corrupt; only its start was read",
    "archive-bad-metadata": "The core metadata (PKG-INFO / METADATA) cannot be parsed",
}
#: Exceptions the standard library raises on malformed archives; all become ``ArtifactError``.
_READ_ERRORS = (
    tarfile.TarError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    struct.error,
    ValueError,  # includes UnicodeDecodeError of member names
    IndexError,
    KeyError,
    OverflowError,
    NotImplementedError,
    RuntimeError,  # includes RecursionError
)


def archive_issue(rule: str, message: str, path: str = "", weight: float = 0.0) -> Finding:
    """A structural finding (``rule`` is one of ``ARCHIVE_RULES``)."""
    return _issue(rule, message, path, weight)


def _issue(rule: str, message: str, path: str = "", weight: float = 0.0) -> Finding:
    severity = Severity.HIGH if weight >= 0.5 else Severity.MEDIUM if weight > 0 else Severity.LOW
    return Finding(
        rule=rule,
        category="archive." + rule.removeprefix("archive-").replace("-", "_"),
        severity=severity,
        message=message,
        file=path,
        weight=weight,
        evidence=path[:200],
    )


def sniff(data: bytes) -> str | None:
    """The container format of ``data``: zip, gzip, bzip2, xz, tar, or None."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:3] == b"BZh":
        return "bzip2"
    if data[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if data[257:262] == b"ustar":
        return "tar"
    return None


def _wants_whole(path: str, size: int) -> bool:
    name = path.rsplit("/", 1)[-1]
    if name in META_NAMES:
        return True
    dot = name.rfind(".")
    if dot <= 0:
        return size <= _SMALL_PLAIN
    return name[dot:].lower() in CODE_SUFFIXES


def _is_archive_name(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    dot = name.rfind(".")
    return dot > 0 and name[dot:] in ARCHIVE_SUFFIXES


@dataclass
class _Collector:
    """Gathers members and issues while enforcing the bounds."""

    limits: Limits
    prefix: str = ""
    members: list[Member] = field(default_factory=list)
    issues: list[Finding] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    total: int = 0
    count: int = 0
    kept: int = 0
    dups: int = 0
    stopped: bool = False

    def check_path(self, raw: str) -> str | None:
        """Normalized member path, or None (with an issue) when it must be skipped."""
        path = raw.replace("\\", "/")
        shown = self.prefix + path
        if len(path) > self.limits.max_path_length:
            self.issues.append(
                _issue(
                    "archive-long-path",
                    f"member path over {self.limits.max_path_length} chars",
                    shown[:200],
                    0.2,
                )
            )
            return None
        while path.startswith("./"):
            path = path[2:]
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if raw.startswith(("/", "\\")) or (len(raw) > 1 and raw[1] == ":"):
            self.issues.append(
                _issue("archive-path-traversal", f"absolute member path {raw[:200]!r}", shown, 0.6)
            )
            return None
        if ".." in parts:
            self.issues.append(
                _issue(
                    "archive-path-traversal",
                    f"member path escapes the archive {raw[:200]!r}",
                    shown,
                    0.6,
                )
            )
            return None
        if len(parts) > self.limits.max_path_depth:
            self.issues.append(
                _issue(
                    "archive-deep-path",
                    f"member path deeper than {self.limits.max_path_depth}",
                    shown[:200],
                    0.2,
                )
            )
            return None
        clean = "/".join(parts)
        odd = _odd_name(clean)
        if odd is not None:
            self.issues.append(
                _issue(
                    "archive-odd-name", f"member name {odd}", self.prefix + _printable(clean), 0.1
                )
            )
            clean = _printable(clean)
        if clean in self.seen:
            self.issues.append(
                _issue(
                    "archive-duplicate-member",
                    f"member {clean!r} appears twice; the last copy is the one installed",
                    self.prefix + clean,
                    0.3,
                )
            )
            self._shadow(self.prefix + clean)
        self.seen.add(clean)
        return clean

    def fork(self) -> _Collector:
        """A collector that continues from this one's state, to be ``absorb``ed on success."""
        return _Collector(
            self.limits,
            prefix=self.prefix,
            seen=set(self.seen),
            total=self.total,
            count=self.count,
            kept=self.kept,
            dups=self.dups,
            stopped=self.stopped,
        )

    def absorb(self, other: _Collector) -> None:
        self.members.extend(other.members)
        self.issues.extend(other.issues)
        self.seen = other.seen
        self.total, self.count, self.kept = other.total, other.count, other.kept
        self.dups, self.stopped = other.dups, other.stopped

    def _shadow(self, full: str) -> None:
        """Rename the earlier copy of a duplicated member so that the last copy keeps the path."""
        self.dups += 1
        for i, m in enumerate(self.members):
            if m.path == full:
                self.members[i] = Member(f"dup{self.dups}!{full}", m.data, m.size, m.complete)

    def admit(self, path: str, size: int) -> bool:
        """Count a member against the bounds; False when it must be skipped."""
        self.count += 1
        if self.count > self.limits.max_members:
            self.issues.append(
                _issue(
                    "archive-too-many-members",
                    f"more than {self.limits.max_members} members; the rest were not read",
                    self.prefix,
                    0.3,
                )
            )
            self.stopped = True
            return False
        if size > self.limits.max_member_size:
            self.issues.append(
                _issue(
                    "archive-oversized-member",
                    f"member of {size} bytes exceeds the {self.limits.max_member_size} bound",
                    self.prefix + path,
                    0.1,
                )
            )
            return False
        return True

    def account(self, nbytes: int) -> None:
        self.total += nbytes
        if self.total > self.limits.max_total_size and not self.stopped:
            self.issues.append(
                _issue(
                    "archive-bomb",
                    f"more than {self.limits.max_total_size} uncompressed bytes; reading stopped",
                    self.prefix,
                    0.5,
                )
            )
            self.stopped = True

    def add(self, path: str, size: int, read: ReadFn, depth: int) -> None:
        whole = _wants_whole(path, size)
        if whole and self.kept + min(max(size, 0), self.limits.max_code_size) > (
            self.limits.max_kept_size
        ):
            whole = False  # memory bound: from here on, heads only
        nested = depth == 0 and (_is_archive_name(path))
        if nested and size <= self.limits.max_nested_size:
            data = read(size)
            self.account(len(data))
            kind = sniff(data)
            if kind is not None:
                self._nested(path, data, kind)
                self.members.append(
                    Member(self.prefix + path, data[: self.limits.head_size], size, complete=False)
                )
                return
            complete = len(data) >= size
            if not whole:
                data = data[: self.limits.head_size]
                complete = size <= self.limits.head_size
            self.members.append(Member(self.prefix + path, data, size, complete))
            return
        cap = self.limits.max_code_size if whole else self.limits.head_size
        data = read(min(size, cap) if size >= 0 else cap)
        self.account(len(data))
        self.kept += len(data)
        self.members.append(Member(self.prefix + path, data, size, complete=len(data) >= size))

    def _nested(self, path: str, data: bytes, kind: str) -> None:
        inner = _Collector(self.limits, prefix=self.prefix + path + "!", seen=set())
        inner.total = self.total
        inner.kept = self.kept
        inner.count = self.count
        try:
            if kind in ("gzip", "bzip2", "xz") and not _is_tar_stream(data, kind, 512):
                # A single compressed file (``data.txt.gz``): its content is one member.
                self._decompressed(path, data, kind)
                return
            _read_container(data, kind, inner, depth=1)
        except ArtifactError as exc:
            self.issues.append(
                _issue(
                    "archive-corrupt",
                    f"nested archive unreadable: {exc.message}",
                    self.prefix + path,
                    0.0,
                )
            )
        except _READ_ERRORS as exc:
            self.issues.append(
                _issue(
                    "archive-corrupt",
                    f"nested archive unreadable: {exc!r}"[:300],
                    self.prefix + path,
                    0.0,
                )
            )
        self.members.extend(inner.members)
        self.issues.extend(inner.issues)
        self.total = inner.total
        self.kept = inner.kept
        self.count = inner.count
        self.stopped = self.stopped or inner.stopped

    def _decompressed(self, path: str, data: bytes, kind: str) -> None:
        cap = self.limits.max_code_size
        content = _decompress(data, kind, cap + 1)
        name = path.rsplit("/", 1)[-1]
        inner_name = name.rsplit(".", 1)[0] if "." in name else name
        if (
            len(data) > 0
            and len(content) > self.limits.min_bomb_size
            and len(content) / len(data) > (self.limits.max_ratio)
        ):
            self.issues.append(
                _issue(
                    "archive-bomb",
                    "compressed member inflates past the ratio bound",
                    self.prefix + path,
                    0.3,
                )
            )
            return
        self.account(len(content))
        whole = _wants_whole(inner_name, len(content))
        kept = content[:cap] if whole else content[: self.limits.head_size]
        self.kept += len(kept)
        self.members.append(
            Member(
                f"{self.prefix}{path}!{inner_name}",
                kept,
                len(content),
                complete=len(content) <= len(kept),
            )
        )


def _decompress(data: bytes, kind: str, limit: int) -> bytes:
    """At most ``limit`` bytes of the decompressed ``data`` (gzip, bzip2 or xz)."""
    if kind == "gzip":
        return zlib.decompressobj(wbits=47).decompress(data, limit)
    if kind == "bzip2":
        return bz2.BZ2Decompressor().decompress(data, max_length=limit)
    return lzma.LZMADecompressor().decompress(data, max_length=limit)


def _is_tar_stream(data: bytes, kind: str, peek: int) -> bool:
    """Whether compressed ``data`` holds a tar archive (its first block has the ustar magic)."""
    try:
        head = _decompress(data, kind, max(peek, 512))
    except _READ_ERRORS:
        return True  # let the tar reader report what is wrong
    return head[257:262] == b"ustar" or (len(head) >= 512 and _v7_tar_header(head))


def _v7_tar_header(block: bytes) -> bool:
    """A pre-POSIX tar header: its checksum field matches the header's bytes."""
    try:
        stored = int(block[148:156].split(b"\0", 1)[0].strip() or b"-1", 8)
    except ValueError:
        return False
    computed = sum(block[:148]) + 8 * 32 + sum(block[156:512])
    return stored == computed


#: Unicode category Cc: C0 and C1 control characters.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _odd_name(path: str) -> str | None:
    """Why a member name is odd (not UTF-8, control characters), or None."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid UTF-8"
    if _CONTROL.search(path):
        return "holds control characters"
    return None


def _printable(path: str) -> str:
    """``path`` made safe to show: undecodable bytes and control characters become U+FFFD."""
    text = path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _CONTROL.sub("\ufffd", text)


def _declared_zip_entries(data: bytes) -> int | None:
    """Entry count from the zip's end-of-central-directory record (zip64 aware), if found."""
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if pos < 0 or pos + 22 > len(data):
        return None
    count: int = struct.unpack_from("<H", data, pos + 10)[0]
    if count == 0xFFFF and pos >= 20 and data[pos - 20 : pos - 16] == b"PK\x06\x07":
        off: int = struct.unpack_from("<Q", data, pos - 12)[0]
        if off + 40 <= len(data) and data[off : off + 4] == b"PK\x06\x06":
            count = struct.unpack_from("<Q", data, off + 32)[0]
    return count


def _read_zip(data: bytes, col: _Collector, depth: int) -> None:
    declared = _declared_zip_entries(data)
    if declared is not None and declared > col.limits.max_declared_members:
        raise ArtifactError(
            f"zip archive declares {declared} members, over the bound of "
            f"{col.limits.max_declared_members}; not read"
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except _READ_ERRORS as exc:
        raise ArtifactError(f"corrupt zip archive: {exc}") from exc
    with zf:
        for info in infos:
            if col.stopped:
                break
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            path = col.check_path(info.filename)
            if path is None:
                continue
            if stat.S_ISLNK(mode):
                col.issues.append(
                    _issue(
                        "archive-link", "symbolic link inside the archive", col.prefix + path, 0.3
                    )
                )
                continue
            if info.flag_bits & 0x1:
                col.issues.append(
                    _issue(
                        "archive-encrypted",
                        "encrypted member: its content cannot be inspected",
                        col.prefix + path,
                        0.4,
                    )
                )
                continue
            if not col.admit(path, info.file_size):
                continue
            if (
                info.compress_size > 0
                and info.file_size > col.limits.min_bomb_size
                and info.file_size / info.compress_size > col.limits.max_ratio
            ):
                col.issues.append(
                    _issue(
                        "archive-bomb",
                        f"compression ratio {info.file_size // info.compress_size}:1 over the "
                        f"{col.limits.max_ratio:.0f}:1 bound",
                        col.prefix + path,
                        0.5,
                    )
                )
                continue

            def read(n: int, info: zipfile.ZipInfo = info) -> bytes:
                with zf.open(info) as fh:
                    return fh.read(n)

            try:
                col.add(path, info.file_size, read, depth)
            except _READ_ERRORS as exc:
                # NotImplementedError: unknown compression; BadZipFile: bad CRC or header.
                col.issues.append(
                    _issue(
                        "archive-corrupt", f"member unreadable: {exc}"[:300], col.prefix + path, 0.1
                    )
                )


def _decompressing_reader(data: bytes, kind: str) -> IO[bytes]:
    """A file over the decompressed ``data``.

    The library's file classes decompress in bounded steps; tarfile's own stream decompression
    (``r|gz``) does not, and turns a bomb of zeros into quadratic copying.
    """
    raw = io.BytesIO(data)
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if kind == "bzip2":
        return bz2.BZ2File(raw)
    if kind == "xz":
        return lzma.LZMAFile(raw)
    return raw


def _read_tar(data: bytes, kind: str, col: _Collector, depth: int) -> None:
    """Read a tar stream with the lean reader; archives it does not handle go to tarfile."""
    if kind == "gzip" and _read_tar_inflating(data, col, depth):
        return
    trial = col.fork()
    try:
        _read_tar_with(data, kind, trial, depth, fast=True)
    except TarUnsupported:
        _read_tar_with(data, kind, col, depth, fast=False)
        return
    col.absorb(trial)


def _read_tar_inflating(data: bytes, col: _Collector, depth: int) -> bool:
    """Read a gzip tar stream through ``GzipSource``: False, and nothing kept, when the stream is
    not clean from start to end, so that ``GzipFile`` reads it instead (its errors and where it
    stops are the ones reported), or when the lean reader leaves the archive to tarfile."""
    trial = col.fork()
    source = GzipSource(data)
    try:
        _read_tar_with(data, "gzip", trial, depth, fast=True, source=source)
    except ArtifactError:
        if source.drain():
            raise
        return False
    except (InflateStop, TarUnsupported):
        return False
    if not source.drain():
        return False
    col.absorb(trial)
    return True


def _tarfile_entries(tf: tarfile.TarFile) -> Iterator[TarEntry]:
    for ti in tf:
        if ti.isreg():
            fh = tf.extractfile(ti)
            if fh is None:
                continue
            yield TarEntry(ti.name, "file", ti.size, ti.linkname, fh.read)
            continue
        kind = (
            "dir"
            if ti.isdir()
            else "symlink"
            if ti.issym()
            else "hardlink"
            if ti.islnk()
            else "special"
        )
        yield TarEntry(ti.name, kind, 0, ti.linkname, _slicer(b""))


def _read_tar_with(
    data: bytes,
    kind: str,
    col: _Collector,
    depth: int,
    *,
    fast: bool,
    source: GzipSource | None = None,
) -> None:
    read_any = False
    tf: tarfile.TarFile | None = None
    try:
        if source is not None:
            entries = iter_tar(source)
        elif fast:
            entries = iter_tar(_decompressing_reader(data, kind))
        else:
            fh = _decompressing_reader(data, kind)
            tf = tarfile.open(fileobj=fh, mode="r|")  # noqa: SIM115
            entries = _tarfile_entries(tf)
    except _READ_ERRORS as exc:
        raise ArtifactError(f"not a readable tar archive ({kind}): {exc}") from exc
    declared = 0
    try:
        for entry in entries:
            read_any = True
            if col.stopped:
                break
            if entry.kind == "dir":
                continue
            path = col.check_path(entry.name)
            if path is None:
                continue
            if entry.kind in ("symlink", "hardlink"):
                what = "symbolic" if entry.kind == "symlink" else "hard"
                col.issues.append(
                    _issue(
                        "archive-link",
                        f"{what} link to {entry.linkname[:200]!r}",
                        col.prefix + path,
                        0.3,
                    )
                )
                continue
            if entry.kind != "file":
                col.issues.append(
                    _issue(
                        "archive-special-file",
                        "device, fifo or other special member",
                        col.prefix + path,
                        0.3,
                    )
                )
                continue
            declared += entry.size
            col.account(0)
            if declared > col.limits.max_total_size or (
                declared > 64 * 1024 * 1024 and declared / max(len(data), 1) > col.limits.max_ratio
            ):
                col.issues.append(
                    _issue(
                        "archive-bomb",
                        f"{declared} uncompressed bytes from a {len(data)}-byte archive; "
                        "reading stopped",
                        col.prefix + path,
                        0.5,
                    )
                )
                col.stopped = True
                break
            if not col.admit(path, entry.size):
                continue
            col.add(path, entry.size, entry.read, depth)
    except (*_READ_ERRORS, TarCorrupt) as exc:
        if not read_any and not col.members:
            raise ArtifactError(f"not a readable tar archive ({kind}): {exc}") from exc
        col.issues.append(
            _issue(
                "archive-truncated",
                f"archive is truncated or corrupt: {exc}"[:300],
                col.prefix,
                0.1,
            )
        )
    finally:
        if tf is not None:
            with contextlib.suppress(*_READ_ERRORS):
                tf.close()
    if not read_any:
        raise ArtifactError(f"empty or unreadable tar archive ({kind})")


def _read_container(data: bytes, kind: str, col: _Collector, depth: int) -> None:
    if kind == "zip":
        _read_zip(data, col, depth)
    else:
        _read_tar(data, kind, col, depth)


def _common_root(members: Iterable[Member]) -> str:
    root: str | None = None
    for m in members:
        if "!" in m.path:
            continue
        head, sep, _ = m.path.partition("/")
        if not sep:
            return ""
        if root is None:
            root = head
        elif head != root:
            return ""
    return root + "/" if root else ""


def _metadata_member(members: tuple[Member, ...], root: str) -> Member | None:
    best: tuple[int, Member] | None = None
    for m in members:
        if "!" in m.path:
            continue
        parts = m.path.split("/")
        rank: int | None = None
        top = (
            (parts[-1] == "PKG-INFO" and m.path == root + "PKG-INFO")
            or (parts[-1] == "METADATA" and len(parts) == 2 and parts[0].endswith(".dist-info"))
            or (parts[-1] == "PKG-INFO" and len(parts) == 2 and parts[0] == "EGG-INFO")
        )
        if top:
            rank = 0
        elif parts[-1] == "PKG-INFO":
            rank = len(parts)
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, m)
    return best[1] if best else None


def parse_metadata(data: bytes) -> CoreMetadata:
    """Parse PKG-INFO / METADATA leniently with ``packaging``; unknown fields are ignored."""
    raw, _unparsed = parse_email(data.decode("utf-8", "replace"))
    description = raw.get("description")
    urls = raw.get("project_urls") or {}
    return CoreMetadata(
        name=raw.get("name"),
        version=raw.get("version"),
        summary=raw.get("summary"),
        description=description[:_MAX_DESCRIPTION] if description else None,
        author=raw.get("author"),
        author_email=raw.get("author_email"),
        maintainer=raw.get("maintainer"),
        maintainer_email=raw.get("maintainer_email"),
        home_page=raw.get("home_page"),
        download_url=raw.get("download_url"),
        project_urls=tuple((str(k), str(v)) for k, v in urls.items()),
        requires_dist=tuple(raw.get("requires_dist") or ()),
        keywords=tuple(raw.get("keywords") or ()),
        license=raw.get("license"),
        classifiers=tuple(raw.get("classifiers") or ()),
    )


def _finish(
    filename: str,
    kind: ArtifactKind,
    size: int,
    sha256: str | None,
    col: _Collector,
) -> Artifact:
    members = tuple(col.members)
    root = _common_root(members) if kind in (ArtifactKind.SDIST, ArtifactKind.FOLDER) else ""
    meta_member = _metadata_member(members, root)
    metadata: CoreMetadata | None = None
    if meta_member is not None:
        try:
            metadata = parse_metadata(meta_member.data)
        except (ValueError, UnicodeError) as exc:
            col.issues.append(
                _issue("archive-bad-metadata", f"core metadata unparsable: {exc}", meta_member.path)
            )
    return Artifact(
        filename=filename,
        kind=kind,
        size=size,
        sha256=sha256,
        members=members,
        metadata=metadata,
        metadata_path=meta_member.path if meta_member else None,
        issues=tuple(col.issues),
        root=root,
    )


def read_artifact(data: bytes, filename: str, limits: Limits | None = None) -> Artifact:
    """Read the distribution in ``data``. Raises ``ArtifactError`` only when nothing is readable."""
    limits = limits or Limits()
    if len(data) > limits.max_archive_size:
        raise ArtifactError(
            f"{filename}: {len(data)} bytes exceeds the {limits.max_archive_size}-byte bound",
            hint="raise the bound only for inputs you trust",
        )
    sha256 = hashlib.sha256(data).hexdigest()
    kind = sniff(data)
    col = _Collector(limits)
    if kind is None:
        # A loose file: a setup.py, a script, a .pth.
        if not data.strip(b"\x00"):
            raise ArtifactError(f"{filename}: empty file (or an empty archive)")
        base = _printable(filename.replace("\\", "/").rsplit("/", 1)[-1]) or "file"
        col.add(base, len(data), _slicer(data), depth=1)
        return _finish(filename, ArtifactKind.FILE, len(data), sha256, col)
    try:
        _read_container(data, kind, col, depth=0)
    except ArtifactError as exc:
        raise ArtifactError(f"{filename}: {exc.message}", hint=exc.hint or None) from exc
    except _READ_ERRORS as exc:  # a malformed archive the library choked on
        raise ArtifactError(f"{filename}: unreadable {kind} archive: {exc!r}"[:500]) from exc
    if not col.members and not col.issues:
        raise ArtifactError(f"{filename}: the archive holds no files")
    art_kind = ArtifactKind.SDIST
    if kind == "zip":
        names = [m.path for m in col.members if "!" not in m.path]
        if any(
            n.count("/") == 1 and n.split("/")[0].endswith(".dist-info") and n.endswith("/WHEEL")
            for n in names
        ):
            art_kind = ArtifactKind.WHEEL
        elif any(n.startswith("EGG-INFO/") for n in names):
            art_kind = ArtifactKind.EGG
    return _finish(filename, art_kind, len(data), sha256, col)


def _slicer(data: bytes) -> ReadFn:
    return lambda n: data[:n]


def artifact_from_files(
    name: str,
    entries: Iterable[tuple[str, int, ReadFn]],
    limits: Limits | None = None,
    *,
    issues: Iterable[Finding] = (),
) -> Artifact:
    """An artifact from an unpacked tree: ``entries`` yields (relative path, size, read(n)).

    ``issues`` are structural findings the caller met while walking the tree (links, special
    files); ``archive_issue`` builds them.
    """
    limits = limits or Limits()
    col = _Collector(limits)
    col.issues.extend(issues)
    for rel, size, read in entries:
        if col.stopped:
            break
        path = col.check_path(rel)
        if path is None or not col.admit(path, size):
            continue
        col.add(path, size, read, depth=0)
    return _finish(name, ArtifactKind.FOLDER, col.total, None, col)
