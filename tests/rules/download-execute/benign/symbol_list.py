"""A build helper that downloads a library and lists its symbols with nm: reading a binary is
no running it (inert test snippet)."""

import subprocess
from urllib.request import urlopen


def exported_symbols(url, path="tmp/libdemo.so"):
    data = urlopen(url).read()
    with open(path, "wb") as fh:
        fh.write(data)
    return subprocess.check_output(["nm", "-gjU", path]).decode().split()
