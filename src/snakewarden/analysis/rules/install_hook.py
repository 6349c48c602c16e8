"""install-hook: setup.py overrides an install/develop/egg_info/build command (``cmdclass``)."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, parsed
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="install-hook",
    description="setup.py overrides a setuptools command, so its own code runs on pip install",
    severity=Severity.LOW,
    category="context.install.hook",
)
#: Commands pip runs on every install: overriding them is how droppers get control.
_INSTALL = frozenset({"install", "develop", "egg_info", "bdist_egg", "easy_install", "install_lib",
                      "install_scripts", "bdist_wheel", "sdist"})  # fmt: skip
#: Build steps: overridden routinely by projects with extensions.
_BUILD = frozenset({"build", "build_py", "build_ext", "build_clib", "build_scripts"})


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        for src, facts in parsed(ctx):
            if src.role not in (Role.SETUP, Role.BACKEND):
                continue
            for name, bases, line, scope in facts.class_bases:
                for base in bases:
                    if ".command." not in f".{base}" and not base.startswith(
                        ("setuptools", "distutils")
                    ):
                        continue
                    cmd = base.rsplit(".", 1)[-1]
                    if cmd in _INSTALL:
                        yield emit.at(src, line, scope, 0.2,
                                      f"class {name} overrides the '{cmd}' command")
                    elif cmd in _BUILD:
                        yield emit.at(src, line, scope, 0.03,
                                      f"class {name} overrides the '{cmd}' build step")


RULE = _Rule()
