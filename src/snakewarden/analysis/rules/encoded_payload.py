"""encoded-payload: a literal that decodes (base64, hex, zlib, reversed) to code or commands."""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Iterator

from snakewarden.analysis.context import ScanContext
from snakewarden.analysis.rule import RuleMeta
from snakewarden.analysis.rules._common import Emitter, best_per_file, parsed
from snakewarden.core.models import Finding, Severity

META = RuleMeta(
    id="encoded-payload",
    description="a string literal decodes (base64/hex/zlib/reversed) to code, commands or URLs",
    severity=Severity.HIGH,
    category="threat.obfuscation.encoded_payload",
)
MIN_LEN = 16
MAX_DECODE = 256 * 1024
MAX_CANDIDATES = 400
MAX_SEARCH = 50_000
_B64 = re.compile(r"[A-Za-z0-9+/\s]+={0,2}|[A-Za-z0-9_\-\s]+={0,2}")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
#: What decoded code and commands look like.
DANGER = re.compile(
    r"\bimport\s+(os|sys|subprocess|socket|base64|requests|urllib|ctypes|zlib|marshal|platform|"
    r"getpass|shutil|tempfile|winreg|threading)\b|\bexec\s*\(|\beval\s*\(|os\.system|subprocess|"
    r"powershell|/bin/(ba)?sh|cmd(\.exe)?\s+/c|socket\.|__import__|Invoke-|\bcurl\s|"
    r"\bwget\s|urlopen|requests\.(get|post)|\.exe\b|webhook|start\s+/b",
    re.IGNORECASE,
)


_URL = re.compile(r"https?://[\w.-]+")


def _printable(data: bytes) -> bool:
    if not data:
        return False
    sample = data[:2000]
    good = sum(1 for b in sample if 32 <= b < 127 or b in (9, 10, 13))
    return good / len(sample) > 0.9


def _inflate(data: bytes) -> bytes | None:
    if data[:1] != b"x" and data[:2] != b"\x1f\x8b":
        return None
    try:
        d = zlib.decompressobj(47 if data[:2] == b"\x1f\x8b" else 15)
        return d.decompress(data, MAX_DECODE)
    except zlib.error:
        return None


def decode_layers(text: str) -> tuple[str, str] | None:
    """(how, decoded text) when ``text`` decodes to printable text, else None."""
    raw = text.strip()
    if len(raw) > MAX_DECODE:
        raw = raw[:MAX_DECODE]
    decoded: bytes | None = None
    how = ""
    if raw[:2] in ("x\x9c", "x\xda", "x^", "x\x01") and len(raw) >= MIN_LEN:
        # a zlib stream written as a bytes literal (facts keep bytes as latin-1 text)
        inflated = _inflate(raw.encode("latin-1", "replace"))
        if inflated is not None and _printable(inflated):
            return "zlib", inflated.decode("utf-8", "replace")
        return None
    if _HEX.fullmatch(raw) and len(raw) >= MIN_LEN:
        decoded, how = bytes.fromhex(raw), "hex"
    elif _B64.fullmatch(raw) and len(raw.replace("\n", "")) >= MIN_LEN:
        compact = "".join(raw.split())
        try:
            if "-" in compact or "_" in compact:
                decoded = base64.urlsafe_b64decode(compact + "=" * (-len(compact) % 4))
            else:
                decoded = base64.b64decode(compact + "=" * (-len(compact) % 4))
            how = "base64"
        except (binascii.Error, ValueError):
            decoded = None
    if decoded is None:
        return None
    inflated = _inflate(decoded)
    if inflated is not None:
        decoded, how = inflated, how + "+zlib"
    if not _printable(decoded):
        return None
    return how, decoded.decode("utf-8", "replace")


class _Rule:
    meta = META

    def check(self, ctx: ScanContext) -> Iterator[Finding]:
        emit = Emitter(META)
        out: list[Finding] = []
        for src, facts in parsed(ctx):
            tried = 0
            for s in facts.strings:
                zlib_like = s.value[:2] in ("x\x9c", "x\xda", "x^", "x\x01")
                if len(s.value) < MIN_LEN or (" " in s.value[:200].strip() and not zlib_like):
                    continue
                tried += 1
                if tried > MAX_CANDIDATES:
                    break
                found = decode_layers(s.value)
                if found is None:
                    rev = s.value[-MAX_SEARCH:][::-1]
                    if (
                        len(s.value) >= 24
                        and DANGER.search(rev)
                        and not DANGER.search(s.value[:MAX_SEARCH])
                    ):
                        found = ("reversed", rev)
                    else:
                        continue
                how, text = found
                text = text[:MAX_SEARCH]
                match = DANGER.search(text)
                if match is None:
                    url = _URL.search(text)
                    if url is not None and how != "reversed":
                        out.append(
                            emit.at(
                                src,
                                s.line,
                                s.scope,
                                0.6,
                                f"{how}-encoded literal hides a URL",
                                floor=0.45,
                                evidence=f"{how}: {text[url.start() : url.start() + 120]}",
                            )
                        )
                    continue
                hits = len({m.group(0).lower() for m in DANGER.finditer(text)})
                base = 0.55 if hits == 1 else 0.75
                snippet = text[max(0, match.start() - 40) : match.start() + 120]
                out.append(
                    emit.at(
                        src,
                        s.line,
                        s.scope,
                        base,
                        f"{how}-encoded literal hides code or a command",
                        floor=0.6,
                        evidence=f"{how}: {snippet}",
                    )
                )
        yield from best_per_file(out)


RULE = _Rule()
