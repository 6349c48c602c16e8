import builtins

try:
    text_type = getattr(builtins, "unicode", str)
except AttributeError:
    text_type = str

try:
    read_line = __builtins__["raw_input"]
except (KeyError, TypeError):
    read_line = input

NAME = "print"
say = getattr(builtins, NAME)
echo = getattr(builtins, b"print".decode("ascii"))
