"""Confusable-name detection against a ranked list of popular names (pure).

A candidate is compared with every popular name through precomputed indexes, so one check costs a
few dozen dictionary look-ups plus one small rapidfuzz call, never a loop over the list:

- a deletion neighbourhood (symmetric delete) finds every popular name one edit away: omission,
  insertion, repetition, transposition and (keyboard-neighbour) substitution;
- a look-alike skeleton (``rn``/``m``, ``l``/``1``, ``0``/``o``, Unicode confusables folded first)
  and a separator-free key find names that read alike;
- a sorted-token key finds reordered words (``dateutil-python``);
- stripping generic affixes (``py``, ``python``, ``-dev``, ``-lib``, ``-sdk``, ``-api``, numbers,
  years) finds a popular name wearing a disguise;
- rapidfuzz finds two edits on long, very popular names (their typos need not be single edits).

Every match is scored by how telling its kind is, how popular its target is, and how long the
target is (one edit in a five-letter name is weak evidence, in a fourteen-letter one strong).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from packaging.utils import canonicalize_name
from rapidfuzz import process
from rapidfuzz.distance import OSA

from snakewarden.core.models import Finding, Severity
from snakewarden.names.confusables import KEYBOARD_NEIGHBOURS, fold_unicode, skeleton
from snakewarden.names.families import CURATED_PREFIXES, derive_prefixes, family_of


class NameStatus(StrEnum):
    OK = "ok"
    CONFUSABLE = "confusable"


class Kind(StrEnum):
    """How a name resembles a popular one."""

    UNICODE = "unicode-confusable"
    LOOK_ALIKE = "look-alike"
    SEPARATOR = "separator"
    OMISSION = "omission"
    REPETITION = "repetition"
    INSERTION = "insertion"
    TRANSPOSITION = "transposition"
    KEYBOARD = "keyboard-substitution"
    SUBSTITUTION = "substitution"
    TWO_EDITS = "two-edits"
    SCRAMBLE = "scramble"
    AFFIX = "affix"
    WORD_ORDER = "word-order"


#: How telling each kind is on its own, before popularity and length.
KIND_WEIGHT: dict[Kind, float] = {
    Kind.UNICODE: 1.0,
    Kind.LOOK_ALIKE: 0.95,
    Kind.SEPARATOR: 0.7,
    Kind.WORD_ORDER: 0.7,
    Kind.TRANSPOSITION: 0.95,
    Kind.REPETITION: 0.9,
    Kind.OMISSION: 0.9,
    Kind.KEYBOARD: 0.9,
    Kind.INSERTION: 0.8,
    Kind.SUBSTITUTION: 0.75,
    Kind.TWO_EDITS: 0.7,
    Kind.SCRAMBLE: 0.8,
    Kind.AFFIX: 0.85,
}

#: Affixes count only on the most popular names (below, real projects wear them all the time).
AFFIX_TOP = 100
#: Slips of the finger (doubled letter, swapped letters, neighbouring key) are rarer in real
#: derived names than other edits, so they keep more weight on short names.
_TYPO_KINDS = frozenset({Kind.REPETITION, Kind.TRANSPOSITION, Kind.KEYBOARD})
_TYPO_SIZE_FACTOR = {11: 1.1, 10: 1.05, 9: 1.0, 8: 1.0, 7: 0.9, 6: 0.85, 5: 0.6}
_EDIT_SIZE_FACTOR = {11: 1.1, 10: 1.05, 9: 1.0, 8: 0.95, 7: 0.85, 6: 0.75, 5: 0.6}

#: Letter pairs seen fewer times than this in the popular names are typo-like, more than
#: ``COMMON_PAIR`` times ordinary.
RARE_PAIR = 15
UNUSUAL_PAIR = 80
COMMON_PAIR = 300

#: Two typos in one name count on the most popular names of at least this many letters.
TYPO_TWO_EDIT_TOP = 1000
TYPO_TWO_EDIT_MIN_LEN = 8

#: Longer names are judged ``ok`` unread (real project names are far shorter).
MAX_NAME_LENGTH = 200

#: A name at or above this score is ``confusable``.
CONFUSABLE_AT = 0.67

#: Affixes glued to a popular name without a separator (``pyrequests``, ``requestslib``).
_GLUED_PREFIXES = ("python3", "python", "py3", "py")
_GLUED_SUFFIXES = ("python3", "python", "py3", "py", "dev", "lib", "sdk", "api")
#: Affixes attackers add to a popular name (``python-requests``, ``colorama-py``, ``x-sdk``).
ATTACK_AFFIXES: frozenset[str] = frozenset(
    {"py", "py3", "python", "python3", "python2", "dev", "lib", "sdk", "api", "pkg", "official"}
)
_NUMBER = re.compile(r"^v?\d{1,4}$")
_CANONICAL = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NUMBER_TAIL = re.compile(r"-?v?\d{1,4}$")
_TRAILING_NUMBER = re.compile(r"^(.*?[a-z])v?\d{1,4}$")


@dataclass(frozen=True, slots=True)
class NameVerdict:
    """The judgement of one name. ``similar_to`` is best match first."""

    name: str
    verdict: NameStatus
    similar_to: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    score: float = 0.0

    @property
    def confusable(self) -> bool:
        return self.verdict is NameStatus.CONFUSABLE

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "verdict": self.verdict.value,
            "similar_to": list(self.similar_to),
            "kinds": list(self.kinds),
            "score": self.score,
        }

    def finding(self) -> Finding | None:
        """A finding for the scanner or the audit, or None when the name is ``ok``."""
        if not self.confusable:
            return None
        target = self.similar_to[0]
        return Finding(
            rule="name-confusion",
            category="metadata.name.typosquat",
            severity=Severity.MEDIUM if self.score < 0.85 else Severity.HIGH,
            message=f"the name {self.name!r} imitates the popular project {target!r}",
            evidence=f"{', '.join(self.kinds)}; score {self.score}",
            weight=round(min(0.45, 0.5 * self.score), 3),
        )


@dataclass(frozen=True, slots=True)
class _Match:
    target: int  # index into the ranked list
    kind: Kind
    score: float


@dataclass(slots=True)
class NameChecker:
    """Judges names against ``popular`` (canonical names, most popular first).

    ``extra_targets`` are further names worth imitating that are not themselves popular projects
    (standard-library modules that people ``pip install`` by mistake); they are matched for
    single edits only, at the popularity ``extra_rank``.
    """

    popular: Sequence[str]
    extra_targets: Sequence[str] = ()
    extra_rank: int = 2000
    family_prefixes: frozenset[str] | None = None
    two_edit_top: int = 300
    two_edit_min_len: int = 9
    _names: list[str] = field(init=False, repr=False)
    _index: dict[str, int] = field(init=False, repr=False)
    _popular_count: int = field(init=False, repr=False)
    _near: dict[str, list[int]] = field(init=False, repr=False)
    _skeletons: dict[str, list[int]] = field(init=False, repr=False)
    _compact: dict[str, list[int]] = field(init=False, repr=False)
    _tokens: dict[str, list[int]] = field(init=False, repr=False)
    _long: dict[int, list[str]] = field(init=False, repr=False)
    _squeezed: dict[str, list[int]] = field(init=False, repr=False)
    _compact_names: dict[str, str] = field(init=False, repr=False)
    _anagrams: dict[str, list[int]] = field(init=False, repr=False)
    _bigrams: dict[str, int] = field(init=False, repr=False)
    _affixed: dict[str, int] = field(init=False, repr=False)
    _windows: dict[tuple[str, str, int], list[str]] = field(init=False, repr=False)
    _typo_windows: dict[tuple[str, int], list[str]] = field(init=False, repr=False)
    _brand_rank: list[int] = field(init=False, repr=False)
    _families: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names: list[str] = []
        index: dict[str, int] = {}
        for raw in self.popular:
            name = str(canonicalize_name(raw))
            if name and name not in index:
                index[name] = len(names)
                names.append(name)
        self._popular_count = len(names)
        # A popular name shares the popularity of its brand: "pytorch" and "torch", or
        # "beautifulsoup" and "beautifulsoup4", are imitated for the same users.
        best: dict[str, int] = {}
        for i, name in enumerate(names):
            best.setdefault(_brand(name), i + 1)
        self._brand_rank = [best[_brand(name)] for name in names]
        for raw in self.extra_targets:
            name = str(canonicalize_name(raw))
            if len(name) >= 6 and name not in index:
                index[name] = len(names)
                names.append(name)
        self._names, self._index = names, index
        self._near, self._skeletons, self._compact, self._tokens = {}, {}, {}, {}
        self._long, self._squeezed, self._anagrams, self._compact_names = {}, {}, {}, {}
        for i, name in enumerate(names):
            self._near.setdefault(name, []).append(~i)
            if len(name) >= 4:
                for variant in _deletions(name):
                    self._near.setdefault(variant, []).append(i)
            compact = name.replace("-", "")
            if len(compact) >= 6:
                self._squeezed.setdefault(_squeeze(compact), []).append(i)
                self._anagrams.setdefault("".join(sorted(compact)), []).append(i)
            if i >= self._popular_count:
                continue
            self._skeletons.setdefault(skeleton(name), []).append(i)
            self._compact.setdefault(name.replace("-", ""), []).append(i)
            tokens = name.split("-")
            if len(tokens) > 1:
                self._tokens.setdefault("-".join(sorted(tokens)), []).append(i)
            if i < self.two_edit_top and len(compact) >= self.two_edit_min_len:
                self._long.setdefault(len(compact), []).append(compact)
            if i < TYPO_TWO_EDIT_TOP and len(compact) >= TYPO_TWO_EDIT_MIN_LEN:
                self._compact_names.setdefault(compact, name)
        self._affixed = {}
        for i, name in enumerate(names[: min(AFFIX_TOP, self._popular_count)]):
            if len(name.replace("-", "")) >= 5:
                for variant in _affix_variants(name):
                    self._affixed.setdefault(variant, i)
        self._windows = {}  # (first two letters, last letter, length) -> names two edits away
        for group in self._long.values():
            for target in group:
                for size in range(len(target) - 2, len(target) + 3):
                    key = (target[:2], target[-1], size)
                    self._windows.setdefault(key, []).append(target)
        # (first two letters, length) -> popular names of about that length, for two typos
        self._typo_windows = {}
        for compact in self._compact_names:
            for size in range(len(compact) - 1, len(compact) + 2):
                self._typo_windows.setdefault((compact[:2], size), []).append(compact)
        self._bigrams = {}
        for name in names[: self._popular_count]:
            padded = f"^{name}$"
            for j in range(len(padded) - 1):
                pair = padded[j : j + 2]
                self._bigrams[pair] = self._bigrams.get(pair, 0) + 1
        prefixes = self.family_prefixes
        if prefixes is None:
            prefixes = CURATED_PREFIXES | derive_prefixes(names[: self._popular_count])
        self._families = frozenset(prefixes)

    def __len__(self) -> int:
        return self._popular_count

    def rank(self, name: str) -> int | None:
        """The popularity rank of ``name`` (1 = most popular), or None when not popular."""
        i = self._index.get(canonicalize_name(name))
        return None if i is None or i >= self._popular_count else i + 1

    def is_popular(self, name: str) -> bool:
        return self.rank(name) is not None

    def check_many(self, names: Iterable[str]) -> list[NameVerdict]:
        return [self.check(name) for name in names]

    def check(self, name: str) -> NameVerdict:
        """Judge one name (any spelling: it is folded and PEP 503-normalized first)."""
        raw = name.strip()
        if len(raw) > MAX_NAME_LENGTH:  # no popular name is this long; bound the work
            return NameVerdict(canonicalize_name(raw[:MAX_NAME_LENGTH]), NameStatus.OK)
        if _CANONICAL.fullmatch(raw):  # the common case: already a canonical ASCII name
            canonical = shown = raw
            unicode_trick = False
        else:
            folded = fold_unicode(raw)
            unicode_trick = folded != raw and not raw.isascii()
            canonical = canonicalize_name(folded)
            shown = canonicalize_name(raw)
        popular = self._index.get(canonical, self._popular_count) < self._popular_count
        if unicode_trick and popular:
            return NameVerdict(
                shown, NameStatus.CONFUSABLE, (canonical,), (Kind.UNICODE.value,), 1.0
            )
        if popular or not canonical or not canonical.isascii():
            return NameVerdict(shown, NameStatus.OK)
        if "-" in canonical and family_of(canonical, self._families) is not None:
            return NameVerdict(shown, NameStatus.OK)
        matches = self._matches(canonical)
        if not matches:
            return NameVerdict(shown, NameStatus.OK)
        best: dict[int, _Match] = {}
        for m in matches:
            if m.target not in best or m.score > best[m.target].score:
                best[m.target] = m
        ranked = sorted(best.values(), key=lambda m: (-m.score, self._rank_of(m.target)))[:5]
        top = ranked[0].score
        status = NameStatus.CONFUSABLE if top >= CONFUSABLE_AT else NameStatus.OK
        shown_matches = [m for m in ranked if m.score >= min(top, CONFUSABLE_AT) * 0.8]
        targets = {m.target for m in shown_matches}
        kinds = [m for m in matches if m.target in targets and m.score > 0]
        kinds.sort(key=lambda m: -m.score)
        return NameVerdict(
            shown,
            status,
            tuple(self._names[m.target] for m in shown_matches),
            tuple(dict.fromkeys(m.kind.value for m in kinds)),
            round(top, 3),
        )

    # -- internals -------------------------------------------------------------------------

    def _rank_of(self, index: int) -> int:
        return index + 1 if index < self._popular_count else self.extra_rank

    def _score(self, index: int, kind: Kind) -> float:
        rank = self._rank_of(index)
        length = len(self._names[index].replace("-", ""))
        if kind is Kind.AFFIX:  # popular names wear affixes legitimately all the time
            return KIND_WEIGHT[kind] if rank <= AFFIX_TOP and length >= 5 else 0.0
        if index < self._popular_count:
            rank = self._brand_rank[index]
        popularity = (
            1.0 if rank <= 100 else 0.92 if rank <= 1000 else 0.85 if rank <= 5000 else 0.78
        )
        if kind in (Kind.UNICODE, Kind.LOOK_ALIKE, Kind.SEPARATOR, Kind.WORD_ORDER):
            size = 1.0 if length >= 5 else 0.8
        else:  # edits: the shorter the name, the more real names lie that close by chance
            table = _TYPO_SIZE_FACTOR if kind in _TYPO_KINDS else _EDIT_SIZE_FACTOR
            size = table.get(length, 1.15 if length > 11 else 0.4)
        return min(1.0, KIND_WEIGHT[kind] * popularity * size)

    def _add(self, out: list[_Match], index: int, kind: Kind, factor: float = 1.0) -> None:
        out.append(_Match(index, kind, min(1.0, self._score(index, kind) * factor)))

    def _typo_factor(self, c: str, target: str) -> float:
        """Typos make letter pairs that names rarely contain (``pilkow``); derived names
        (``pynight``, ``docked``) keep to common ones. Compares the rarest new pair."""
        known = f"^{target}$"
        have = {known[j : j + 2] for j in range(len(known) - 1)}
        padded = f"^{c}$"
        new = [padded[j : j + 2] for j in range(len(padded) - 1)]
        rarest = min((self._bigrams.get(p, 0) for p in new if p not in have), default=None)
        if rarest is None:
            return 1.0
        if rarest < RARE_PAIR:
            return 1.15
        if rarest < UNUSUAL_PAIR:
            return 1.05
        return 1.0 if rarest < COMMON_PAIR else 0.9

    def _matches(self, c: str) -> list[_Match]:
        out: list[_Match] = []
        compact = c.replace("-", "")
        for i in self._compact.get(compact, ()):
            if self._names[i] != c:
                self._add(out, i, Kind.SEPARATOR)
        for i in self._skeletons.get(skeleton(c), ()):
            if self._names[i].replace("-", "") != compact:
                self._add(out, i, Kind.LOOK_ALIKE)
        tokens = c.split("-")
        if len(tokens) > 1:
            for i in self._tokens.get("-".join(sorted(tokens)), ()):
                if self._names[i] != c:
                    self._add(out, i, Kind.WORD_ORDER)
        self._one_edit(c, out)
        if len(compact) >= 6:
            squeezed = _squeeze(compact)
            if squeezed != compact:  # letters doubled (once or more), maybe also one edit
                for i in self._squeezed.get(squeezed, ()):
                    if self._names[i].replace("-", "") != compact:
                        self._add(out, i, Kind.REPETITION)
            found = {m.target for m in out}
            for i in self._anagrams.get("".join(sorted(compact)), ()):
                target = self._names[i].replace("-", "")
                if target != compact and target[0] == compact[0] and i not in found:
                    self._add(out, i, Kind.SCRAMBLE)
        if len(compact) >= TYPO_TWO_EDIT_MIN_LEN - 1 and not out:
            self._two_edits(c, compact, out)
        i = self._affixed.get(c, -1)
        if i < 0 and c[-1].isdigit():  # a popular name with a number or a year
            bare = _NUMBER_TAIL.sub("", c)
            i = self._affixed.get(bare, self._index.get(bare, -1)) if len(bare) >= 5 else -1
        if 0 <= i < AFFIX_TOP and self._names[i] != c:
            self._add(out, i, Kind.AFFIX)
        return out

    def _one_edit(self, c: str, out: list[_Match]) -> None:
        # One look-up per deletion variant of c: entries >= 0 are names that give the same
        # variant when one of their letters is deleted, entries < 0 (``~i``) are the name itself.
        near = self._near
        for i in near.get(c, ()):  # c is a popular name with one character left out
            if i >= 0:
                target = self._names[i]
                pos = _first_difference(c, target)
                if target[pos] == "-":
                    continue  # only a separator left out: the separator key judges that
                factor = _position_factor(pos, len(target)) * self._typo_factor(c, target)
                self._add(out, i, Kind.OMISSION, factor * _token_factor(target, pos))
        if len(c) < 5:
            return
        seen: set[int] = set()
        for pos in range(len(c)):
            variant = c[:pos] + c[pos + 1 :]
            entries = near.get(variant)
            if entries is None:
                continue
            for i in entries:
                if i < 0:  # c is the name ~i with one character added
                    if pos and c[pos] == c[pos - 1]:
                        continue  # the same insertion seen at the previous position
                    i = ~i
                    if c[pos] == "-":
                        continue  # only a separator added: the separator key judges that
                    if pos + 1 < len(c) and c[pos + 1] == c[pos]:
                        self._add(out, i, Kind.REPETITION, 0.6 if pos == 0 else 1.0)
                    else:
                        factor = _position_factor(pos, len(c)) * self._typo_factor(c, variant)
                        self._add(out, i, Kind.INSERTION, factor * _token_factor(c, pos))
                elif i not in seen:
                    seen.add(i)
                    target = self._names[i]
                    kind = _same_length_kind(c, target)
                    if kind is not None:
                        where = _first_difference(c, target)
                        factor = _position_factor(where, len(c)) * self._typo_factor(c, target)
                        self._add(out, i, kind, factor * _token_factor(c, where))

    def _two_edits(self, c: str, compact: str, out: list[_Match]) -> None:
        # Two edits keep the first two letters. Long, very popular names: the last letter too
        # (that key keeps rapidfuzz's list to a handful of names, most often none). The top
        # TYPO_TWO_EDIT_TOP names of 8+ letters: when the edits make a letter pair that real
        # names rarely contain (two slips of the finger, ``tensofliw``), and no separator.
        choices = self._windows.get((compact[:2], compact[-1], len(compact)))
        if choices:
            for target, _, _ in process.extract(
                compact, choices, scorer=OSA.distance, score_cutoff=2, limit=3
            ):
                if target != compact:
                    self._add(out, self._index[self._compact_names[target]], Kind.TWO_EDITS)
        if out or "-" in c:
            return
        choices = self._typo_windows.get((compact[:2], len(compact)))
        if not choices:
            return
        for target, _, _ in process.extract(
            compact, choices, scorer=OSA.distance, score_cutoff=2, limit=3
        ):
            typo = self._typo_factor(compact, target)
            if target != compact and typo > 1.0:
                self._add(out, self._index[self._compact_names[target]], Kind.TWO_EDITS, typo)


def _first_difference(a: str, b: str) -> int:
    for pos, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return pos
    return min(len(a), len(b))


def _position_factor(pos: int, length: int) -> float:
    """Typos rarely touch the first letter; legitimate derived names often change the end."""
    if pos == 0:
        return 0.5
    if pos >= length - 1:  # long names keep more: a plural of a 14-letter name is no new word
        return 0.7 if length < 12 else 0.9
    return 1.0


_RUNS = re.compile(r"(.)\1+")


def _squeeze(text: str) -> str:
    """``text`` with runs of one letter made single (``seleeniumm`` -> ``selenium``)."""
    return _RUNS.sub(r"\1", text)


_BRAND_AFFIX = re.compile(r"^(?:python3?-?|py3?-?)|(?:-?python3?|-?py3?|-?v?\d+)$")


def _brand(name: str) -> str:
    """``name`` without separators, a ``py``/``python`` prefix or suffix and a trailing number."""
    compact = name.replace("-", "")
    core = _BRAND_AFFIX.sub("", compact)
    core = _BRAND_AFFIX.sub("", core)
    return core if len(core) >= 4 else compact


def _token_factor(name: str, pos: int) -> float:
    """An edit inside a short word of a longer name (``sv-cli`` / ``sb-cli``) means little."""
    if "-" not in name:
        return 1.0
    start = name.rfind("-", 0, pos) + 1
    end = name.find("-", pos)
    size = (len(name) if end < 0 else end) - start
    return 0.6 if size <= 3 else 1.0


def _deletions(name: str) -> set[str]:
    return {name[:i] + name[i + 1 :] for i in range(len(name))}


def _deletion_list(name: str) -> list[str]:
    return [name[:i] + name[i + 1 :] for i in range(len(name))]


def _same_length_kind(c: str, t: str) -> Kind | None:
    """Substitution or transposition when ``c`` and ``t`` are that one edit apart, else None."""
    if len(c) != len(t) or c == t:
        return None
    diff = [i for i in range(len(c)) if c[i] != t[i]]
    if len(diff) == 1:
        at = diff[0]
        a, b = c[at], t[at]
        if "-" in (a, b):
            return None
        if (a.isdigit() or b.isdigit()) and (
            (a.isdigit() and b.isdigit())
            or (at > 0 and c[at - 1].isdigit())
            or (at + 1 < len(c) and c[at + 1].isdigit())
        ):
            return None  # another number in a number: a variant (cuda11/cuda12), not a typo
        return Kind.KEYBOARD if a in KEYBOARD_NEIGHBOURS.get(b, ()) else Kind.SUBSTITUTION
    if (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and c[diff[0]] == t[diff[1]]
        and c[diff[1]] == t[diff[0]]
    ):
        return Kind.TRANSPOSITION
    return None


def _affix_variants(name: str) -> set[str]:
    """``name`` wearing the affixes attackers use: ``python-name``, ``pyname``, ``name-dev``..."""
    bare = name
    heads = {bare} | {f"{p}{sep}{bare}" for p in _GLUED_PREFIXES for sep in ("", "-")}
    variants = set(heads)
    for head in heads:
        for suffix in ATTACK_AFFIXES:
            variants.add(f"{head}-{suffix}")
            if suffix in _GLUED_SUFFIXES:
                variants.add(f"{head}{suffix}")
    for prefix in ATTACK_AFFIXES - set(_GLUED_PREFIXES):
        variants.add(f"{prefix}-{bare}")
    variants.discard(name)
    return {canonicalize_name(v) for v in variants}
