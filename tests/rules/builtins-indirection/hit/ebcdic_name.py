import builtins

run = getattr(builtins, b"\x85\xa7\x85\x83".decode("cp500"))
run("print(1)")
