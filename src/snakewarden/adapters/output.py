"""Where command output goes: stdout, or a file replaced atomically once the output is complete."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from snakewarden.errors import UsageError

__all__ = ["open_output"]


@contextlib.contextmanager
def open_output(path: Path | None) -> Iterator[TextIO]:
    """``sys.stdout`` for None; else a temporary file beside ``path``, renamed over it on success.

    A failure part-way (an exception, Ctrl-C) removes the temporary file and leaves any
    previous ``path`` untouched.
    """
    if path is None:
        yield sys.stdout
        return
    folder = path.parent if str(path.parent) else Path()
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(
            f"cannot write {path}: {exc.strerror or exc}", hint="check that the folder exists"
        ) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
