import subprocess

from setuptools import setup
from setuptools.command.build_ext import build_ext


class CMakeBuild(build_ext):
    def run(self):
        subprocess.check_call(["cmake", ".."])


setup(name="demo", cmdclass={"build_ext": CMakeBuild})
