"""Hash-pinned requirements (``pip install --require-hashes``). Pure.

:func:`parse_requirements` reads a requirements file in which every requirement is pinned
(``name==version``); :func:`render_locked` writes it back with one ``--hash=sha256:…`` line per
file of that release, from the digests an index publishes. Hashes already in the input must be
among the index's digests, or locking fails (the index serves other files than you trusted).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from snakewarden.errors import FetchError, UsageError
from snakewarden.provenance.model import IndexFile

MAX_LINES = 20_000
MAX_LINE_CHARS = 8_192

#: Options kept verbatim in the output (they do not name a requirement).
_KEPT_OPTIONS = (
    "-i",
    "--index-url",
    "--extra-index-url",
    "--no-index",
    "-f",
    "--find-links",
    "--trusted-host",
    "--pre",
    "--prefer-binary",
    "--only-binary",
    "--no-binary",
    "--require-hashes",
)
_REFUSED_OPTIONS = {
    "-r": "nested requirement files (-r) are not followed: lock each file on its own",
    "--requirement": "nested requirement files are not followed: lock each file on its own",
    "-c": "constraint files (-c) are not followed: lock them on their own",
    "--constraint": "constraint files are not followed: lock them on their own",
    "-e": "editable requirements cannot be hash-pinned",
    "--editable": "editable requirements cannot be hash-pinned",
}
_HASH_RE = re.compile(r"--hash[= ]\s*([A-Za-z0-9]+):([0-9A-Fa-f]+)")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class UnpinnedRequirementError(UsageError):
    """Requirements that are not pinned to one version; ``lines`` holds ``(lineno, text, why)``."""

    hint = (
        "pin every requirement with == to one version (e.g. the output of `pip freeze` or "
        "`pip-compile`), then run lock-hashes again"
    )

    def __init__(self, source: str, lines: Sequence[tuple[int, str, str]]) -> None:
        shown = "\n".join(f"  {source}:{n}: {text}  ({why})" for n, text, why in lines[:20])
        more = f"\n  … and {len(lines) - 20} more" if len(lines) > 20 else ""
        super().__init__(f"{len(lines)} requirement(s) cannot be hash-pinned:\n{shown}{more}")
        self.lines = tuple(lines)


@dataclass(frozen=True, slots=True)
class PinnedRequirement:
    lineno: int
    text: str  # the requirement as written, without options or comment
    name: NormalizedName
    version: Version
    hashes: tuple[str, ...] = ()  # sha256 hex digests already given on the line


@dataclass(frozen=True, slots=True)
class OptionLine:
    lineno: int
    text: str


RequirementsLine = PinnedRequirement | OptionLine


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Joined ``\\`` continuations, comments stripped, blank lines dropped; with line numbers."""
    out: list[tuple[int, str]] = []
    buffer, start = "", 0
    raw_lines = text.splitlines()
    if len(raw_lines) > MAX_LINES:
        raise UsageError(f"requirements file has more than {MAX_LINES} lines")
    for number, raw in enumerate(raw_lines, start=1):
        if len(raw) > MAX_LINE_CHARS:
            raise UsageError(f"line {number} is longer than {MAX_LINE_CHARS} characters")
        if not buffer:
            start = number
        line = re.sub(r"(^|\s+)#.*$", "", raw)
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        if buffer.strip():
            out.append((start, buffer.strip()))
        buffer = ""
    if buffer.strip():
        out.append((start, buffer.strip()))
    return out


def _pin_of(req: Requirement) -> tuple[Version | None, str]:
    if req.url:
        return None, "a direct URL requirement cannot be locked from an index"
    specs = list(req.specifier)
    if len(specs) != 1 or specs[0].operator not in ("==", "===") or "*" in specs[0].version:
        return None, "not pinned to one version with =="
    try:
        return Version(specs[0].version), ""
    except InvalidVersion:
        return None, f"{specs[0].version!r} is not a PEP 440 version"


def parse_requirements(text: str, source: str = "requirements") -> list[RequirementsLine]:
    """Parse a pinned requirements file; every problem line is reported at once."""
    lines: list[RequirementsLine] = []
    bad: list[tuple[int, str, str]] = []
    for number, line in _logical_lines(text):
        if line.startswith("-"):
            option = re.split(r"[\s=]", line, maxsplit=1)[0]
            if option in _REFUSED_OPTIONS:
                bad.append((number, line, _REFUSED_OPTIONS[option]))
            elif option in _KEPT_OPTIONS:
                if option != "--require-hashes":
                    lines.append(OptionLine(number, line))
            else:
                bad.append((number, line, f"unsupported option {option}"))
            continue
        hashes = _HASH_RE.findall(line)
        spec = _HASH_RE.sub("", line).strip()
        if " --" in f" {spec}":
            bad.append((number, line, "per-requirement options other than --hash"))
            continue
        try:
            req = Requirement(spec)
        except InvalidRequirement as exc:
            bad.append((number, line, f"not a requirement ({exc})"))
            continue
        version, why = _pin_of(req)
        if version is None:
            bad.append((number, line, why))
            continue
        sha256s = []
        for algo, digest in hashes:
            if algo.lower() != "sha256":
                bad.append((number, line, f"only sha256 hashes are supported, not {algo}"))
                break
            sha256s.append(digest.lower())
        else:
            lines.append(
                PinnedRequirement(
                    number, spec, canonicalize_name(req.name), version, tuple(sha256s)
                )
            )
    if bad:
        raise UnpinnedRequirementError(source, bad)
    return lines


def file_version(filename: str) -> tuple[NormalizedName, Version] | None:
    """(name, version) of a wheel or an sdist (``.tar.gz``/``.zip``); None for anything else."""
    try:
        if filename.endswith(".whl"):
            name, version, _build, _tags = parse_wheel_filename(filename)
            return name, version
        if filename.endswith((".tar.gz", ".zip")):
            return parse_sdist_filename(filename)
    except (InvalidSdistFilename, InvalidWheelFilename, InvalidVersion):
        return None
    return None


@dataclass(frozen=True, slots=True)
class LockResult:
    text: str
    warnings: tuple[str, ...]
    pinned: int


def release_files(
    name: NormalizedName, version: Version, files: Sequence[IndexFile]
) -> list[IndexFile]:
    """The files of one release, told by their parsed file names."""
    out = []
    for f in files:
        parsed = file_version(f.filename)
        if parsed is not None and parsed[0] == name and parsed[1] == version:
            out.append(f)
    return out


def render_locked(
    lines: Sequence[RequirementsLine],
    files_by_project: Mapping[NormalizedName, Sequence[IndexFile]],
    *,
    header: str = "",
) -> LockResult:
    """The hash-pinned requirements text. Raises :class:`FetchError` for releases the index lacks
    or whose digests disagree with hashes already pinned in the input."""
    out: list[str] = [f"# {h}" if h else "#" for h in header.splitlines()]
    warnings: list[str] = []
    problems: list[str] = []
    pinned = 0
    for line in lines:
        if isinstance(line, OptionLine):
            out.append(line.text)
            continue
        files = release_files(line.name, line.version, files_by_project.get(line.name, ()))
        if not files:
            problems.append(f"{line.text}: the index has no file of {line.name} {line.version}")
            continue
        digests: list[str] = []
        for f in files:
            if not _SHA256_RE.match(f.sha256):
                warnings.append(f"{f.filename}: the index gives no sha256; file left out")
                continue
            if f.yanked:
                warnings.append(f"{f.filename}: yanked on the index")
            if f.sha256 not in digests:
                digests.append(f.sha256)
        if not digests:
            problems.append(f"{line.text}: the index gives no sha256 digest for any file")
            continue
        unknown = [h for h in line.hashes if h not in digests]
        if unknown:
            problems.append(
                f"{line.text}: pinned hash sha256:{unknown[0]} is not the digest of any file the "
                "index serves for this release (files replaced, or another index)"
            )
            continue
        pinned += 1
        out.append(line.text + " \\")
        out.extend(
            f"    --hash=sha256:{d}" + (" \\" if i < len(digests) - 1 else "")
            for i, d in enumerate(sorted(digests))
        )
    if problems:
        raise FetchError(
            "cannot hash-pin every requirement:\n" + "\n".join(f"  {p}" for p in problems),
            hint="check the pins and --index-url",
        )
    return LockResult("\n".join(out) + "\n", tuple(dict.fromkeys(warnings)), pinned)
