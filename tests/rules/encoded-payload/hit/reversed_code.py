import base64
import zlib

STAGE = "==AvPgLcAIA5SHFTJz8Srw8yVnEytwMSti0VI7cTKBV1NnkLs46KW/iym/CyRpyLI3CzLzJe"


def load():
    return zlib.decompress(base64.b64decode(STAGE[::-1]))
