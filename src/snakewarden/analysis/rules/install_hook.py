"""install-hook: setup.py overrides an install/develop/egg_info/build command (``cmdclass``)."""

from __future__ import annotations

from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext, SourceFile, setuptools_command
from snakewarden.analysis.facts import Facts
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import (
    Emitter,
    is_exec,
    is_network,
    is_process,
    parsed,
)
from snakewarden.analysis.rules.process_exec import classify, decoder_functions
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="install-hook",
    description="setup.py overrides a setuptools command, so its own code runs on pip install",
    severity=Severity.LOW,
    category="context.install.hook",
)
#: Commands pip runs on every install: overriding them is how droppers get control.
_INSTALL = frozenset({"install", "develop", "egg_info", "bdist_egg", "easy_install", "install_lib",
                      "install_scripts", "bdist_wheel"})  # fmt: skip
#: Build steps (build, build_py, build_ext...) are overridden routinely by projects with
#: extensions and are not reported; what their code does is, by the other rules, at install time.


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        for src, facts in parsed(ctx):
            if src.role not in (Role.SETUP, Role.BACKEND):
                continue
            for name, bases, line, scope in facts.class_bases:
                for base in bases:
                    cmd = setuptools_command(base)
                    if cmd is None:
                        continue
                    if cmd == "develop" and len(bases) == 1:
                        yield emit.at(
                            src,
                            line,
                            scope,
                            0.05,
                            f"class {name} overrides the 'develop' command (run by editable "
                            "installs of a checkout, never by pip installing from an index)",
                        )
                    elif cmd in _INSTALL:
                        acts, strong = _actions(src, facts, name)
                        if acts:
                            yield emit.at(
                                src,
                                line,
                                scope,
                                0.6 if strong else 0.5,
                                f"class {name} overrides the '{cmd}' command and "
                                f"runs {', '.join(sorted(acts)[:3])}"
                                + (
                                    " (a command that fetches, uploads, decodes or hides)"
                                    if strong
                                    else ""
                                ),
                            )
                        else:
                            yield emit.at(
                                src, line, scope, 0.2, f"class {name} overrides the '{cmd}' command"
                            )


#: What process-exec weighs build tooling at (build tools, version probes, text filters): such
#: commands in a hook are no action of the hook.
BUILD_TOOLING = 0.03
#: What process-exec weighs a command at from which it is more than a program run: a fetch,
#: an upload, decoded or split-up commands, inline code, DNS lookups of computed names.
STRONG_COMMAND = 0.45


def _actions(src: SourceFile, facts: Facts, cls: str) -> tuple[set[str], bool]:
    """Processes, network calls and dynamic code inside the methods of class ``cls``, and
    whether one of the processes is a command process-exec weighs as more than a program run."""
    ids = {s.id for s in facts.scopes if s.kind == "class" and s.name == cls}
    for _ in range(2):  # helpers the methods call, two levels deep
        names: set[str] = set()
        for sc in facts.scopes:
            if sc.id in ids or sc.parent in ids:
                names |= sc.names
        ids |= {sc.id for sc in facts.scopes if sc.kind == "function" and sc.name in names}
    acts: set[str] = set()
    strong = False
    decoders = decoder_functions(facts)
    for call in facts.calls:
        sid = call.scope
        inside = False
        while sid > 0:
            if sid in ids:
                inside = True
                break
            sid = facts.scopes[sid].parent
        if not inside:
            continue
        if is_process(call):
            found = classify(call, src, facts, decoders)
            if found is not None and found[0] <= BUILD_TOOLING:
                continue  # a build tool, a probe, a text filter: what build hooks run
            acts.add(call.name)
            strong |= found is not None and found[0] >= STRONG_COMMAND
        elif is_network(call) or is_exec(call):
            acts.add(call.name)
    return acts, strong


RULE = _Rule()
