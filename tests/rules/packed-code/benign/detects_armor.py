"""Tell whether a loaded module was protected by an obfuscator (its runtime leaves markers)."""

import sys

# Legacy runtimes register ``__armor_enter__``/``__armor_exit__`` as module globals.
_MARKERS = frozenset(("__armor_enter__", "__armor_exit__"))
_RUNTIMES = ("pytransform", "pyarmor_runtime")


def is_protected(module_name):
    mod = sys.modules.get(module_name)
    if mod is None:
        return False
    return bool(_MARKERS & set(vars(mod))) or module_name.startswith(_RUNTIMES)
