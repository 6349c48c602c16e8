"""pip requirements files: ``-r``/``-c`` includes, hashes, markers, extras, URL and editable lines.

Every line ends up somewhere visible: a pinned dependency to check, a problem (unpinned, URL,
editable, unparseable, missing include), or a skipped entry (marker false for the environment).
Includes are followed relative to the including file, bounded in depth and count, with cycles
reported. Constraints files (``-c``) do not add dependencies; they pin unpinned requirements.
"""

from __future__ import annotations

import contextlib
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from snakewarden.audit.model import (
    Dependency,
    DependencyKind,
    InputSet,
    Problem,
    marker_environment,
)
from snakewarden.errors import AuditError

MAX_DEPTH = 10
MAX_FILES = 200
MAX_BYTES = 10 * 1024 * 1024
MAX_LINES = 200_000

Reader = Callable[[Path], str]
Environment = Mapping[str, str]

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^(git|hg|svn|bzr)\+", re.ASCII)
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
# Global options: accepted, no effect on what is audited.
_GLOBAL_WITH_VALUE = {
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--no-binary",
    "--only-binary", "--trusted-host", "--use-feature", "--progress-bar", "--platform",
    "--python-version", "--implementation", "--abi",
}  # fmt: skip
# "name==version" with nothing else: PEP 508 name, a version without wildcards.
_SIMPLE_PIN = re.compile(
    r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*==\s*([A-Za-z0-9][A-Za-z0-9.!+_-]*)$"
)
_ARCHIVES = (".whl", ".zip", ".tar.gz", ".tar.bz2", ".tgz")
_GLOBAL_FLAGS = {"--pre", "--prefer-binary", "--require-hashes", "--no-index"}
_PER_REQ_WITH_VALUE = {"--hash", "--global-option", "--install-option", "--config-settings"}


def read_file_bounded(path: Path) -> str:
    """Read a text input with a size bound; I/O errors become :class:`AuditError`."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise AuditError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_BYTES:
        raise AuditError(f"{path} is larger than {MAX_BYTES} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AuditError(f"{path} is not UTF-8 text: {exc}") from exc


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Join backslash continuations and strip comments; (first line number, text)."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise AuditError(f"requirements file has {len(lines)} lines (limit {MAX_LINES})")
    for number, raw in enumerate(lines, 1):
        if not buf:
            start = number
        line = raw
        line = "" if line.lstrip().startswith("#") else re.sub(r"(^|\s+)#.*$", "", line)
        if line.endswith("\\"):
            buf.append(line[:-1])
            continue
        buf.append(line)
        joined = " ".join(part.strip() for part in buf).strip()
        buf = []
        if joined:
            out.append((start, joined))
    if buf:
        joined = " ".join(part.strip() for part in buf).strip()
        if joined:
            out.append((start, joined))
    return out


@dataclass(slots=True)
class _State:
    reader: Reader
    environment: Environment | None
    skip_editable: bool
    files: int = 0
    dependencies: list[Dependency] = field(default_factory=list)
    constraints: dict[str, Dependency] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def read_requirements(
    path: Path,
    *,
    environment: Environment | None = None,
    reader: Reader = read_file_bounded,
    skip_editable: bool = False,
) -> InputSet:
    """Read a requirements file and its includes into dependencies and problems."""
    env = None if environment is None else dict(environment)  # computed when a marker needs it
    state = _State(reader, env, skip_editable)
    text = reader(path)  # a missing top-level file is an error of the whole command
    _read(state, path, text, constraint=False, depth=0, stack=(path.resolve(),))
    # Constraints pin unpinned requirements of the same name.
    deps: list[Dependency] = []
    for dep in state.dependencies:
        pin = state.constraints.get(dep.name)
        if dep.kind is DependencyKind.UNPINNED and pin is not None:
            dep = Dependency(
                name=dep.name,
                version=pin.version,
                kind=DependencyKind.PINNED,
                origin=f"{dep.origin} (pinned by {pin.origin})",
                display_name=dep.display_name,
                requirement=dep.requirement,
                hashes=dep.hashes or pin.hashes,
                extras=dep.extras,
                marker=dep.marker,
                line=dep.line,
                path=dep.path,
            )
        deps.append(dep)
    problems = list(state.problems)
    problems.extend(
        Problem(
            dep.origin,
            dep.requirement,
            "unpinned: no exact version (==) to check",
            hint="pin it (pip-compile, uv pip compile) or audit the lock file instead",
        )
        for dep in deps
        if dep.kind is DependencyKind.UNPINNED
    )
    return InputSet(
        dependencies=tuple(d for d in deps if d.kind is DependencyKind.PINNED),
        problems=tuple(problems),
        sources=tuple(state.sources),
    )


def _read(
    state: _State, path: Path, text: str, *, constraint: bool, depth: int, stack: tuple[Path, ...]
) -> None:
    state.files += 1
    state.sources.append(str(path))
    for number, line in logical_lines(text):
        origin = f"{path}:{number}"
        tokens = line.split()
        if "'" in line or '"' in line:
            with contextlib.suppress(ValueError):
                tokens = shlex.split(line, posix=True)
        if not tokens:
            continue
        head = tokens[0]
        opt, eq, inline = head.partition("=")
        include = _include_target(tokens)
        if include is not None:
            kind, target = include
            _include(
                state,
                path,
                origin,
                target,
                constraint=constraint or kind in ("-c", "--constraint"),
                depth=depth,
                stack=stack,
            )
            continue
        if opt in ("-e", "--editable"):
            target = inline if eq else " ".join(tokens[1:])
            _editable(state, origin, target, line)
            continue
        if opt in _GLOBAL_WITH_VALUE or opt in _GLOBAL_FLAGS:
            continue
        if head.startswith("-"):
            state.problems.append(Problem(origin, line, f"unknown option {opt!r}"))
            continue
        _requirement(state, path, number, origin, line, constraint=constraint)


def _include_target(tokens: list[str]) -> tuple[str, str] | None:
    head = tokens[0]
    if head in ("-r", "--requirement", "-c", "--constraint"):
        return head, tokens[1] if len(tokens) > 1 else ""
    if head.startswith(("--requirement=", "--constraint=")):
        kind, _, target = head.partition("=")
        return kind, target
    if head.startswith(("-r", "-c")) and not head.startswith("--"):
        return head[:2], head[2:].lstrip("=")
    return None


def _include(
    state: _State,
    path: Path,
    origin: str,
    target: str,
    *,
    constraint: bool,
    depth: int,
    stack: tuple[Path, ...],
) -> None:
    if not target:
        state.problems.append(Problem(origin, "-r", "include without a file name"))
        return
    if _URL.match(target):
        state.problems.append(
            Problem(
                origin,
                target,
                "remote requirements files are not fetched",
                hint="download it and audit the local copy",
            )
        )
        return
    child = (path.parent / target).resolve()
    if child in stack:
        state.problems.append(Problem(origin, target, "include cycle: the file includes itself"))
        return
    if depth + 1 > MAX_DEPTH:
        state.problems.append(Problem(origin, target, f"includes nested deeper than {MAX_DEPTH}"))
        return
    if state.files >= MAX_FILES:
        state.problems.append(Problem(origin, target, f"more than {MAX_FILES} included files"))
        return
    try:
        text = state.reader(child)
    except AuditError as exc:
        state.problems.append(Problem(origin, target, exc.message))
        return
    _read(state, child, text, constraint=constraint, depth=depth + 1, stack=(*stack, child))


def _editable(state: _State, origin: str, target: str, line: str) -> None:
    egg = _EGG.search(target)
    subject = egg.group(1) if egg else target
    state.problems.append(
        Problem(
            origin,
            subject,
            "editable install: a local project has no index version to check",
            error=not state.skip_editable,
            hint="use --skip-editable to accept this",
        )
    )


def _requirement(
    state: _State, path: Path, number: int, origin: str, line: str, *, constraint: bool
) -> None:
    spec, hashes = _split_options(line)
    bare = _URL.match(spec) or spec.startswith((".", "/")) or spec.endswith(_ARCHIVES)
    if bare and " @ " not in spec:
        egg = _EGG.search(spec)
        state.problems.append(
            Problem(
                origin,
                egg.group(1) if egg else spec,
                "direct URL or path: no index version to check",
                hint="depend on a released version from the index to have it audited",
            )
        )
        return
    simple = _SIMPLE_PIN.match(spec)
    if simple is not None:  # "name==version": what packaging would read, without importing it
        _add(state, path, number, origin, spec, hashes, constraint=constraint,
             display=simple.group(1), version=simple.group(2))  # fmt: skip
        return
    from packaging.markers import InvalidMarker, UndefinedEnvironmentName
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(spec)
    except InvalidRequirement as exc:
        state.problems.append(Problem(origin, spec, f"cannot parse the requirement: {exc}"))
        return
    marker = str(req.marker) if req.marker else ""
    if req.marker is not None:
        if state.environment is None:
            state.environment = marker_environment()
        try:
            applies = req.marker.evaluate({**state.environment, "extra": ""})
        except (InvalidMarker, UndefinedEnvironmentName) as exc:
            state.problems.append(Problem(origin, spec, f"cannot evaluate the marker: {exc}"))
            return
        if not applies:
            state.problems.append(
                Problem(
                    origin,
                    req.name,
                    f"not installed here: marker '{marker}' is false for the target environment",
                    error=False,
                )
            )
            return
    if req.url:
        state.problems.append(
            Problem(origin, req.name, "direct URL: no index version to check",
                    hint="depend on a released version from the index to have it audited")
        )  # fmt: skip
        return
    specs = list(req.specifier)
    pinned = len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version
    _add(state, path, number, origin, spec, hashes, constraint=constraint, display=req.name,
         version=specs[0].version if pinned else None, extras=tuple(sorted(req.extras)),
         marker=marker)  # fmt: skip


def _add(
    state: _State,
    path: Path,
    number: int,
    origin: str,
    spec: str,
    hashes: tuple[str, ...],
    *,
    constraint: bool,
    display: str,
    version: str | None,
    extras: tuple[str, ...] = (),
    marker: str = "",
) -> None:
    name = canonicalize_name(display)
    dep = Dependency(
        name=name,
        version=version,
        kind=DependencyKind.PINNED if version else DependencyKind.UNPINNED,
        origin=origin,
        display_name=display,
        requirement=spec,
        hashes=hashes,
        extras=extras,
        marker=marker,
        line=number,
        path=str(path),
    )
    if constraint:
        if version:
            state.constraints.setdefault(name, dep)
        return
    state.dependencies.append(dep)


def _split_options(line: str) -> tuple[str, tuple[str, ...]]:
    """Split per-requirement options (``--hash``…) from the requirement text."""
    parts = re.split(r"\s+(?=--)", line)
    spec = parts[0].strip()
    hashes: list[str] = []
    for part in parts[1:]:
        opt, _, value = part.strip().partition("=")
        if not value and " " in opt:
            opt, _, value = opt.partition(" ")
        if opt == "--hash" and value:
            hashes.append(value.strip())
    return spec, tuple(hashes)
