"""Read OSV records from files: JSON, JSON arrays, JSON lines, gzip, zip, folders of YAML/JSON.

The format is sniffed from the content (magic bytes, first character), not from the file name.
Every input is bounded: file sizes, decompressed sizes, member counts, folder depth. A record that
cannot be parsed is counted and described (``problems``), never silently dropped.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from snakewarden.advisories.model import Advisory
from snakewarden.advisories.parse import parse_advisory
from snakewarden.errors import OsvError

MAX_FILE = 2 * 1024**3  # compressed input file
MAX_DECOMPRESSED = 4 * 1024**3  # whole gzip or zip, decompressed
MAX_MEMBER = 64 * 1024**2  # one zip member or one file of a folder
MAX_MEMBERS = 2_000_000
MAX_DEPTH = 12
MAX_PROBLEMS = 20

_GZIP = b"\x1f\x8b"
_ZIP = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"


@dataclass(slots=True)
class ReadReport:
    """Counts what reading rejected (mutable while reading; the store reports the rest)."""

    rejected: int = 0
    problems: list[str] = field(default_factory=list)

    def reject(self, where: str, why: str) -> None:
        self.rejected += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{where}: {why}")


def read_advisories(path: Path, report: ReadReport) -> Iterator[Advisory]:
    """Every OSV record in ``path`` (file or folder), parsed; rejects go to ``report``."""
    if path.is_dir():
        yield from _read_folder(path, report)
        return
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise OsvError(f"{path} is {size} bytes, over the {MAX_FILE}-byte limit")
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise OsvError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if head.startswith((_ZIP, _EMPTY_ZIP)):
        yield from _read_zip(path, report)
    elif head.startswith(_GZIP):
        yield from _read_text(_gunzip(path), str(path), report)
    else:
        yield from _read_text(_read_bounded(path), str(path), report)


def _read_bounded(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_MEMBER * 64 + 1)
    except OSError as exc:
        raise OsvError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return data


def _gunzip(path: Path) -> bytes:
    out = io.BytesIO()
    try:
        with gzip.open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                out.write(chunk)
                if out.tell() > MAX_DECOMPRESSED:
                    raise OsvError(f"{path} decompresses to more than {MAX_DECOMPRESSED} bytes")
    except (OSError, EOFError) as exc:
        raise OsvError(f"{path} is not a readable gzip file: {exc}") from exc
    return out.getvalue()


def _read_zip(path: Path, report: ReadReport) -> Iterator[Advisory]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise OsvError(f"{path} is not a readable zip file: {exc}") from exc
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise OsvError(f"{path} has {len(infos)} members (limit {MAX_MEMBERS})")
        total = 0
        for info in infos:
            kind = _kind_by_name(info.filename)
            if kind is None:
                continue
            where = f"{path}!{info.filename}"
            if info.file_size > MAX_MEMBER:
                report.reject(where, f"member is {info.file_size} bytes (limit {MAX_MEMBER})")
                continue
            total += info.file_size
            if total > MAX_DECOMPRESSED:
                raise OsvError(f"{path} decompresses to more than {MAX_DECOMPRESSED} bytes")
            try:
                with zf.open(info) as fh:
                    data = fh.read(MAX_MEMBER + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                report.reject(where, f"unreadable member: {exc}")
                continue
            if len(data) > MAX_MEMBER:
                report.reject(where, "member is larger than its header says")
                continue
            if kind == "yaml":
                yield from _read_yaml(data, where, report)
            else:
                yield from _read_text(data, where, report)


def _kind_by_name(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    if lower.endswith((".json", ".jsonl", ".ndjson")):
        return "json"
    return None


def _read_folder(root: Path, report: ReadReport) -> Iterator[Advisory]:
    count = 0
    base_depth = len(root.parts)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        if len(here.parts) - base_depth >= MAX_DEPTH:
            dirnames[:] = []
        for fname in sorted(filenames):
            kind = _kind_by_name(fname)
            fpath = here / fname
            if kind is None or fpath.is_symlink():
                continue
            count += 1
            if count > MAX_MEMBERS:
                raise OsvError(f"{root} holds more than {MAX_MEMBERS} record files")
            try:
                size = fpath.stat().st_size
                if size > MAX_MEMBER:
                    report.reject(str(fpath), f"file is {size} bytes (limit {MAX_MEMBER})")
                    continue
                data = fpath.read_bytes()
            except OSError as exc:
                report.reject(str(fpath), f"unreadable: {exc.strerror or exc}")
                continue
            if kind == "yaml":
                yield from _read_yaml(data, str(fpath), report)
            else:
                yield from _read_text(data, str(fpath), report)


def _read_text(data: bytes, where: str, report: ReadReport) -> Iterator[Advisory]:
    """A JSON object, a JSON array of objects, or JSON lines."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.reject(where, f"not UTF-8 text: {exc}")
        return
    stripped = text.lstrip()
    if not stripped:
        return
    if stripped[0] == "[":
        try:
            items = json.loads(stripped)
        except ValueError as exc:
            report.reject(where, f"invalid JSON: {exc}")
            return
        if not isinstance(items, list):  # pragma: no cover - "[" always decodes to a list
            report.reject(where, "expected a JSON array")
            return
        for i, item in enumerate(items):
            yield from _parse_one(item, None, f"{where}[{i}]", report)
        return
    try:
        obj = json.loads(stripped)
    except ValueError:
        pass
    else:
        yield from _parse_one(obj, None, where, report)
        return
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            report.reject(f"{where}:{lineno}", f"invalid JSON: {exc}")
            continue
        yield from _parse_one(obj, line, f"{where}:{lineno}", report)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _read_yaml(data: bytes, where: str, report: ReadReport) -> Iterator[Advisory]:
    try:
        obj = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        report.reject(where, f"invalid YAML: {exc}")
        return
    if obj is None:
        return
    yield from _parse_one(_jsonable(obj), None, where, report)


def _parse_one(obj: object, raw: str | None, where: str, report: ReadReport) -> Iterator[Advisory]:
    try:
        yield parse_advisory(obj, raw=raw)
    except OsvError as exc:
        report.reject(where, exc.message)
