"""Lock files and project files: ``pylock.toml`` (PEP 751), ``uv.lock``, ``poetry.lock``,
``Pipfile.lock`` and ``pyproject.toml`` (PEP 621 dependencies, PEP 735 groups).

Each parser is pure over the file's text; :func:`read_lock` picks one by file name, then content.
Entries without an index version (VCS, path, URL) and unpinned ranges are problems, not skips.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from snakewarden.audit.model import (
    Dependency,
    DependencyKind,
    InputSet,
    Problem,
    marker_environment,
)
from snakewarden.audit.requirements import read_file_bounded
from snakewarden.errors import AuditError

MAX_ENTRIES = 100_000

Environment = Mapping[str, str]


def read_lock(path: Path, *, environment: Environment | None = None) -> InputSet:
    """Read any supported lock file, sniffing its format from its name, then its content."""
    text = read_file_bounded(path)
    kind = lock_kind(path.name, text)
    env = marker_environment() if environment is None else dict(environment)
    parser = {
        "pylock": parse_pylock,
        "uv": parse_uv_lock,
        "poetry": parse_poetry_lock,
        "pipfile": parse_pipfile_lock,
    }[kind]
    return parser(text, str(path), env)


def lock_kind(filename: str, text: str) -> str:
    name = filename.lower()
    if name == "pylock.toml" or (name.startswith("pylock.") and name.endswith(".toml")):
        return "pylock"
    if name == "uv.lock":
        return "uv"
    if name == "poetry.lock":
        return "poetry"
    if name == "pipfile.lock":
        return "pipfile"
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return "pipfile"
    if "[metadata]" in text and "content-hash" in text:
        return "poetry"
    if "lock-version" in text:
        return "pylock"
    if "[[package]]" in text:
        return "uv"
    raise AuditError(
        f"{filename}: not a lock file snakewarden can read",
        hint="supported: pylock.toml, uv.lock, poetry.lock, Pipfile.lock",
    )


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _toml(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AuditError(f"{origin} is not valid TOML: {exc}") from exc


def _table_list(doc: Mapping[str, Any], key: str, origin: str) -> list[dict[str, Any]]:
    items = doc.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise AuditError(f"{origin}: '{key}' must be an array of tables")
    if len(items) > MAX_ENTRIES:
        raise AuditError(f"{origin}: more than {MAX_ENTRIES} entries")
    return items


def _marker_applies(
    marker: object, env: Environment, origin: str, name: str, problems: list[Problem]
) -> bool:
    if not marker:
        return True
    if not isinstance(marker, str):
        problems.append(Problem(origin, name, "marker is not a string"))
        return False
    try:
        ok = Marker(marker).evaluate({**env, "extra": ""})
    except (InvalidMarker, UndefinedEnvironmentName):
        # PEP 751 markers may test `extras` / `dependency_groups`: count the entry as installed.
        return True
    if not ok:
        problems.append(
            Problem(origin, name, f"not installed here: marker '{marker}' is false", error=False)
        )
    return ok


def _entry(
    name: object,
    version: object,
    origin: str,
    problems: list[Problem],
    *,
    hashes: tuple[str, ...] = (),
    not_indexed: str = "",
) -> Dependency | None:
    if not isinstance(name, str) or not name:
        problems.append(Problem(origin, "?", "entry without a package name"))
        return None
    if not_indexed:
        problems.append(Problem(origin, name, f"{not_indexed}: no index version to check"))
        return None
    if not isinstance(version, str) or not version:
        problems.append(Problem(origin, name, "entry without a version: cannot be checked"))
        return None
    return Dependency(
        name=canonicalize_name(name),
        version=version,
        kind=DependencyKind.PINNED,
        origin=origin,
        display_name=name,
        requirement=f"{name}=={version}",
        hashes=hashes,
        path=origin,
    )


def _collect(deps: list[Dependency | None], problems: list[Problem], origin: str) -> InputSet:
    return InputSet(
        dependencies=tuple(d for d in deps if d is not None),
        problems=tuple(problems),
        sources=(origin,),
    )


def parse_pylock(text: str, origin: str, env: Environment) -> InputSet:
    doc = _toml(text, origin)
    if "lock-version" not in doc:
        raise AuditError(f"{origin}: not a PEP 751 lock file (no lock-version)")
    problems: list[Problem] = []
    deps: list[Dependency | None] = []
    for pkg in _table_list(doc, "packages", origin):
        name = pkg.get("name")
        if not _marker_applies(pkg.get("marker"), env, origin, str(name), problems):
            continue
        not_indexed = next((k for k in ("vcs", "directory", "archive") if k in pkg), "")
        hashes: list[str] = []
        for w in pkg.get("wheels", []) if isinstance(pkg.get("wheels"), list) else []:
            if isinstance(w, dict) and isinstance(w.get("hashes"), dict):
                hashes.extend(f"{k}:{v}" for k, v in w["hashes"].items() if isinstance(v, str))
        sdist = pkg.get("sdist")
        if isinstance(sdist, dict) and isinstance(sdist.get("hashes"), dict):
            hashes.extend(f"{k}:{v}" for k, v in sdist["hashes"].items() if isinstance(v, str))
        deps.append(
            _entry(name, pkg.get("version"), origin, problems,
                   hashes=tuple(hashes), not_indexed=not_indexed and f"{not_indexed} source")
        )  # fmt: skip
    return _collect(deps, problems, origin)


def parse_uv_lock(text: str, origin: str, env: Environment) -> InputSet:
    doc = _toml(text, origin)
    problems: list[Problem] = []
    deps: list[Dependency | None] = []
    for pkg in _table_list(doc, "package", origin):
        name = pkg.get("name")
        source = _dict(pkg.get("source"))
        if "editable" in source or "virtual" in source:
            problems.append(
                Problem(origin, str(name), "the locked project itself (local source)", error=False)
            )
            continue
        not_indexed = next((k for k in ("git", "path", "directory", "url") if k in source), "")
        hashes = tuple(
            w["hash"]
            for w in [*(pkg.get("wheels") or []), pkg.get("sdist") or {}]
            if isinstance(w, dict) and isinstance(w.get("hash"), str)
        )
        deps.append(
            _entry(name, pkg.get("version"), origin, problems,
                   hashes=hashes, not_indexed=not_indexed and f"{not_indexed} source")
        )  # fmt: skip
    return _collect(deps, problems, origin)


def parse_poetry_lock(text: str, origin: str, env: Environment) -> InputSet:
    doc = _toml(text, origin)
    problems: list[Problem] = []
    deps: list[Dependency | None] = []
    for pkg in _table_list(doc, "package", origin):
        source = _dict(pkg.get("source"))
        stype = source.get("type", "")
        not_indexed = stype if stype in ("git", "directory", "file", "url") else ""
        hashes = tuple(
            f["hash"]
            for f in pkg.get("files") or []
            if isinstance(f, dict) and isinstance(f.get("hash"), str)
        )
        deps.append(
            _entry(pkg.get("name"), pkg.get("version"), origin, problems,
                   hashes=hashes, not_indexed=not_indexed and f"{not_indexed} source")
        )  # fmt: skip
    return _collect(deps, problems, origin)


def parse_pipfile_lock(text: str, origin: str, env: Environment) -> InputSet:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise AuditError(f"{origin} is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise AuditError(f"{origin}: a Pipfile.lock is a JSON object")
    problems: list[Problem] = []
    deps: list[Dependency | None] = []
    for section in ("default", "develop"):
        entries = doc.get(section, {})
        if not isinstance(entries, dict):
            raise AuditError(f"{origin}: '{section}' must be an object")
        for name, info in entries.items():
            where = f"{origin} [{section}]"
            if not isinstance(info, dict):
                problems.append(Problem(where, name, "entry is not an object"))
                continue
            if not _marker_applies(info.get("markers"), env, where, name, problems):
                continue
            not_indexed = next((k for k in ("git", "path", "file", "editable") if k in info), "")
            version = info.get("version", "")
            pinned = version[2:] if isinstance(version, str) and version.startswith("==") else None
            if not not_indexed and pinned is None:
                problems.append(Problem(where, name, f"not pinned (version {version!r})"))
                continue
            hashes = tuple(h for h in info.get("hashes") or [] if isinstance(h, str))
            deps.append(
                _entry(name, pinned, where, problems, hashes=hashes,
                       not_indexed=not_indexed and f"{not_indexed} source")
            )  # fmt: skip
    return _collect(deps, problems, origin)


def read_pyproject(path: Path, *, environment: Environment | None = None) -> InputSet:
    """``[project].dependencies``, ``optional-dependencies`` and ``[dependency-groups]``."""
    origin = str(path)
    doc = _toml(read_file_bounded(path), origin)
    env = marker_environment() if environment is None else dict(environment)
    project = doc.get("project", {})
    if not isinstance(project, dict):
        raise AuditError(f"{origin}: [project] must be a table")
    lines: list[tuple[str, object]] = [("project.dependencies", project.get("dependencies", []))]
    optional = project.get("optional-dependencies", {})
    if isinstance(optional, dict):
        lines += [(f"project.optional-dependencies.{k}", v) for k, v in optional.items()]
    groups = doc.get("dependency-groups", {})
    if isinstance(groups, dict):
        lines += [(f"dependency-groups.{k}", v) for k, v in groups.items()]
    problems: list[Problem] = []
    deps: list[Dependency] = []
    if "dependencies" in project.get("dynamic", []):
        problems.append(
            Problem(origin, "project.dependencies", "dependencies are dynamic: cannot be read",
                    hint="audit the built requirements or the lock file")
        )  # fmt: skip
    for where, items in lines:
        if not isinstance(items, list):
            problems.append(Problem(f"{origin} [{where}]", where, "must be a list of strings"))
            continue
        for item in items:
            if not isinstance(item, str):  # e.g. {include-group = "..."}: resolved via its group
                continue
            at = f"{origin} [{where}]"
            try:
                req = Requirement(item)
            except InvalidRequirement as exc:
                problems.append(Problem(at, item, f"cannot parse the requirement: {exc}"))
                continue
            if req.marker is not None and not _marker_applies(
                str(req.marker), env, at, req.name, problems
            ):
                continue
            if req.url:
                problems.append(Problem(at, req.name, "direct URL: no index version to check"))
                continue
            specs = list(req.specifier)
            if (
                len(specs) == 1
                and specs[0].operator in ("==", "===")
                and "*" not in specs[0].version
            ):
                deps.append(
                    Dependency(
                        name=canonicalize_name(req.name),
                        version=specs[0].version,
                        kind=DependencyKind.PINNED,
                        origin=at,
                        display_name=req.name,
                        requirement=item,
                        extras=tuple(sorted(req.extras)),
                        path=origin,
                    )
                )
            else:
                problems.append(
                    Problem(at, item, "unpinned: no exact version (==) to check",
                            hint="audit the project's lock file instead")
                )  # fmt: skip
    return InputSet(dependencies=tuple(deps), problems=tuple(problems), sources=(origin,))
