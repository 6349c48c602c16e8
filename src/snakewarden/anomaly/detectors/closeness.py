"""Is a new project name close to a popular one? (pure)

Uses ``snakewarden.names`` (the project's confusable-name checker); ``fuzzy_check`` is a small
rapidfuzz edit-distance check for callers that bring their own list of popular names.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from rapidfuzz.distance import DamerauLevenshtein

#: A function returning the popular name a candidate imitates, or ``None``.
NameCheck = Callable[[str], "str | None"]

#: A small, stable list of very popular projects (PEP 503 names). Fallback only.
FALLBACK_POPULAR: tuple[str, ...] = (
    "aiohttp", "anyio", "attrs", "beautifulsoup4", "boto3", "botocore", "certifi", "cffi",
    "charset-normalizer", "click", "colorama", "cryptography", "django", "docutils", "fastapi",
    "filelock", "flask", "fsspec", "google-api-core", "grpcio", "h11", "httpx", "idna",
    "importlib-metadata", "jinja2", "jmespath", "jsonschema", "keras", "lxml", "markupsafe",
    "matplotlib", "numpy", "openai", "openpyxl", "opencv-python", "packaging", "pandas",
    "paramiko", "pillow", "pip", "platformdirs", "pluggy", "protobuf", "psutil", "psycopg2",
    "pyasn1", "pycparser", "pydantic", "pygments", "pyjwt", "pyopenssl", "pyparsing", "pytest",
    "python-dateutil", "pytorch", "pytz", "pyyaml", "redis", "requests", "rich", "rsa",
    "s3transfer", "scikit-learn", "scipy", "selenium", "setuptools", "six", "sqlalchemy",
    "tensorflow", "tomli", "torch", "tqdm", "transformers", "typing-extensions", "tzdata",
    "urllib3", "virtualenv", "websocket-client", "werkzeug", "wheel", "yarl", "zipp",
    "discord", "colorsys", "web3", "solana", "bitcoin", "telegram", "pycryptodome", "xgboost",
)  # fmt: skip

_SEPARATORS = re.compile(r"[-_.]+")


def _squash(name: str) -> str:
    return _SEPARATORS.sub("", name.lower())


def squashed_popular_prefixes(key: str, squashed: dict[str, str]) -> set[str]:
    """``key`` itself when it only extends a popular name (``requests2``, ``flaskx``): those
    are the families and forks the names checker judges, not edit-distance typos."""
    for size in range(4, len(key)):
        if key[:size] in squashed and len(key) - size <= 2:
            return {key}
    return set()


def fuzzy_check(popular: Iterable[str]) -> NameCheck:
    """A checker flagging names within one or two edits (by length) of a popular name."""
    names = tuple(sorted({p.lower() for p in popular}))
    squashed = {_squash(p): p for p in names}
    by_len: dict[int, list[str]] = {}
    for key in squashed:
        by_len.setdefault(len(key), []).append(key)

    def check(candidate: str) -> str | None:
        name = candidate.lower()
        if name in names:
            return None
        key = _squash(name)
        if len(key) < 5 or key in squashed_popular_prefixes(key, squashed):
            return None
        if key in squashed:
            return squashed[key]  # only separators differ: "py-yaml" for "pyyaml"
        limit = 1 if len(key) < 8 else 2
        for size in range(len(key) - limit, len(key) + limit + 1):
            for other in by_len.get(size, ()):
                if DamerauLevenshtein.distance(key, other, score_cutoff=limit) <= limit:
                    return squashed[other]
        return None

    return check


def either(*checks: NameCheck) -> NameCheck:
    """The first imitated name any of ``checks`` reports."""

    def check(candidate: str) -> str | None:
        for one in checks:
            found = one(candidate)
            if found is not None:
                return found
        return None

    return check


#: How many of the most popular names the edit-distance check compares against.
FUZZY_TOP = 1000


@functools.lru_cache(maxsize=1)
def default_check() -> NameCheck:
    """The project's confusable-name check (``snakewarden.names``), widened by an edit-distance
    check against the top names: a burst of near names is evidence even where the index's
    stricter refusal rule lets a single one through. Built once per process (read-only data;
    building reads package data, about a second).

    Callers that know the data folder pass their own check to ``Engine(names=...)`` so that a
    refreshed popular list wins.
    """
    try:
        from snakewarden.names import anomaly_name_check, shipped_list
    except ImportError:  # pragma: no cover - names is part of the distribution
        return fuzzy_check(FALLBACK_POPULAR)
    return either(anomaly_name_check(), fuzzy_check(shipped_list()[:FUZZY_TOP]))
