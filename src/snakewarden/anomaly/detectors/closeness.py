"""Is a new project name close to a popular one? (pure)

Uses ``snakewarden.names`` when it provides a checker; otherwise a rapidfuzz edit-distance check
against a small built-in list of very popular projects.
"""

from __future__ import annotations

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
        if len(key) < 4:
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


def default_check() -> NameCheck:
    """The project's name check when ``snakewarden.names`` offers one, else the fallback."""
    try:
        from snakewarden.names import anomaly_name_check  # type: ignore[attr-defined]
    except ImportError:
        return fuzzy_check(FALLBACK_POPULAR)
    check: NameCheck = anomaly_name_check()
    return check
