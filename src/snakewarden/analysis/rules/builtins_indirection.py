"""builtins-indirection: exec/eval/__import__ reached indirectly (getattr on builtins,
globals()['exec'], __import__ of a computed name) to hide from readers and scanners; and a
module's function reached by a name decoded or spelled out character by character
(``getattr(requests, "".join(["g", "e", "t"]))``), which hides what the code calls.

A name that is *decoded* on the spot (``b'\\x85\\xa5\\x81\\x93'.decode('cp1026')``, rot13,
base64, hex, bytes or character codes) is much stronger evidence than a name merely computed:
where the literal is at hand it is decoded here, as data (nothing of the scanned code runs), and
a decoded ``exec``/``eval``/``__import__``... weighs like obfuscated code execution."""

from __future__ import annotations

import ast
import base64
import binascii
import codecs
import re
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from snakewarden.analysis.context import ScanContext, SourceFile
from snakewarden.analysis.facts import CallFact, Facts, dotted, imported_module
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import (
    Emitter,
    best_per_file,
    is_exec,
    is_network,
    is_process,
    parsed,
)
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="builtins-indirection",
    description=(
        "reaches builtins such as exec indirectly (getattr(builtins, ...), globals()[...]), or "
        "a module's function by a hidden name"
    ),
    severity=Severity.MEDIUM,
    category="threat.obfuscation.indirection",
)
_DANGEROUS = ("exec", "eval", "compile", "__import__", "system", "popen", "open")
#: Builtins that run code, import, open files or reach further builtins: decoding one of these
#: names to call it is obfuscated code execution.
_EXECUTING = frozenset({"exec", "eval", "compile", "__import__", "open", "getattr", "execfile"})


def _is_builtins(node: ast.AST, facts: Facts) -> bool:
    """``builtins``, ``__builtins__``, ``__import__('builtins')``, ``globals()``,
    ``globals()['__builtins__']``, ``sys.modules['builtins']``..."""
    if isinstance(node, ast.Name):
        return node.id in ("__builtins__", "builtins") or facts.resolve(node.id) == "builtins"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
        name = facts.resolve(dotted(node.func))
        if name in ("__import__", "importlib.import_module") and node.args:
            a = node.args[0]
            if isinstance(a, ast.Constant):
                return a.value in ("builtins", "__builtin__")
            # ``__import__(<decoded>)``: the module name decoded here
            return _Decoder(facts, 0, node.lineno).name(a) in ("builtins", "__builtin__")
        return name in ("globals", "vars", "locals")
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        key = node.slice.value
        if key in ("__builtins__", "builtins", "__builtin__"):
            base = node.value
            return (
                isinstance(base, ast.Call)
                and isinstance(base.func, ast.Name)
                and base.func.id in ("globals", "vars")
            ) or dotted(base) == "sys.modules"
    return False


_ESCAPED = re.compile(r"\\(x[0-9a-fA-F]{2}|[0-7]{3}|u[0-9a-fA-F]{4})")
#: ``name = getattr(builtins, ...)``: the function kept to be called later.
_ASSIGNED = re.compile(r"(^|[;:])\s*[\w.]+\s*(:[^=;]*)?=\s*getattr\s*\(")


def _escaped(line: str) -> bool:
    """The source line spells a name with escapes (``"\\x65\\x78\\x65\\x63"``)."""
    return bool(_ESCAPED.search(line))


def _hides(src: SourceFile, call: CallFact, attr: ast.expr, called: set[int]) -> bool:
    """``getattr(builtins, name)`` hides what it reaches: the name is decoded or assembled on
    the spot, spelled with escapes, or held in a variable while the function is called on the
    spot or kept in a variable. A plain literal
    (``getattr(builtins, "exec")``, the Python 2/3 compatibility idiom) hides nothing, and a
    computed name whose result only fills a table (copying builtins into a sandbox) calls
    nothing."""
    line = src.line(call.line)
    if isinstance(attr, ast.Constant):
        return str(attr.value) in _DANGEROUS and _escaped(line)
    if isinstance(attr, ast.Call | ast.BinOp | ast.JoinedStr):
        return True  # a name decoded, joined or assembled on the spot
    return id(call.node) in called or bool(_ASSIGNED.search(line))


# -- decoding a name on the spot ------------------------------------------------------------------

#: Bounds on what is decoded (a hostile file must not make the check slow or big).
MAX_STEPS = 3000
MAX_TEXT = 4096
MAX_ITEMS = 512
MAX_INT = 1 << 32
MAX_NESTING = 40
MAX_DEPTH = 8
#: Text codecs that hide nothing (the name reads plainly in the bytes literal).
_PLAIN_CODECS = frozenset({"utf-8", "ascii", "iso8859-1", "latin-1", "cp1252", "utf-8-sig"})
#: Codecs whose output does not read like their input: EBCDIC code pages (letters move far
#: from ASCII), rot13, base64, hex... Decoding a name with one of these hides it; decoding with
#: another text codec (utf-16, a national code page) is how data is read.
_HIDING_CODECS = frozenset(
    {"cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140", "rot-13", "base64", "hex",
     "utf-7", "punycode"}
)  # fmt: skip
#: Codecs that are not text encodings but transform text or bytes: the ones decoded here
#: (never the decompressors: a tiny literal may inflate hugely).
_TRANSFORMS = frozenset({"rot-13", "base64", "hex"})
_CODEC_NAME = re.compile(r"[A-Za-z0-9_.-]{1,40}")
_B64_CALLS: dict[str, Callable[[bytes], bytes]] = {
    "base64.b64decode": base64.b64decode,
    "base64.standard_b64decode": base64.standard_b64decode,
    "base64.urlsafe_b64decode": base64.urlsafe_b64decode,
    "base64.decodebytes": base64.decodebytes,
    "base64.decodestring": base64.decodebytes,
    "base64.b32decode": base64.b32decode,
    "base64.b16decode": base64.b16decode,
    "base64.b85decode": base64.b85decode,
    "base64.a85decode": base64.a85decode,
    "binascii.a2b_base64": binascii.a2b_base64,
    "binascii.unhexlify": binascii.unhexlify,
    "binascii.a2b_hex": binascii.a2b_hex,
    "bytes.fromhex": lambda b: bytes.fromhex(b.decode("latin-1")),
    "bytearray.fromhex": lambda b: bytes.fromhex(b.decode("latin-1")),
}
_STR_METHODS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "swapcase", "title"})
#: What a decoding step is called in the message, by resolved call name.
_STEP_NAMES = {"bytes.fromhex": "hex", "bytearray.fromhex": "hex", "binascii.unhexlify": "hex"}
_STEP_NAMES |= {"binascii.a2b_hex": "hex", "base64.b16decode": "hex"}

Value = str | bytes | int | list["Value"]


class _Stop(Exception):
    """The name cannot be decoded statically (unknown value, bound reached)."""


def _codec(name: object) -> str:
    """The normalised name of a codec that may be applied here, else ``_Stop``."""
    if not isinstance(name, str) or not _CODEC_NAME.fullmatch(name):
        raise _Stop
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise _Stop from None
    if not getattr(info, "_is_text_encoding", True) and info.name not in _TRANSFORMS:
        raise _Stop
    return info.name


class _Decoder:
    """Evaluates the small expression language names are decoded with (literals, names of the
    file assigned once, codec and base64/hex calls, bytes and character codes, joins, slices,
    comprehensions over literals), recording the decoding steps that hide the text."""

    def __init__(self, facts: Facts, scope: int, line: int) -> None:
        self.facts = facts
        self.scope = scope
        self.line = line
        self.steps: list[str] = []
        self.budget = MAX_STEPS

    def name(self, expr: ast.AST) -> str | None:
        """The text ``expr`` evaluates to, or None."""
        try:
            v = self.value(expr, {}, 0)
        except (
            _Stop,
            ValueError,
            TypeError,
            UnicodeError,
            binascii.Error,
            OverflowError,
            IndexError,
        ):
            return None
        if isinstance(v, bytes):
            v = v.decode("latin-1")
        return v if isinstance(v, str) else None

    def _step(self, what: str) -> None:
        if what not in self.steps:
            self.steps.append(what)

    def value(self, node: ast.AST, env: dict[str, Value], depth: int) -> Value:
        self.budget -= 1
        if self.budget < 0 or depth > MAX_NESTING:
            raise _Stop
        v = self._value(node, env, depth)
        if isinstance(v, str | bytes | list) and len(v) > MAX_TEXT:
            raise _Stop
        if isinstance(v, int) and abs(v) > MAX_INT:
            raise _Stop
        return v

    def _value(self, node: ast.AST, env: dict[str, Value], depth: int) -> Value:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str | bytes) or (
                isinstance(node.value, int) and not isinstance(node.value, bool)
            ):
                return node.value
            raise _Stop
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            assigned = self.facts.assigned(node.id, self.scope, self.line)
            if assigned is None:
                raise _Stop
            # following a name costs more than nesting: at most a few hops (x = x + "a" stops)
            return self.value(assigned, {}, depth + MAX_DEPTH)
        if isinstance(node, ast.List | ast.Tuple):
            if len(node.elts) > MAX_ITEMS:
                raise _Stop
            return [self.value(e, env, depth + 1) for e in node.elts]
        if isinstance(node, ast.BinOp):
            return _binop(
                node.op, self.value(node.left, env, depth + 1), self.value(node.right, env, depth)
            )
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            v = self.value(node.operand, env, depth + 1)
            if isinstance(v, int):
                return -v
            raise _Stop
        if isinstance(node, ast.JoinedStr):
            parts: list[str] = []
            for p in node.values:
                if isinstance(p, ast.FormattedValue):
                    if p.conversion != -1 or p.format_spec is not None:
                        raise _Stop
                    p = p.value
                v = self.value(p, env, depth + 1)
                if not isinstance(v, str):
                    raise _Stop
                parts.append(v)
            return "".join(parts)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, env, depth)
        if isinstance(node, ast.ListComp | ast.GeneratorExp):
            return self._comprehension(node, env, depth)
        if isinstance(node, ast.Call):
            return self._call(node, env, depth)
        raise _Stop

    def _subscript(self, node: ast.Subscript, env: dict[str, Value], depth: int) -> Value:
        seq = self.value(node.value, env, depth + 1)
        if not isinstance(seq, str | bytes | list):
            raise _Stop
        s = node.slice
        if isinstance(s, ast.Slice):
            bounds = [
                None if b is None else self.value(b, env, depth + 1)
                for b in (s.lower, s.upper, s.step)
            ]
            if not all(b is None or isinstance(b, int) for b in bounds):
                raise _Stop
            lo, hi, step = (b if isinstance(b, int) else None for b in bounds)
            if step is not None and step < 0:
                self._step("reversed")
            return seq[lo:hi:step]
        index = self.value(s, env, depth + 1)
        if not isinstance(index, int):
            raise _Stop
        return seq[index]

    def _comprehension(
        self, node: ast.ListComp | ast.GeneratorExp, env: dict[str, Value], depth: int
    ) -> Value:
        if len(node.generators) != 1:
            raise _Stop
        gen = node.generators[0]
        if gen.ifs or gen.is_async or not isinstance(gen.target, ast.Name):
            raise _Stop
        items = _items(self.value(gen.iter, env, depth + 1))
        return [self.value(node.elt, {**env, gen.target.id: item}, depth + 1) for item in items]

    def _call(self, node: ast.Call, env: dict[str, Value], depth: int) -> Value:
        if node.keywords and not all(k.arg in ("encoding", "errors") for k in node.keywords):
            raise _Stop
        kw = {k.arg: self.value(k.value, env, depth + 1) for k in node.keywords if k.arg}
        func = node.func
        if isinstance(func, ast.Attribute) and not _module_call(func, self.facts):
            recv = self.value(func.value, env, depth + 1)
            args = [self.value(a, env, depth + 1) for a in node.args]
            return self._method(recv, func.attr, args, kw)
        name = self.facts.resolve(dotted(func))
        if name == "map" and len(node.args) == 2 and isinstance(node.args[0], ast.Name):
            fn = node.args[0].id
            items = _items(self.value(node.args[1], env, depth + 1))
            if fn == "chr":
                self._step("character codes")
                return [chr(_int(i)) for i in items]
            if fn == "str":
                return [i if isinstance(i, str) else str(_int(i)) for i in items]
            raise _Stop
        args = [self.value(a, env, depth + 1) for a in node.args]
        return self._function(name, args, kw)

    def _function(self, name: str, args: list[Value], kw: dict[str, Value]) -> Value:
        if name == "chr" and len(args) == 1:
            self._step("character codes")
            return chr(_int(args[0]))
        if name in ("bytes", "bytearray") and args:
            if isinstance(args[0], list):
                self._step("bytes of integers")
                return bytes(_int(i) for i in args[0])
            if isinstance(args[0], str):
                codec = _codec(args[1] if len(args) > 1 else kw.get("encoding", "utf-8"))
                return codecs.encode(args[0], codec)
            if isinstance(args[0], bytes):
                return args[0]
            raise _Stop
        if name == "str" and args:
            if len(args) == 1 and isinstance(args[0], str):
                return args[0]
            if isinstance(args[0], bytes) and (len(args) > 1 or "encoding" in kw):
                return self._decode(args[0], args[1] if len(args) > 1 else kw["encoding"])
            raise _Stop
        if name in ("reversed", "list", "tuple") and len(args) == 1:
            if name == "reversed":
                self._step("reversed")
                return _items(args[0])[::-1]
            return _items(args[0])
        if name in ("codecs.decode", "codecs.encode") and args:
            which = args[1] if len(args) > 1 else kw.get("encoding", "utf-8")
            if name == "codecs.decode":
                return self._decode(args[0], which)
            return self._encode(args[0], which)
        if name == "zlib.decompress" and len(args) == 1 and isinstance(args[0], bytes):
            self._step("zlib")
            try:
                return zlib.decompressobj().decompress(args[0], MAX_TEXT + 1)
            except zlib.error:
                raise _Stop from None
        if name in _B64_CALLS and len(args) == 1:
            data = args[0]
            if isinstance(data, str):
                data = data.encode("latin-1")
            if not isinstance(data, bytes):
                raise _Stop
            self._step(_STEP_NAMES.get(name, "base64"))
            return _B64_CALLS[name](data)
        raise _Stop

    def _method(self, recv: Value, attr: str, args: list[Value], kw: dict[str, Value]) -> Value:
        if attr == "decode" and isinstance(recv, bytes | str):
            return self._decode(recv, args[0] if args else kw.get("encoding", "utf-8"))
        if attr == "encode" and isinstance(recv, str):
            return self._encode(recv, args[0] if args else kw.get("encoding", "utf-8"))
        if attr == "join" and isinstance(recv, str | bytes) and len(args) == 1:
            items = _items(args[0])
            if isinstance(recv, str) and all(isinstance(i, str) for i in items):
                return recv.join(i for i in items if isinstance(i, str))
            if isinstance(recv, bytes) and all(isinstance(i, bytes) for i in items):
                return recv.join(i for i in items if isinstance(i, bytes))
            raise _Stop
        if attr in _STR_METHODS and isinstance(recv, str | bytes) and not args:
            out: Value = getattr(recv, attr)()
            return out
        if attr == "replace" and isinstance(recv, str) and len(args) == 2:
            old, new = args
            if isinstance(old, str) and isinstance(new, str) and old:
                return recv.replace(old, new)
        raise _Stop

    def _decode(self, data: Value, codec_name: Value) -> Value:
        codec = _codec(codec_name)
        if not isinstance(data, bytes | str):
            raise _Stop
        if isinstance(data, str) and codec != "rot-13":
            if codec in _PLAIN_CODECS:
                return data  # Python 2's str.decode of text
            data = data.encode("latin-1")
        if codec in _HIDING_CODECS:
            self._step("rot13" if codec == "rot-13" else codec)
        raw: Any = data  # rot13 decodes text: the stubs know only bytes
        out = codecs.decode(raw, codec)
        if not isinstance(out, str | bytes):
            raise _Stop
        return out

    def _encode(self, data: Value, codec_name: Value) -> Value:
        codec = _codec(codec_name)
        if not isinstance(data, str):
            raise _Stop
        if codec == "rot-13":
            self._step("rot13")
        elif codec not in _PLAIN_CODECS:
            raise _Stop  # encoding text *into* something else names nothing
        out = codecs.encode(data, codec)
        if not isinstance(out, str | bytes):
            raise _Stop
        return out


def _module_call(func: ast.Attribute, facts: Facts) -> bool:
    """``base64.b64decode(...)``, ``bytes.fromhex(...)``: a function reached through a module
    or a type, not a method of a value."""
    cur: ast.expr = func.value
    while isinstance(cur, ast.Attribute):
        cur = cur.value
    if isinstance(cur, ast.Call):
        return not dotted(func).startswith("?")  # __import__("base64").b64decode
    if not isinstance(cur, ast.Name):
        return False  # b"...".decode(), "".join(...)
    return cur.id in ("bytes", "bytearray", "str") or cur.id in facts.imports


def _items(v: Value) -> list[Value]:
    if isinstance(v, list):
        return v
    if isinstance(v, str):
        return list(v)
    if isinstance(v, bytes):
        return list(v)
    raise _Stop


def _int(v: Value) -> int:
    if isinstance(v, int) and 0 <= v < 0x110000:
        return v
    raise _Stop


def _binop(op: ast.operator, a: Value, b: Value) -> Value:
    if isinstance(op, ast.Add):
        if isinstance(a, str) and isinstance(b, str):
            return a + b
        if isinstance(a, bytes) and isinstance(b, bytes):
            return a + b
        if isinstance(a, list) and isinstance(b, list):
            return a + b
    if not (isinstance(a, int) and isinstance(b, int)):
        raise _Stop
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.BitXor):
        return a ^ b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.Mod) and b:
        return a % b
    if isinstance(op, ast.FloorDiv) and b:
        return a // b
    raise _Stop


#: Calls and methods that decode, for names that cannot be decoded here (their input is not
#: a literal of the file): a name produced by them is still decoded on the spot.
_DECODE_FUNCS = frozenset({*_B64_CALLS, "codecs.decode"})


def _decoded_syntax(expr: ast.AST, facts: Facts) -> list[str]:
    """The decoding steps written in ``expr`` (codec and base64/hex calls, bytes or character
    codes, reversal), whether or not their input is known."""
    steps: list[str] = []
    budget = MAX_STEPS
    stack = [expr]
    while stack and budget > 0:
        budget -= 1
        cur = stack.pop()
        stack.extend(ast.iter_child_nodes(cur))
        if isinstance(cur, ast.Subscript) and isinstance(cur.slice, ast.Slice):
            step = cur.slice.step
            if isinstance(step, ast.UnaryOp) and isinstance(step.op, ast.USub):
                steps.append("reversed")
        if not isinstance(cur, ast.Call):
            continue
        name = facts.resolve(dotted(cur.func))
        last = name.rsplit(".", 1)[-1]
        if name == "codecs.decode" and len(cur.args) > 1:
            steps.extend(_codec_step(cur.args[1]))
        elif name in _DECODE_FUNCS or last in ("b64decode", "unhexlify", "fromhex"):
            steps.append(_STEP_NAMES.get(name, last if last != "b64decode" else "base64"))
        elif last == "decode" and cur.args:
            steps.extend(_codec_step(cur.args[0]))
        elif name in ("bytes", "bytearray") and cur.args and isinstance(cur.args[0], ast.List):
            steps.append("bytes of integers")
        elif name == "chr" or (
            name == "map" and any(isinstance(a, ast.Name) and a.id == "chr" for a in cur.args[:1])
        ):
            steps.append("character codes")
    return list(dict.fromkeys(steps))


def _codec_step(arg: ast.expr) -> list[str]:
    """The decoding step of a codec argument that hides text (``'cp1026'``, ``'rot13'``)."""
    if not isinstance(arg, ast.Constant):
        return []
    try:
        codec = _codec(arg.value)
    except _Stop:
        return []
    return ["rot13" if codec == "rot-13" else codec] if codec in _HIDING_CODECS else []


class _Lookup:
    """What a computed name of a builtin turns out to be."""

    def __init__(self, facts: Facts, key: ast.expr, scope: int, line: int) -> None:
        self.name: str | None = None
        self.steps: list[str] = []
        if isinstance(key, ast.Constant):
            return
        decoder = _Decoder(facts, scope, line)
        self.name = decoder.name(key)
        self.steps = decoder.steps
        if self.name is None:
            target = key
            if isinstance(key, ast.Name):
                target = facts.assigned(key.id, scope, line) or key
            self.steps = _decoded_syntax(target, facts)

    @property
    def decoded(self) -> bool:
        return bool(self.steps)

    @property
    def harmless(self) -> bool:
        """The name reads plainly (no decoding) and is no dangerous builtin: a literal kept in a
        variable (``name = "unicode"``; ``getattr(builtins, name)``)."""
        return self.name is not None and not self.steps and self.name not in _DANGEROUS

    @property
    def executes(self) -> bool:
        """A name decoded here to a builtin that runs code (``exec``, ``eval``...)."""
        return self.decoded and self.name in _EXECUTING


def _decoded_finding(
    emit: Emitter, src: SourceFile, call_line: int, scope: int, found: _Lookup, how: str
) -> Finding | None:
    """The finding for a builtin reached through a decoded name (None: not decoded)."""
    if not found.decoded:
        return None
    steps = ", ".join(found.steps[:3])
    line = src.line(call_line)
    if found.executes:
        return emit.at(
            src,
            call_line,
            scope,
            0.85,
            f"reaches {found.name}() through a name decoded on the spot ({steps})",
            floor=0.6,
            evidence=f"{found.name} <- {line}",
        )
    if found.name is None:
        return emit.at(
            src,
            call_line,
            scope,
            0.6,
            f"{how} a builtin through a name decoded on the spot ({steps})",
            floor=0.35,
        )
    return None  # decoded to a harmless builtin: weighed as any computed name


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            called_funcs = {id(c.node.func) for c in facts.calls}
            looked_up: set[int] = set()
            for call in facts.calls:
                node = call.node
                if call.name == "getattr" and len(node.args) >= 2:
                    target, attr = node.args[0], node.args[1]
                    if not _is_builtins(target, facts):
                        hidden = _hidden_attribute(emit, src, facts, call, target, attr)
                        if hidden is not None:
                            out.append(hidden)
                        continue
                    found = _Lookup(facts, attr, call.scope, call.line)
                    strong = _decoded_finding(emit, src, call.line, call.scope, found, "getattr on")
                    if strong is not None:
                        out.append(strong)
                    elif not found.harmless and _hides(src, call, attr, called_funcs):
                        out.append(
                            emit.at(
                                src,
                                call.line,
                                call.scope,
                                0.45,
                                "getattr on builtins to reach a hidden function",
                                floor=0.3,
                            )
                        )
                elif (
                    call.name == "__import__"
                    and node.args
                    and not isinstance(node.args[0], ast.Constant)
                ):
                    out.append(
                        emit.at(
                            src, call.line, call.scope, 0.1, "__import__ of a computed module name"
                        )
                    )
                elif isinstance(node.func, ast.Subscript) and _builtins_table(
                    node.func.value, facts
                ):
                    looked_up.add(id(node.func))
                    key = node.func.slice
                    found = _Lookup(facts, key, call.scope, call.line)
                    strong = _decoded_finding(emit, src, call.line, call.scope, found, "calls")
                    if strong is not None:
                        out.append(strong)
                    elif not found.harmless and (
                        not isinstance(key, ast.Constant) or key.value in _DANGEROUS
                    ):
                        out.append(
                            emit.at(
                                src,
                                call.line,
                                call.scope,
                                0.45,
                                "calls a builtin looked up by name (globals()/__builtins__[...])",
                                floor=0.3,
                            )
                        )
            # ``f = __builtins__[<decoded>]``: the function kept to be called later
            for a in facts.assignments:
                value = a.value
                if (
                    isinstance(value, ast.Subscript)
                    and id(value) not in looked_up
                    and not isinstance(value.slice, ast.Constant | ast.Slice)
                    and _builtins_table(value.value, facts)
                ):
                    found = _Lookup(facts, value.slice, a.scope, a.line)
                    strong = _decoded_finding(emit, src, a.line, a.scope, found, "looks up")
                    if strong is not None:
                        out.append(strong)
        yield from best_per_file(out)


#: A name spelled out in at least this many literal pieces (``"".join(["g", "e", "t"])``,
#: ``"sys" + "tem"``) is assembled to be hidden.
MIN_PIECES = 2
#: Pieces longer than this are words, not letters (``"_".join(["get", "user"])``).
MAX_PIECE = 4


def _module_of(target: ast.expr, facts: Facts, call: CallFact) -> str | None:
    """The module ``target`` is: an imported name, ``__import__("m")``, or a name assigned
    one of those (``rq = __import__("requests")``)."""
    if isinstance(target, ast.Name):
        if target.id in facts.imports:
            return facts.imports[target.id]
        value = facts.assigned(target.id, call.scope, call.line)
        return imported_module(value) if value is not None else None
    return imported_module(target)


def _spelled_out(expr: ast.expr, facts: Facts, call: CallFact) -> bool:
    """``expr`` (or the value of the name it is) joins short literal pieces into a name."""
    if isinstance(expr, ast.Name):
        value = facts.assigned(expr.id, call.scope, call.line)
        if value is None:
            return False
        expr = value
    pieces: list[ast.expr] = []
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "join"
        and len(expr.args) == 1
        and isinstance(expr.args[0], ast.List | ast.Tuple)
    ):
        pieces = list(expr.args[0].elts)
    elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        stack: list[ast.expr] = [expr]
        while stack and len(pieces) < MAX_ITEMS:
            cur = stack.pop()
            if isinstance(cur, ast.BinOp) and isinstance(cur.op, ast.Add):
                stack.extend((cur.right, cur.left))
            else:
                pieces.append(cur)
    return len(pieces) >= MIN_PIECES and all(
        isinstance(p, ast.Constant) and isinstance(p.value, str) and 0 < len(p.value) <= MAX_PIECE
        for p in pieces
    )


def _hidden_attribute(
    emit: Emitter, src: SourceFile, facts: Facts, call: CallFact, target: ast.expr, attr: ast.expr
) -> Finding | None:
    """``getattr(module, <name decoded or spelled out on the spot>)``: what is called is
    hidden; it weighs more when the name turns out to run programs, code or requests."""
    if isinstance(attr, ast.Constant):
        return None
    module = _module_of(target, facts, call)
    if module is None:
        return None
    found = _Lookup(facts, attr, call.scope, call.line)
    if found.name is None or not (found.decoded or _spelled_out(attr, facts, call)):
        return None
    full = f"{module}.{found.name}"
    reached = CallFact(full, full, call.line, call.scope, call.node)
    how = ", ".join(found.steps[:3]) or "spelled out in pieces"
    if is_exec(reached) or is_process(reached) or is_network(reached):
        return emit.at(
            src,
            call.line,
            call.scope,
            0.6,
            f"reaches {full}() through a name hidden on the spot ({how})",
            floor=0.4,
            evidence=f"{full} <- {src.line(call.line)}",
        )
    return emit.at(
        src,
        call.line,
        call.scope,
        0.25,
        f"reaches {full} through a name hidden on the spot ({how})",
    )


def _builtins_table(base: ast.expr, facts: Facts) -> bool:
    """``__builtins__``, ``globals()``, ``builtins.__dict__``, ``vars(builtins)``: a table of
    the builtins to look a name up in."""
    if _is_builtins(base, facts):
        return True
    if isinstance(base, ast.Attribute) and base.attr == "__dict__":
        return _is_builtins(base.value, facts)
    return (
        isinstance(base, ast.Call)
        and isinstance(base.func, ast.Name)
        and base.func.id == "vars"
        and len(base.args) == 1
        and _is_builtins(base.args[0], facts)
    )


RULE = _Rule()
