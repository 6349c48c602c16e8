globals()["__builtins__"]["eval"]("1")
__builtins__.__dict__["exec"]("print(1)")
