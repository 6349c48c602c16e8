"""Reading ranked name lists: the shipped package data, a refreshed copy, or a user's file.

Reading only: the refresh that writes the copy lives in ``snakewarden.cli.data`` (an adapter).
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from packaging.utils import canonicalize_name

from snakewarden.errors import UsageError
from snakewarden.names.checker import NameChecker

#: Where ``snakewarden data update`` puts the refreshed list, below the state folder.
REFRESHED_LIST = Path("names") / "popular.tsv.gz"

MAX_LIST_BYTES = 64 * 1024 * 1024
MAX_NAMES = 200_000
_VALID = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


class NameListError(UsageError):
    """A ranked list of popular names could not be read."""

    hint = (
        "give a TSV of 'rank<TAB>name' lines, one name per line, or the top-pypi-packages JSON "
        "(https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json)"
    )


def parse_ranked_list(data: bytes) -> list[str]:
    """Canonical names, most popular first, from any of the accepted formats.

    Accepted: the top-pypi-packages JSON (``{"rows": [{"project": ...}, ...]}``, rows in rank
    order), a TSV of ``rank<TAB>name`` (a header line and ``#`` comments are skipped), or bare
    names one per line in rank order. Gzip is detected. Invalid names are skipped; an input
    with no valid name is an error.
    """
    if data[:2] == b"\x1f\x8b":
        try:
            data = _gunzip(data)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise NameListError(f"the name list is not valid gzip: {exc}") from exc
    if len(data) > MAX_LIST_BYTES:
        raise NameListError(f"the name list is over {MAX_LIST_BYTES // (1024 * 1024)} MiB")
    text = data.decode("utf-8", errors="replace")
    ranked: list[tuple[int, int, str]] = []
    if text.lstrip().startswith("{"):
        rows = _json_rows(text)
        ranked = [(0, i, name) for i, name in enumerate(rows)]
    else:
        for i, line in enumerate(text.splitlines()):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = (
                line.split("\t") if "\t" in line else line.split(",") if "," in line else [line]
            )
            if len(fields) >= 2 and fields[0].strip().isdigit():
                ranked.append((int(fields[0]), i, fields[1].strip()))
            elif len(fields) == 1:
                ranked.append((0, i, fields[0]))
        ranked.sort()
    names: list[str] = []
    seen: set[str] = set()
    for _, _, raw in ranked:
        name = canonicalize_name(raw)
        if name and set(name) <= _VALID and name not in seen:
            seen.add(name)
            names.append(name)
            if len(names) >= MAX_NAMES:
                break
    if not names:
        raise NameListError("the name list holds no valid project name")
    return names


def _gunzip(data: bytes) -> bytes:
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
        out = fh.read(MAX_LIST_BYTES + 1)
    return out


def _json_rows(text: str) -> list[str]:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise NameListError(f"the name list is not valid JSON: {exc}") from exc
    rows = doc.get("rows") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        raise NameListError("the JSON name list has no 'rows' array")
    return [
        row["project"]
        for row in rows
        if isinstance(row, dict) and isinstance(row.get("project"), str)
    ]


def read_ranked_list(path: Path) -> list[str]:
    """``parse_ranked_list`` over a file."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_LIST_BYTES + 1)
    except OSError as exc:
        raise NameListError(f"cannot read the name list {path}: {exc.strerror or exc}") from exc
    return parse_ranked_list(data)


def shipped_list() -> list[str]:
    """The ranked list shipped with snakewarden (package data)."""
    data = resources.files("snakewarden.names").joinpath("data/popular.tsv.gz").read_bytes()
    return parse_ranked_list(data)


#: Words people type after ``pip install`` that are not projects (``pip install requirements.txt``
#: for ``-r requirements.txt``, ``pip install python``): squatters register their misspellings.
MISTYPED_WORDS = ("python", "requirements", "requirements-txt")


def extra_targets() -> list[str]:
    """Names worth imitating that are not popular projects: the mistyped words above and the
    standard-library modules (people ``pip install`` them, so squatters copy them)."""
    stdlib = sorted(name for name in sys.stdlib_module_names if not name.startswith("_"))
    return [*MISTYPED_WORDS, *stdlib]


def load_default_checker(data_dir: Path | None = None) -> NameChecker:
    """The checker over the refreshed list in ``data_dir`` (normally ``home_dir()``), when
    ``snakewarden data update`` wrote one there, else over the shipped list."""
    names: list[str] | None = None
    if data_dir is not None:
        refreshed = data_dir / REFRESHED_LIST
        if refreshed.is_file():
            names = read_ranked_list(refreshed)
    if names is None:
        names = shipped_list()
    return NameChecker(names, extra_targets=extra_targets())


def anomaly_name_check(data_dir: Path | None = None) -> Callable[[str], str | None]:
    """A plain function for callers that only want "which popular name does this imitate?"
    (the anomaly detectors): the imitated name for a ``confusable`` name, else None."""
    checker = load_default_checker(data_dir)

    def check(name: str) -> str | None:
        verdict = checker.check(name)
        return verdict.similar_to[0] if verdict.confusable else None

    return check
