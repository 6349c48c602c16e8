"""Where snakewarden keeps its local state: ``$SNAKEWARDEN_HOME``, else the user's data folder."""

from __future__ import annotations

import os
from pathlib import Path


def home_dir(environ: dict[str, str] | None = None) -> Path:
    """The state folder (created on first use): advisory DB, index data, caches."""
    env = os.environ if environ is None else environ
    explicit = env.get("SNAKEWARDEN_HOME")
    if explicit:
        path = Path(explicit).expanduser()
    else:
        base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "snakewarden"
    path.mkdir(parents=True, exist_ok=True)
    return path
