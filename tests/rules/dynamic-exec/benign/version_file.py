from pathlib import Path


def read_version(path: Path) -> dict:
    scope: dict = {}
    with path.open(encoding="utf-8") as f:
        exec(compile(f.read(), str(path), "exec"), scope)
    return scope
