"""Installed environments: the current interpreter's, or another interpreter's.

``--python PATH`` runs that interpreter (the user's own, never a package under analysis) in
isolated mode with a short inline script that prints its distributions as JSON.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name

from snakewarden.audit.model import Dependency, DependencyKind, InputSet, Problem
from snakewarden.errors import AuditError

TIMEOUT = 60
MAX_OUTPUT = 32 * 1024 * 1024
MAX_DISTS = 100_000

_SCRIPT = (
    "import json, os, platform, sys\n"
    "from importlib import metadata\n"
    "impl = sys.implementation\n"
    "iv = '{0.major}.{0.minor}.{0.micro}'.format(impl.version)\n"
    "if impl.version.releaselevel != 'final':\n"
    "    iv += impl.version.releaselevel[0] + str(impl.version.serial)\n"
    "env = {'implementation_name': impl.name, 'implementation_version': iv,\n"
    "       'os_name': os.name, 'platform_machine': platform.machine(),\n"
    "       'platform_release': platform.release(), 'platform_system': platform.system(),\n"
    "       'platform_version': platform.version(),\n"
    "       'python_full_version': platform.python_version(),\n"
    "       'platform_python_implementation': platform.python_implementation(),\n"
    "       'python_version': '.'.join(platform.python_version_tuple()[:2]),\n"
    "       'sys_platform': sys.platform}\n"
    "out = []\n"
    "for d in metadata.distributions():\n"
    "    try:\n"
    "        out.append([d.metadata['Name'], d.version, str(getattr(d, '_path', ''))])\n"
    "    except Exception:\n"
    "        pass\n"
    "json.dump({'markers': env, 'dists': out}, sys.stdout)\n"
)


def _from_pairs(pairs: Iterable[tuple[object, object]], origin: str) -> InputSet:
    deps: dict[tuple[str, str], Dependency] = {}
    problems: list[Problem] = []
    for name, version in pairs:
        if not isinstance(name, str) or not name:
            problems.append(Problem(origin, "?", "a distribution without a name", error=False))
            continue
        if not isinstance(version, str) or not version:
            problems.append(Problem(origin, name, "installed without a version"))
            continue
        cname = canonicalize_name(name)
        deps.setdefault(
            (cname, version),
            Dependency(
                name=cname,
                version=version,
                kind=DependencyKind.PINNED,
                origin=origin,
                display_name=name,
                requirement=f"{name}=={version}",
            ),
        )
    ordered = sorted(deps.values(), key=lambda d: (d.name, d.version or ""))
    return InputSet(dependencies=tuple(ordered), problems=tuple(problems), sources=(origin,))


def current_environment() -> InputSet:
    """The distributions importable by this interpreter."""
    pairs: list[tuple[object, object]] = [
        (dist.metadata["Name"], dist.version) for dist in metadata.distributions()
    ]
    return _from_pairs(pairs, "environment (this interpreter)")


def python_environment(python: Path) -> tuple[InputSet, dict[str, str]]:
    """The distributions and the marker environment of another interpreter (a subprocess)."""
    origin = f"environment ({python})"
    try:
        proc = subprocess.run(  # noqa: S603 - the user's own interpreter, fixed script
            [str(python), "-I", "-c", _SCRIPT],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except FileNotFoundError as exc:
        raise AuditError(f"no Python interpreter at {python}") from exc
    except PermissionError as exc:
        raise AuditError(f"{python} is not executable") from exc
    except subprocess.TimeoutExpired as exc:
        raise AuditError(f"{python} did not list its distributions within {TIMEOUT}s") from exc
    except OSError as exc:
        raise AuditError(f"cannot run {python}: {exc}") from exc
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise AuditError(
            f"{python} failed to list its distributions (exit {proc.returncode}): {tail[0]}",
            hint="--python needs a Python 3.8+ interpreter",
        )
    if len(proc.stdout) > MAX_OUTPUT:
        raise AuditError(f"{python} printed more than {MAX_OUTPUT} bytes")
    try:
        doc = json.loads(proc.stdout)
        dists = doc["dists"]
        if not isinstance(dists, list) or len(dists) > MAX_DISTS:
            raise ValueError("bad distribution list")
        pairs = [(d[0], d[1]) for d in dists if isinstance(d, list) and len(d) >= 2]
        markers = {str(k): str(v) for k, v in dict(doc["markers"]).items()}
    except (ValueError, KeyError, TypeError) as exc:
        raise AuditError(f"{python} answered with unreadable output: {exc}") from exc
    return _from_pairs(pairs, origin), markers
