"""A packer's own source: it writes the runtime stub from templates and defines the runtime."""

BOOTSTRAP = """# packed by the tool
from $package import __pyarmor__
__pyarmor__(__name__, $path, $code)
"""
ENTRY = "from pytransform import pyarmor_runtime\n", "pyarmor_runtime(%s)\n"


def pyarmor_runtime(path=None, suffix=""):
    """Load the runtime library (the packed scripts call this)."""
    return path, suffix


def is_packed(line: str) -> bool:
    return line.startswith("__pyarmor__(")
