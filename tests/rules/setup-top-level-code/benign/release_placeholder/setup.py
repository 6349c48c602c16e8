"""The release tool fills in the version: in a checkout it still reads "%%version%%" and the
block regenerates files; in a released sdist the test is false and the block never runs."""
from setuptools import setup

if "1.2.0".startswith("%%"):
    import os
    import subprocess
    import sys

    os.system("./autogen.sh > .autogen.output")
    sys.exit(subprocess.call(["python", *sys.argv]))

if False:
    os.system("make docs")

setup(name="demo", version="1.2.0")
