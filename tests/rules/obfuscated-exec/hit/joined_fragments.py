parts = ["pri", "nt(", "1)"]
exec("".join(["".join(p) for p in parts]))
