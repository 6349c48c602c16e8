import builtins

run = getattr(builtins, "\x65\x78\x65\x63")
run("print(1)")
