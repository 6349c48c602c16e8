"""A build that downloads the prebuilt wheel for this platform: the machine's architecture in
the URL names no host or user (inert test snippet)."""

import platform
import sys
import urllib.request

BASE = "https://downloads.example.invalid/releases/{tag}/{name}"


def wheel_name():
    arch = platform.uname().machine
    py = f"cp{sys.version_info.major}{sys.version_info.minor}"
    return f"demo-1.0-{py}-{py}-linux_{arch}.whl"


def fetch_prebuilt():
    name = wheel_name()
    urllib.request.urlretrieve(BASE.format(tag="v1.0", name=name), name)
