import os, subprocess, sys

VERSION = "1.2.3"
URL = f"https://downloads.example.invalid/libfoo-{VERSION}.tar.gz"


def build_libfoo(build_dir):
    archive = os.path.join(build_dir, "libfoo.tar.gz")
    subprocess.check_call(["curl", "-fsSL", "-o", archive, URL])
    subprocess.check_call(["tar", "-xzf", archive, "-C", build_dir])
    src = os.path.join(build_dir, f"libfoo-{VERSION}")
    subprocess.check_call(["./configure", "--prefix", build_dir], cwd=src)
    subprocess.check_call(["make", "-j4"], cwd=src)
    subprocess.check_call(["make", "install"], cwd=src)
    subprocess.check_call([sys.executable, "-m", "pip", "install", src])
