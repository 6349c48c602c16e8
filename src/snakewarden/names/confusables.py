"""Look-alike characters and keyboard geometry: the raw material of typosquats."""

from __future__ import annotations

import re
import unicodedata

#: QWERTY neighbours (same row and the rows above and below), digits included.
_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard() -> dict[str, frozenset[str]]:
    pos: dict[str, tuple[int, int]] = {}
    for r, row in enumerate(_ROWS):
        for c, ch in enumerate(row):
            # Each row sits about half a key to the right of the row above it.
            pos[ch] = (r, c)
    near: dict[str, set[str]] = {ch: set() for ch in pos}
    for a, (ra, ca) in pos.items():
        for b, (rb, cb) in pos.items():
            if a == b:
                continue
            if (ra == rb and abs(ca - cb) == 1) or (abs(ra - rb) == 1 and cb - ca in (0, -1, 1)):
                near[a].add(b)
    return {k: frozenset(v) for k, v in near.items()}


KEYBOARD_NEIGHBOURS: dict[str, frozenset[str]] = _keyboard()

#: Characters that read alike in names (ASCII). Applied to both sides of a comparison.
_ASCII_LOOKALIKE = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t"})
_MULTI_LOOKALIKE = re.compile(r"rn|vv|cl")
_MULTI_MAP = {"rn": "m", "vv": "w", "cl": "d"}

#: Non-ASCII letters that look like ASCII ones and survive NFKC (Cyrillic, Greek, IPA...).
_UNICODE_LOOKALIKE = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
        "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g", "ɩ": "i",
        "ɑ": "a", "ο": "o", "α": "a", "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "ι": "i",
        "κ": "k", "χ": "x", "ε": "e", "ω": "w", "β": "b", "ℓ": "l", "ı": "i", "ȷ": "j",
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", "․": ".", "＿": "_",
    }
)  # fmt: skip


def fold_unicode(name: str) -> str:
    """``name`` with compatibility forms (fullwidth, ligatures) and look-alike letters made ASCII.

    Accents are dropped (``é`` -> ``e``); what remains non-ASCII is kept as is.
    """
    text = unicodedata.normalize("NFKC", name).translate(_UNICODE_LOOKALIKE)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def skeleton(canonical: str) -> str:
    """A key under which names that read alike collide (``rn``/``m``, ``l``/``1``, ``0``/``o``).

    Takes a canonical (PEP 503) name; separators are dropped.
    """
    text = canonical.replace("-", "").translate(_ASCII_LOOKALIKE)
    return _MULTI_LOOKALIKE.sub(lambda m: _MULTI_MAP[m.group(0)], text)
