import zlib


def pack(b):
    return zlib.compress(b)
