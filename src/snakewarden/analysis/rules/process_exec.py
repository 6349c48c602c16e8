"""process-exec: the code starts another program (subprocess, os.system, exec*, spawn*)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from snakewarden.analysis.context import Role, ScanContext, SourceFile, is_code
from snakewarden.analysis.facts import CallFact, Facts, dotted
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import (
    DECODE_CALLS,
    Emitter,
    best_per_file,
    is_process,
    parsed,
    subcalls,
)
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="process-exec",
    description="starts another program; heavy at install time, light inside library functions",
    severity=Severity.MEDIUM,
    category="threat.process.exec",
)
#: Programs that build tooling runs all the time.
_BUILD_TOOLS = frozenset(
    {
        "git", "hg", "svn", "cmake", "make", "gmake", "ninja", "gcc", "g++", "cc", "c++", "clang",
        "clang++", "cl", "nvcc", "pkg-config", "pkgconf", "swig", "cython", "rustc", "cargo",
        "go", "npm", "yarn", "node", "java", "javac", "mvn", "ar", "ld", "xcrun", "xcodebuild",
        "sw_vers", "uname", "which", "where", "ldconfig", "brew", "llvm-config", "pip", "python",
        "python3", "sphinx-build", "autoreconf", "configure", "./configure", "meson", "bazel",
        "protoc", "mpicc", "gfortran", "f2py", "lsb_release", "sysctl", "nproc", "getconf",
        "true", "echo", "cls", "clear", "pwd", "twine", "rm", "mkdir", "cp", "tar", "otool",
        "install_name_tool", "patchelf", "strip", "sed", "pandoc",
        "tput", "stty", "less", "more", "open", "xdg-open", "nvidia-smi", "ffmpeg",
        # translations, API docs, assemblers and parser generators, wheel repair
        "msgfmt", "msgmerge", "xgettext", "pybabel", "sphinx-apidoc", "doxygen", "nasm", "yasm",
        "bison", "flex", "autoconf", "automake", "libtool", "scons", "auditwheel",
        "delocate-wheel", "delvewheel", "repairwheel",
        # front-end bundlers and compilers
        "esbuild", "tsc", "webpack", "rollup", "vite", "pnpm",
    }
)  # fmt: skip
#: Tools that read and filter text (a pipeline of them alone runs nothing).
_TEXT_TOOLS = frozenset(
    {"cat", "grep", "egrep", "head", "tail", "wc", "sort", "uniq", "cut", "tr", "awk", "sed"}
)
#: Commands that describe the user, host or network: what a stealer sends home.
RECON_TOOLS = frozenset(
    {"whoami", "hostname", "id", "ipconfig", "ifconfig", "systeminfo", "net", "nltest", "wmic"}
)
#: Resolving names with a tool (data can ride in the name: DNS exfiltration).
_SHELLS = frozenset({"/bin/sh", "/bin/bash", "sh", "bash", "/bin/zsh", "cmd.exe", "cmd"})
DNS_TOOLS = frozenset({"dig", "nslookup", "host", "drill"})
_PIP_INSTALL = re.compile(r"(^|\s|…)-m pip install\s|(^|\s)pip3? install\s")
_CHAINED = re.compile(r"&&|\|\||[;|&\n]")
_INLINE_CODE = re.compile(r"\s-c\s|\s-e\s")
_INLINE_LITERAL = re.compile(r"\s-[ce]\s+[^…\s]")
#: Text decoded inside a shell pipeline (``base64 -d``, ``xxd -r``, ``openssl enc -d``).
_SHELL_DECODE = re.compile(
    r"\bbase(64|32)\s+(-\w*d|--decode)|\bxxd\s+-r|\bopenssl\s+(enc|base64)\b.*\s-d\b", re.I
)


def _pipes_into_shell(cmd: str) -> bool:
    """A pipeline whose later stage is an interpreter reading its program from the pipe
    (``… | bash``, ``… | python3``): whatever the earlier stages print runs as code."""
    stages = cmd.split("|")
    return any(
        (word := _first_word(stage.removeprefix(" sudo")).rstrip("…")) in _INTERPRETERS
        or word.startswith("python")
        for stage in stages[1:]
        if stage.strip() and not _INLINE_CODE.search(" " + stage)
    )


#: Arguments that ask a program for its version or build configuration.
_PROBE = re.compile(
    r"\s(--version|--help|--modversion|-V|--cflags|--libs|--exists|--atleast-version\S*"
    r"|--variable\S*|--static-libs|-dumpversion|-dumpmachine|--?print-[\w-]+)(?=\s|$)"
)
#: Programs whose ``-c``/``-e`` take code (for a compiler or ``sed`` they do not).
_INTERPRETERS = frozenset(
    {
        "python", "python2", "python3", "pythonw", "py", "sh", "bash", "zsh", "dash", "ksh",
        "cmd", "powershell", "pwsh", "node", "nodejs", "perl", "ruby", "php", "osascript",
        "lua", "tclsh", "env",
    }
)  # fmt: skip
#: Package managers, build tools and version control that fetch sources from a URL as part of
#: a build (``git clone --depth 1 URL vendor/lib``): what they fetch is source, not a program run.
_SOURCE_FETCHERS = frozenset(
    {
        "cargo", "rustup", "go", "npm", "yarn", "pnpm", "mvn", "gradle", "bazel", "cmake",
        "conan", "git", "hg", "svn",
    }
)  # fmt: skip
#: A fetch: a URL (not a loopback one), or a downloader or PowerShell download call.
_FETCH = re.compile(
    r"https?://(?!(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])[:/])"
    r"|\b(curl|wget|certutil|bitsadmin|mshta|iwr|irm|invoke-webrequest|invoke-restmethod"
    r"|downloadstring|downloadfile|net\.webclient|tcpclient)\b(?!-)",  # not curl-config
    re.I,
)
#: A command-line client sending a local file or data out (``curl -F file=@x``, ``-T``...).
_UPLOAD = re.compile(
    r"\b(curl|wget)\b.*(\s-F\s|\s--form\b|\s-T\s|--upload-file|--data-binary\s+@|\s-d\s+@"
    r"|--post-file)",
    re.I,
)


def _command_text(node: ast.Call, facts: Facts | None = None, scope: int = 0) -> str | None:
    """The command as written when it is literal: a string, or a list of strings; with
    ``facts``, also a variable assigned such a literal (``cmd = "..."; os.system(cmd)``)."""
    arg: ast.expr | None = node.args[0] if node.args else None
    if arg is None:
        arg = next((kw.value for kw in node.keywords if kw.arg in ("args", "cmd", "command")), None)
    if arg is None:
        return None
    if isinstance(arg, ast.Name) and facts is not None:
        value = facts.assigned(arg.id, scope, node.lineno)
        if value is not None and not isinstance(value, ast.Name):
            return _literal(value)
    if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and facts is not None:
        # a command kept on a class: ``call(Docs.apidoc_command)``, ``call(self.command)``
        value = facts.class_attribute(arg.value.id, arg.attr, scope)
        if value is not None:
            return _literal(value)
    text = _literal(arg)
    if (
        text is not None
        and facts is not None
        and isinstance(arg, ast.List | ast.Tuple)
        and isinstance(arg.elts[0], ast.Name)
        and (program := _program(arg.elts[0], facts, scope, node.lineno))
    ):
        text = program + text.removeprefix("…")
    return text


def _program(name: ast.Name, facts: Facts, scope: int, line: int) -> str | None:
    """The program a variable names when what it was assigned says so: ``shutil.which("npm")``,
    ``os.path.join(d, "bin", "esbuild")``, or another such variable."""
    value: ast.expr | None = name
    for _ in range(3):
        if not isinstance(value, ast.Name):
            break
        value = facts.assigned(value.id, scope, line)
    if (
        isinstance(value, ast.Call)
        and facts.resolve(dotted(value.func)) in ("shutil.which", "which")
        and value.args
        and isinstance(value.args[0], ast.Constant)
        and isinstance(value.args[0].value, str)
    ):
        return value.args[0].value
    if isinstance(value, ast.Call):
        text = _partial(value)
        return text if text.strip("…") else None
    return None


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
#: A printf-style placeholder (``%s``, ``%(name)s``, ``%-5d``).
_PERCENT = re.compile(r"%(\([^)]*\))?[-+ #0]*\d*(\.\d+)?[sdrifxXoeEgGc]")


def _literal(arg: ast.AST) -> str | None:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if (  # "git describe".split(), shlex.split("..."), "tool -x {}".format(path)
        isinstance(arg, ast.Call)
        and isinstance(arg.func, ast.Attribute)
        and arg.func.attr in ("split", "format")
    ):
        inner = arg.args[0] if arg.func.attr == "split" and arg.args else arg.func.value
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
            return _PLACEHOLDER.sub("…", inner.value)
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mod):  # "%s --version" % exe
        left = _literal(arg.left)
        return None if left is None else _PERCENT.sub("…", left)
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add):
        left, right = _literal(arg.left), _literal(arg.right)
        if left is None and right is None:
            return None
        return (left or "…") + (right or "…")
    if isinstance(arg, ast.List | ast.Tuple):
        parts = [_partial(e) for e in arg.elts]
        return " ".join(parts) if parts else None
    if isinstance(arg, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "…"
            for v in arg.values
        )
    return None


def _partial(node: ast.AST) -> str:
    """A list element as text: constants kept, ``x + "/bin/nvcc"`` as ``…/bin/nvcc``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Add)
        and isinstance(node.right, ast.Constant)
    ):
        return "…" + str(node.right.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "…"
            for v in node.values
        )
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[-1], ast.Constant):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "join":  # os.path.join(d, "nvcc")
            return "…/" + str(node.args[-1].value)
    return "…"


#: Programs worth hiding: a command that names them only once its fragments are joined.
_HIDDEN_WORD = re.compile(
    r"powershell|invoke-webrequest|downloadstring|start-process|curl|wget|certutil|bitsadmin"
    r"|mshta|/bin/(ba)?sh|cmd(\.exe)? /c",
    re.I,
)


def _split_command(call: CallFact, facts: Facts) -> bool:
    """The command is a variable built from short literals that name a program only when joined."""
    if not call.node.args or not isinstance(call.node.args[0], ast.Name):
        return False
    # facts come from a stack walk (siblings in reverse): restore source order per line
    near = [
        f
        for f in reversed(facts.strings)
        if f.scope == call.scope and call.line - 40 <= f.line <= call.line and len(f.value) < 64
    ]
    frags = [f.value for f in sorted(near, key=lambda f: f.line)]
    if len(frags) < 3:
        return False
    seen = {m.group(0).lower() for f in frags for m in _HIDDEN_WORD.finditer(f)}
    joined = {m.group(0).lower() for m in _HIDDEN_WORD.finditer("".join(frags))}
    return bool(joined - seen)


def decoder_functions(facts: Facts) -> set[str]:
    """Names of the module's own functions that decode data (``def b64d(s): return
    base64.b64decode(s).decode()``): a call to one is a decode."""
    tops: dict[int, str] = {}
    for sid in facts.scopes[0].children if facts.scopes else []:
        if facts.scopes[sid].kind == "function":
            tops[sid] = facts.scopes[sid].name
    out: set[str] = set()
    for c in facts.calls:
        if c.name in DECODE_CALLS or c.name.rsplit(".", 1)[-1] in ("b64decode", "fromhex"):
            top = facts.top_function(c.scope)
            if top in tops:
                out.add(tops[top])
    return out


def _decoded_arg(call: CallFact, facts: Facts, decoders: set[str]) -> bool:
    """The call's first argument (or the value last assigned to it) is decoded at run time."""
    if not call.node.args:
        return False
    arg = call.node.args[0]
    if any(
        n in DECODE_CALLS
        or n in decoders
        or n.rsplit(".", 1)[-1] in ("b64decode", "decode", "fromhex")
        for n in subcalls(arg, facts)
    ):
        return True
    value = facts.assigned(arg.id, call.scope, call.line) if isinstance(arg, ast.Name) else None
    return value is not None and any(
        n in DECODE_CALLS or n in decoders or n.rsplit(".", 1)[-1] in ("b64decode", "fromhex")
        for n in subcalls(value, facts)
    )


def _first_word(cmd: str) -> str:
    word = cmd.strip().split(" ", 1)[0].strip("'\"")
    return word.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower().removesuffix(".exe")


def _runs_inline_code(cmd: str) -> bool:
    """``-c CODE``/``-e CODE`` given to an interpreter, or literal code so given to a program
    whose name is computed (``[cc, "-c", src.name]`` compiles a file)."""
    word = _first_word(cmd)
    if word in _INTERPRETERS or word.startswith("python"):
        return bool(_INLINE_CODE.search(cmd))
    return word.strip("…") == "" and bool(_INLINE_LITERAL.search(cmd))


_SHELL_C = re.compile(r"^\s*\S*\b(?:sh|bash|zsh|dash|ksh)\s+-c\s+(.+)$", re.S)


def _shell_inline(cmd: str) -> str | None:
    """The command a shell is given with ``-c`` (``bash -c "git rev-parse HEAD"``), unquoted."""
    m = _SHELL_C.match(cmd)
    if m is None:
        return None
    inner = m.group(1).strip()
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        inner = inner[1:-1]
    return inner


def _tooling(cmd: str) -> bool:
    """A build tool, a version or configuration probe, or a text filter: what build scripts
    run, with nothing chained after it."""
    return _builds_from_source(cmd) or _plain_build_tool(cmd) or _probe(cmd) or _reads_text(cmd)


#: Quoted text inside a shell command (a here-string's program, an echoed message).
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
#: An output redirection (``> log``, ``2>&1``, ``>> /dev/null``): it chains nothing.
_REDIRECT = re.compile(r"\s*\d?>>?\s*(&\d|[^\s;&|]+)")


def _tooling_chain(cmd: str) -> bool:
    """Every command of a shell line is build tooling (``g++ -x c++ - -o t && rm t``), its
    quoted text and redirections left aside: a compiler check, not a program of its own."""
    stages = _CHAINED.split(_REDIRECT.sub("", _QUOTED.sub("''", cmd)))
    return all(st.strip() and _tooling(st.strip()) for st in stages)


#: Programs that run the script named after them (``bash build.sh``, ``pwsh ./bld.ps1``).
_SCRIPT_RUNNERS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "pwsh", "powershell"})
#: Signatures whose hit in a script says it does more than build: fetches, persistence,
#: hidden or encoded commands, shells to a remote host, secrets, exfiltration.
_SCRIPT_THREATS = frozenset(
    {
        "sw_persistence_windows", "sw_persistence_unix", "sw_shell_rc", "sw_powershell_encoded",
        "sw_powershell_download", "sw_hidden_window", "sw_shell_fetch_exec", "sw_reverse_shell",
        "sw_exfil_chat", "sw_exfil_hardcoded", "sw_exfil_endpoint", "sw_credential_paths",
        "sw_browser_profiles", "sw_anti_analysis", "sw_raw_ip_url", "sw_file_host",
        "sw_ip_lookup",
    }
)  # fmt: skip
#: Scripts larger than this are not read for this test.
MAX_BUILD_SCRIPT = 512 * 1024


#: ``cd DIR &&`` (or ``;``) before a command.
_CD_FIRST = re.compile(r"^\s*cd\s+[^\s;&|]+\s*(&&|;)\s*")


def _shipped_build_script(cmd: str, src: SourceFile) -> bool:
    """The command runs a script shipped in the package (``./bld``, ``…/build.sh``,
    ``pwsh ./bld.ps1``) that downloads nothing and shows no threat: a native build's own
    script. A dropper's script is written or downloaded at install time, never shipped: what
    runs it is weighed as usual."""
    ctx = src.package
    cmd = _CD_FIRST.sub("", cmd, count=1)  # ``cd rl && ./build.sh``: run in its own folder
    cmd = _REDIRECT.sub("", cmd)
    words = cmd.split()
    if ctx is None or not words or _CHAINED.search(cmd):
        return False
    target = words[0]
    if _first_word(cmd) in _SCRIPT_RUNNERS or target == "…":  # ``"%s ./build.sh" % shell``
        target = next((w for w in words[1:] if not w.startswith("-")), "")
    name = target.strip("'\"").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if len(name) < 3 or "…" in name or name.endswith((".py", ".pyw", ".exe", ".dll")):
        return False
    scripts = ctx.members_named(name)
    return bool(scripts) and all(
        is_code(m)
        and len(m.data) <= MAX_BUILD_SCRIPT
        and b"\0" not in m.data
        and not _FETCH.search(m.data.decode("utf-8", "replace"))
        and not any(h.rule in _SCRIPT_THREATS for h in ctx.yara(m))
        for m in scripts
    )


def _reads_text(cmd: str) -> bool:
    """A pipeline of text tools only (``cat /proc/cpuinfo | grep cores | head -1``): it reads
    and filters, and runs nothing else."""
    segments = [seg for seg in re.split(r"\|\|?|&&|;", cmd) if seg.strip()]
    return bool(segments) and all(_first_word(seg) in _TEXT_TOOLS for seg in segments)


def _probe(cmd: str) -> bool:
    """A query of a tool's version or build configuration (``pkg-config libfoo --modversion``,
    ``cc -dumpversion``), with nothing chained after it."""
    return bool(_PROBE.search(cmd)) and not _CHAINED.search(cmd)


def _plain_build_tool(cmd: str) -> bool:
    return _first_word(cmd) in _BUILD_TOOLS and not _runs_inline_code(cmd)


def _builds_from_source(cmd: str) -> bool:
    """A package manager or build tool fetching sources (``cargo install --git URL``), with no
    downloader or shell chained after it."""
    return _first_word(cmd) in _SOURCE_FETCHERS and not _CHAINED.search(cmd)


def _is_sys_executable(call: CallFact) -> bool:
    """The program run is this Python (``[sys.executable, ...]``), or ``os.exec*`` replaces the
    process with it (``os.execv(sys.executable, [sys.executable] + sys.argv)``: a restart)
    without giving it inline code."""
    node = call.node
    arg = node.args[0] if node.args else None
    if isinstance(arg, ast.List | ast.Tuple) and arg.elts:
        first = arg.elts[0]
        return isinstance(first, ast.Attribute) and first.attr == "executable"
    if (
        call.name.startswith("os.exec")
        and isinstance(arg, ast.Attribute)
        and arg.attr == "executable"
        and len(node.args) > 1
    ):
        argv = _literal(node.args[1])  # unknown (a variable) is no restart
        return argv is not None and not _INLINE_CODE.search(" " + argv + " ")
    return False


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            decoders = decoder_functions(facts)
            for call in facts.calls:
                found = classify(call, src, facts, decoders)
                if found is not None:
                    base, msg, floor = found
                    out.append(emit.at(src, call.line, call.scope, base, msg, floor=floor))
        yield from best_per_file(out)


def classify(
    call: CallFact, src: SourceFile, facts: Facts, decoders: set[str]
) -> tuple[float, str, float] | None:
    """(base weight, message, floor) for a call that starts a program, by what it runs; None
    for any other call. ``decoders``: ``decoder_functions(facts)``."""
    if not is_process(call) or call.name in ("subprocess.PIPE", "subprocess.DEVNULL"):
        return None
    if call.name.rsplit(".", 1)[-1] in (
        "CalledProcessError",
        "TimeoutExpired",
        "CompletedProcess",
        "STARTUPINFO",
    ):
        return None
    cmd = _command_text(call.node, facts, call.scope)
    floor = 0.0
    decoded = _decoded_arg(call, facts, decoders)
    if decoded:
        base, msg = 0.8, f"runs a command decoded at run time ({call.name})"
        floor = 0.6
    elif _split_command(call, facts):
        base, msg = 0.6, f"runs a command assembled from split fragments ({call.name})"
    elif cmd is not None and _SHELL_DECODE.search(cmd) and _pipes_into_shell(cmd):
        base, msg = 0.75, f"decodes text and pipes it into a shell to run ({call.name})"
        floor = 0.6
    elif cmd is not None and _UPLOAD.search(cmd):
        base, msg = 0.6, f"runs a command that uploads local data ({call.name})"
    elif (
        cmd is not None
        and _FETCH.search(cmd)
        and not _builds_from_source(cmd)
        and not _probe(cmd)  # curl --version fetches nothing
    ):
        base, msg = 0.5, f"runs a command that fetches from the network ({call.name})"
    elif cmd is not None and _pipes_into_shell(cmd):
        base, msg = 0.45, f"pipes text into a shell to run ({call.name})"
    elif cmd is not None and (inner := _shell_inline(cmd)) is not None and _tooling_chain(inner):
        base, msg = 0.03, f"runs a build tool through a shell ({call.name})"
    elif cmd is not None and _runs_inline_code(cmd):
        base, msg = 0.35, f"runs inline code with an interpreter ({call.name})"
        top = facts.top_function(call.scope) == 0
        if top or src.role in (Role.SETUP, Role.BACKEND):
            base = 0.45  # as soon as pip runs setup.py, or as soon as it is imported
    elif (
        cmd is not None
        and _PIP_INSTALL.search(cmd)
        and src.role not in (Role.TEST, Role.SETUP, Role.BACKEND, Role.SCRIPT)
    ):
        base, msg = 0.4, f"installs packages while it runs ({call.name})"
    elif cmd is not None and cmd.strip().removesuffix(" -i") in _SHELLS:
        base, msg = 0.5, f"starts an interactive shell ({call.name})"
    elif cmd is not None and _first_word(cmd) in DNS_TOOLS and "…" in cmd:
        # the name looked up is computed: data can ride in it (DNS exfiltration)
        base, msg = 0.6, f"looks up a computed host name with a DNS tool ({call.name})"
    elif cmd is not None and _first_word(cmd) in DNS_TOOLS:
        base, msg = 0.45, f"runs a DNS lookup tool ({call.name})"
    elif cmd is not None and _first_word(cmd) in RECON_TOOLS:
        base, msg = 0.3, f"runs a reconnaissance command ({call.name})"
        if src.role == Role.SETUP and facts.top_function(call.scope) == 0:
            # no lighter than any program setup.py runs as soon as pip runs it (below)
            base, msg = 0.45, f"setup.py runs a reconnaissance command as pip runs it ({call.name})"
    elif cmd is not None and _first_word(cmd) == "cd" and not _CHAINED.search(cmd):
        base, msg = 0.03, f"changes directory in a subshell ({call.name})"
    elif cmd is not None and (_builds_from_source(cmd) or _plain_build_tool(cmd)):
        base, msg = 0.03, f"runs a build tool ({call.name})"
    elif cmd is not None and _shipped_build_script(cmd, src):
        base, msg = 0.03, f"runs a build script shipped in the package ({call.name})"
    elif cmd is not None and (_probe(cmd) or _reads_text(cmd)):
        base, msg = 0.03, f"asks a program for its version or configuration ({call.name})"
    elif _is_sys_executable(call):
        base, msg = 0.05, f"runs the Python interpreter ({call.name})"
    elif cmd is not None and cmd.strip("… ") == "":
        base, msg = 0.2, f"runs a computed command ({call.name})"
    elif src.role == Role.SETUP and facts.top_function(call.scope) == 0:
        base, msg = (
            0.45,
            f"setup.py runs a program as soon as pip runs it ({call.name})",
        )
    elif (
        cmd is not None
        and cmd.strip("… ")
        and facts.top_function(call.scope) == 0
        and src.role in (Role.MODULE, Role.INIT)
    ):
        base, msg = 0.35, f"runs a program as soon as it is imported ({call.name})"
    else:
        base, msg = 0.2, f"runs a program ({call.name})"
    return base, msg, floor


RULE = _Rule()
