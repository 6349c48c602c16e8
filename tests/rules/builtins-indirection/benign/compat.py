import builtins

# Python 2/3 compatibility: ``exec`` was a statement on Python 2
exec_ = getattr(builtins, "exec")

SAFE_NAMES = ("abs", "all", "any", "len", "max", "min", "sorted", "sum")
SAFE_BUILTINS = {name: getattr(builtins, name) for name in SAFE_NAMES}
