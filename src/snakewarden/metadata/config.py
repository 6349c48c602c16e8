"""Private names for dependency-confusion checks: parsed from TOML and environment variables.

The configuration file (``$SNAKEWARDEN_CONFIG``, else ``$SNAKEWARDEN_HOME/config.toml``)::

    [private]
    names = ["acme-billing", "acme_auth"]     # exact project names (any spelling)
    prefixes = ["acme-", "acmecorp"]          # every name starting with one of these

and, added to it, ``SNAKEWARDEN_PRIVATE_NAMES`` / ``SNAKEWARDEN_PRIVATE_PREFIXES`` (comma
separated). Parsing is pure; the caller hands in the environment and the file's text.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import NormalizedName, canonicalize_name

from snakewarden.errors import UsageError

MAX_CONFIG_BYTES = 4 * 1024 * 1024
MAX_ENTRIES = 100_000


class ConfigError(UsageError):
    """The snakewarden configuration file is wrong."""

    hint = "see 'snakewarden names check --help' and the README section 'Names and history'"


@dataclass(frozen=True, slots=True)
class PrivateNames:
    """Project names that belong to a private index: a public project taking one is a finding."""

    names: frozenset[NormalizedName] = frozenset()
    prefixes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.names or self.prefixes)

    def matches(self, name: str) -> str | None:
        """What ``name`` matches (the name, or ``prefix*``), or None."""
        canonical = canonicalize_name(name)
        if canonical in self.names:
            return canonical
        for prefix in self.prefixes:
            if canonical.startswith(prefix):
                return f"{prefix}*"
        return None

    def merged(self, other: PrivateNames) -> PrivateNames:
        return PrivateNames(
            self.names | other.names, tuple(dict.fromkeys((*self.prefixes, *other.prefixes)))
        )


def _prefix(raw: str) -> str:
    # Canonicalize like a name but keep a trailing separator: "acme_" -> "acme-".
    text = raw.strip().lower()
    trailing = text[-1:] in ("-", "_", ".")
    core = canonicalize_name(text.rstrip("-_."))
    return f"{core}-" if trailing and core else core


def _entries(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    if len(value) > MAX_ENTRIES:
        raise ConfigError(f"{where} has more than {MAX_ENTRIES} entries")
    return [v for v in value if v.strip()]


def parse_private_config(text: str, *, source: str = "config") -> PrivateNames:
    """The ``[private]`` table of a snakewarden TOML configuration (absent table: empty)."""
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{source}: larger than {MAX_CONFIG_BYTES} bytes")
    try:
        doc = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    table = doc.get("private", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [private] must be a table")
    unknown = set(table) - {"names", "prefixes"}
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) in [private]: {', '.join(sorted(unknown))}")
    names = _entries(table.get("names", []), f"{source}: private.names")
    prefixes = _entries(table.get("prefixes", []), f"{source}: private.prefixes")
    return PrivateNames(
        frozenset(canonicalize_name(n.strip()) for n in names),
        tuple(dict.fromkeys(p for p in map(_prefix, prefixes) if p)),
    )


def private_names_from_env(environ: Mapping[str, str]) -> PrivateNames:
    """``SNAKEWARDEN_PRIVATE_NAMES`` and ``SNAKEWARDEN_PRIVATE_PREFIXES`` (comma separated)."""
    names = [n for n in environ.get("SNAKEWARDEN_PRIVATE_NAMES", "").split(",") if n.strip()]
    prefixes = environ.get("SNAKEWARDEN_PRIVATE_PREFIXES", "").split(",")
    return PrivateNames(
        frozenset(canonicalize_name(n.strip()) for n in names),
        tuple(dict.fromkeys(p for p in map(_prefix, prefixes) if p)),
    )


def config_path(environ: Mapping[str, str], home: Path) -> Path:
    """``$SNAKEWARDEN_CONFIG`` when set, else ``home / "config.toml"``."""
    explicit = environ.get("SNAKEWARDEN_CONFIG")
    return Path(explicit).expanduser() if explicit else home / "config.toml"


def load_private_names(environ: Mapping[str, str], home: Path) -> PrivateNames:
    """The configured private names: the file (when it exists) plus the environment.

    A ``$SNAKEWARDEN_CONFIG`` that does not exist is an error; a missing default file is not.
    """
    path = config_path(environ, home)
    from_file = PrivateNames()
    if path.is_file() or environ.get("SNAKEWARDEN_CONFIG"):
        try:
            with path.open("rb") as fh:
                raw = fh.read(MAX_CONFIG_BYTES + 1)
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
        from_file = parse_private_config(raw.decode("utf-8", errors="replace"), source=str(path))
    return from_file.merged(private_names_from_env(environ))
