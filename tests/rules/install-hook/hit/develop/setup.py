from setuptools import setup
from setuptools.command.develop import develop


class Dev(develop):
    def run(self):
        develop.run(self)


setup(name="demo", cmdclass={"develop": Dev})
