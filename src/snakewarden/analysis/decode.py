"""Static decoding of literals: the text a base64, hex or zlib literal stands for.

Pure functions over strings and bytes, bounded in size; nothing is ever executed.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

__all__ = ["MAX_DECODE", "MIN_LEN", "decode_layers"]

#: Literals shorter than this are not decoded (too short to hide anything).
MIN_LEN = 16
#: At most this much is decoded, and inflated, per literal.
MAX_DECODE = 256 * 1024
_B64 = re.compile(r"[A-Za-z0-9+/\s]+={0,2}|[A-Za-z0-9_\-\s]+={0,2}")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
#: The ends of base64 literals written backwards whose data is compressed (zlib, gzip).
_REVERSED_MAGIC = ("Je", "Ne", "Is4H")


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
    """(how, decoded text) when ``text`` decodes to printable text, else None. A literal that
    reads as base64 only backwards (its padding comes first: ``"==gbvl2c..."``) is decoded
    reversed, and so is one whose end reads backwards as the start of compressed data in
    base64 (``eJ``, ``eN``: zlib; ``H4sI``: gzip); ``how`` then starts with ``reversed``."""
    raw = text.strip()
    if len(raw) > MAX_DECODE:
        raw = raw[:MAX_DECODE]
    if (
        (raw[:1] == "=" or raw[-4:].endswith(_REVERSED_MAGIC))
        and len(raw) >= MIN_LEN
        and _B64.fullmatch(raw[::-1])
    ):
        found = decode_layers(raw[::-1])
        return (f"reversed {found[0]}", found[1]) if found is not None else None
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
