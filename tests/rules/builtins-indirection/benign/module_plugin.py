import importlib
import os


def load(spec):
    """Plugins named in configuration: module:function, looked up by name."""
    module_name, _, func = spec.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, func or "main")


def platform_hook():
    return getattr(os, "get_terminal_" + "size", None)
