from setuptools import setup

about = {}
with open("demo/__version__.py") as fh:
    exec(fh.read(), about)
setup(name="demo", version=about["__version__"])
