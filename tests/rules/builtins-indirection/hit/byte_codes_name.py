import base64
import builtins

CODES = [101, 120, 101, 99]
PARTS = ["ZQ==", "eA==", "ZQ==", "Yw=="]


def a():
    return getattr(builtins, bytes(CODES).decode())("print(1)")


def b():
    name = "".join(base64.b64decode(p).decode() for p in PARTS)
    return builtins.__dict__[name]("print(2)")


def c():
    fn = __builtins__["".join(map(chr, [99, 101, 120, 101][::-1]))]
    return fn("print(3)")
