"""Watched words («стоп-слова»): a pure-Python matcher, no database in it.

A coordinator (per community) or the platform's administrators keep a list of watched
phrases, each with an action: "block" (refuse the text), "hold" (publish after review) or
"flag" (publish, but put it in the queue). `compile_words()` turns such a list into a
`Matcher`; `Matcher.find(text)` says which watched phrases occur in a text and where, and
`Matcher.decide(text)` gives the strongest action among them (block > hold > flag).

How a text is read
------------------
- Words are runs of letters and digits; everything else separates. Zero-width characters
  (U+200B–U+200F, U+2060–U+2064, U+FEFF), the soft hyphen (U+00AD), combining accents and
  «@» (see below) may sit *inside* a word and do not split it.
- Each word is NFKC-normalized, stripped of the invisible characters and of combining
  accents («ду́рак» → «дурак»; «й» keeps its breve), case-folded, ё → е.
- Look-alikes, only inside a word that has at least one Cyrillic letter (a word written all
  in Latin letters is read as Latin, so «cat», «top», «coffee», «TOP» stay English words):
  Latin letters, the digits 0 3 4 6 and «@» are read as the Cyrillic letters they stand
  for («дуpaк» with Latin p and a → «дурак», «д0лб0» → «долбо», «дур@к» → «дурак»).
  The table (`_TO_CYRILLIC`) is case-aware: upper-case B is «в» (or «б»), lower-case b
  is «б» (or «ь», «в»). Such ambiguous letters give several readings of the word, all of
  which are matched (at most `MAX_READINGS`): b → б/ь/в, m → м/т, n → п/н, r → г/р,
  u → и/у. The first choice of each letter makes the word's main reading, the one
  `normalize()` and `tokens()` return.
- The other way round: a word with Latin letters whose Cyrillic letters all have Latin
  look-alikes (а, е, о, р, с, у, х, к, ...) is also read in Latin, so a watched «fuck»
  catches «fuсk» with a Cyrillic «с».
- Letters spelled out one by one: three or more one-character words separated by the same
  short separator (up to 3 characters out of space, «.», «-», «_», «*», «·», «/», «|»,
  «+», «~») are also read as one word («д.у.р.а.к», «д у р а к», «Д-У-Р-А-К»), unless
  they are all digits («3.1.1»). The single letters are matched too, and requiring the
  same separator throughout keeps «и т. д.» apart. This reading exists only inside the
  matcher (`normalize()` and `tokens()` keep the letters apart).
- A watched phrase is read the same way as a text.

How a watched phrase matches
----------------------------
- A watched word matches every form of itself: the words' Snowball stems (Russian for
  Cyrillic words, English for Latin ones, as in `app.search.stem`) are equal. «дурак»
  matches «дураки», «дураков», «ДУРАК», «дурaк»; «ёлка» matches «елки» and back.
- Whole words only: no substring matches. «бля» does not match «бляха» (stem «блях»),
  «рак» does not match «раковина» (stem «раковин»). A word whose forms differ in the
  stem («пёс» / «пса») or a derived word («идиот» / «идиотка») needs a prefix or an
  entry of its own.
- Prefix form: a word written with a trailing «*» matches every word that begins with it
  (after normalization, not stemmed): «мошенн*» matches «мошенники», «мошенничество»;
  «бля*» matches «бляха». A «*» followed directly by a letter is just a separator, and
  there is no suffix form («*рак» is «рак»).
- A phrase of several words matches the same words in the same order, each word by stem
  (or prefix); punctuation and spaces between them do not matter («иди, на ...»).
- A phrase with no letters or digits («***») never matches.

`Matcher.find()` reports every watched phrase found once, with the first place it was
found: `Match.found` is the fragment of the original text (as written, with its Latin
letters or zero-width characters), `Match.start` / `Match.end` its offsets.
`compile_words()` caches its result for equal word lists, and a `Matcher` never changes,
so one may be shared between threads and requests.

Speed: a word's readings are cached (`_word_info`), and a Cyrillic word is stemmed only when
a watched stem may begin it (`Matcher._stem`), so a 20,000-character post is read against
500 watched words in about 5–10 ms (15–25 ms when none of its words were seen before).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from app.search import stem as _stem

# Strongest first: `Matcher.decide()` returns the first of these that matched.
ACTIONS = ("block", "hold", "flag")
SCOPES = ("community", "platform")
_RANK = {action: rank for rank, action in enumerate(ACTIONS)}

# How many readings of one word the look-alike table may give (see the module docstring).
MAX_READINGS = 8

# --- characters -------------------------------------------------------------------------

_ALNUM = r"[^\W_]"
# Combining accents: diacritical marks (U+0300–U+036F), Cyrillic combining marks
# (U+0483–U+0489), their extensions and supplements, combining marks for symbols, half marks.
_MARK_CHARS = "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# Zero-width characters and the soft hyphen: ZWSP, ZWNJ, ZWJ, LRM, RLM, word joiner,
# invisible operators, BOM / ZWNBSP, soft hyphen.
_INVISIBLE_CHARS = "\u00ad\u200b-\u200f\u2060-\u2064\ufeff"

# A word: starts and ends with a letter or digit (and its accents); zero-width characters
# and «@» may join its letters.
_WORD = re.compile(
    rf"{_ALNUM}[{_MARK_CHARS}]*(?:[{_INVISIBLE_CHARS}@]*{_ALNUM}[{_MARK_CHARS}]*)*"
)
# The same without «@»: a word with «@» but no Cyrillic letter («ivan@mail») is split at it.
_WORD_NO_AT = re.compile(
    rf"{_ALNUM}[{_MARK_CHARS}]*(?:[{_INVISIBLE_CHARS}]*{_ALNUM}[{_MARK_CHARS}]*)*"
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]+")
# Accents are dropped, except the breve of «й» (NFD «и» + U+0306).
_MARKS = re.compile(
    "(?<![иИ])\u0306|[\u0300-\u0305\u0307-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff"
    "\u20d0-\u20ff\ufe20-\ufe2f]"
)
_CYRILLIC = re.compile("[\u0400-\u052f]")
_LATIN = re.compile("[A-Za-z]")
# What the Cyrillic reading of a word changes.
_LOOKALIKE = re.compile("[A-Za-z0346@]")

# Separators between letters spelled out one by one.
_SPELLING_SEPARATORS = frozenset(" \u00a0.-_*·/|+~")
_MAX_SEPARATOR = 3
_MIN_SPELLED = 3

# Latin letters (and digits, «@») inside a Cyrillic word: the Cyrillic letters they may
# stand for, the likeliest first. Upper and lower case differ where the shapes do.
_TO_CYRILLIC: dict[str, tuple[str, ...]] = {
    "A": ("а",), "B": ("в", "б"), "C": ("с",), "E": ("е",), "H": ("н",), "K": ("к",),
    "M": ("м",), "O": ("о",), "P": ("р",), "T": ("т",), "X": ("х",), "Y": ("у",),
    "a": ("а",), "b": ("б", "ь", "в"), "c": ("с",), "e": ("е",), "h": ("н",), "k": ("к",),
    "m": ("м", "т"), "n": ("п", "н"), "o": ("о",), "p": ("р",), "r": ("г", "р"),
    "t": ("т",), "u": ("и", "у"), "x": ("х",), "y": ("у",),
    "0": ("о",), "3": ("з",), "4": ("ч",), "6": ("б",), "@": ("а",),
}
# Cyrillic letters inside a Latin word: the Latin letters they look like.
_TO_LATIN: dict[str, str] = {
    "А": "a", "а": "a", "В": "b", "Е": "e", "е": "e", "К": "k", "к": "k", "М": "m",
    "Н": "h", "О": "o", "о": "o", "Р": "p", "р": "p", "С": "c", "с": "c", "Т": "t",
    "У": "y", "у": "y", "Х": "x", "х": "x", "ь": "b", "Ѕ": "s", "ѕ": "s", "І": "i",
    "і": "i", "Ј": "j", "ј": "j", "һ": "h", "Һ": "h", "ԁ": "d", "Ӏ": "l", "ӏ": "l",
    "ԛ": "q", "ԝ": "w",
}


def _strip_marks(value: str) -> str:
    if value.isascii():
        return value
    value = _MARKS.sub("", unicodedata.normalize("NFD", value))
    return unicodedata.normalize("NFC", value)


def _fold(value: str) -> str:
    """Case-folded, accents dropped, ё → е."""
    value = value.casefold()
    if value.isascii():
        return value
    return _strip_marks(value).replace("ё", "е")


def _clean(raw: str) -> str:
    """NFKC, without invisible characters and accents; the case is kept (the look-alike
    table needs it)."""
    return _strip_marks(_INVISIBLE.sub("", unicodedata.normalize("NFKC", raw)))


def _cyrillic_readings(word: str) -> list[str]:
    readings = [""]
    for char in word:
        options = _TO_CYRILLIC.get(char)
        if options is None:
            readings = [reading + char for reading in readings]
            continue
        if len(readings) * len(options) > MAX_READINGS:
            options = options[:1]
        readings = [reading + option for reading in readings for option in options]
    return readings


def _latin_reading(word: str) -> str | None:
    if not _LATIN.search(word):
        return None
    out = []
    for char in word:
        if _CYRILLIC.match(char):
            latin = _TO_LATIN.get(char)
            if latin is None:
                return None
            char = latin
        out.append(char)
    return "".join(out)


def _readings(word: str) -> list[str]:
    """The normalized readings of one cleaned word, its main reading first."""
    if not _CYRILLIC.search(word) or not _LOOKALIKE.search(word):
        return [_fold(word)]
    readings = _cyrillic_readings(word)
    latin = _latin_reading(word)
    if latin is not None:
        readings.append(latin)
    return list(dict.fromkeys(_fold(reading) for reading in readings))


# One word as the matcher sees it: its normalized readings, the main one first; and whether
# it is a single letter or digit (for letters spelled out one by one). Stems are taken only
# when needed (see `Matcher._stem`).
Readings = tuple[str, ...]


@lru_cache(maxsize=65_536)
def _word_info(raw: str) -> tuple[Readings, bool]:
    cleaned = _clean(raw)
    readings = tuple(word for word in _readings(cleaned) if word)
    single = len(cleaned) == 1
    return readings, single


# A word of a text: (start, end, readings, single) -- offsets in the original text.
_Token = tuple[int, int, Readings, bool]


def _scan(text: str) -> list[_Token]:
    out: list[_Token] = []
    for match in _WORD.finditer(text):
        raw = match.group()
        if "@" in raw and not _CYRILLIC.search(raw):
            base = match.start()
            for part in _WORD_NO_AT.finditer(raw):
                readings, single = _word_info(part.group())
                if readings:
                    out.append((base + part.start(), base + part.end(), readings, single))
            continue
        readings, single = _word_info(raw)
        if readings:
            out.append((match.start(), match.end(), readings, single))
    return out


def _is_spelling_separator(gap: str) -> bool:
    return 0 < len(gap) <= _MAX_SEPARATOR and all(c in _SPELLING_SEPARATORS for c in gap)


def _join_spelled(text: str, tokens: list[_Token]) -> tuple[list[_Token], list[int]] | None:
    """The words with every run of letters spelled out one by one («д.у.р.а.к») joined into
    one word, and the positions of the joined words; None when there is no such run. A run
    of digits alone («3.1.1») is left alone."""
    out: list[_Token] = []
    joined: list[int] = []
    i, n = 0, len(tokens)
    while i < n:
        j = i
        if tokens[i][3]:
            separator = None
            while j + 1 < n and tokens[j + 1][3]:
                gap = text[tokens[j][1]:tokens[j + 1][0]]
                if not _is_spelling_separator(gap) or separator not in (None, gap):
                    break
                separator = gap
                j += 1
        raw = ""
        if j - i + 1 >= _MIN_SPELLED:
            raw = "".join(text[start:end] for start, end, _, _ in tokens[i:j + 1])
        if any(char.isalpha() for char in raw):
            joined.append(len(out))
            out.append((tokens[i][0], tokens[j][1], _word_info(raw)[0], False))
            i = j + 1
        else:
            out.append(tokens[i])
            i += 1
    return (out, joined) if joined else None


# --- public helpers -----------------------------------------------------------------------


def normalize(text: str) -> str:
    """The text as the matcher reads it: NFKC, case-folded, ё → е, without zero-width
    characters, the soft hyphen and accents, Latin look-alikes inside Cyrillic words read
    as Cyrillic (each word's main reading). Punctuation and spaces are kept."""
    out = []
    position = 0
    for match in _WORD.finditer(text):
        out.append(_fold(_clean(text[position:match.start()])))
        readings, _ = _word_info(match.group())
        out.append(readings[0] if readings else "")
        position = match.end()
    out.append(_fold(_clean(text[position:])))
    return "".join(out)


def tokens(text: str) -> list[str]:
    """The normalized words of the text (each word's main reading), in order."""
    return [readings[0] for _, _, readings, _ in _scan(text)]


# Longer words are not stemmed (each is its own stem): no Russian or English word is that
# long, and stemming 20,000 letters of «ааааа...» is slow.
_LONGEST_STEMMED = 40


def _stem_of(word: str) -> str:
    return stem_token(word) if len(word) <= _LONGEST_STEMMED else word


def stem_token(token: str) -> str:
    """A normalized word's stem (`app.search.stem`): the Russian Snowball stemmer for
    Cyrillic (any non-ASCII) words, the English one for Latin words; words with digits are
    their own stems."""
    return _stem(token)


# --- watched words ------------------------------------------------------------------------


@dataclass(frozen=True)
class WatchedWord:
    id: int | None
    phrase: str
    action: str  # "block" | "hold" | "flag"
    scope: str = "community"  # or "platform"

    def __post_init__(self):
        if self.action not in _RANK:
            raise ValueError(f"unknown action {self.action!r}")
        if self.scope not in SCOPES:
            raise ValueError(f"unknown scope {self.scope!r}")


@dataclass(frozen=True)
class Match:
    word: WatchedWord
    found: str  # the fragment of the original text, as written
    start: int = 0  # text[start:end] == found
    end: int = 0


# One word of a watched phrase: (is_prefix, the stems -- or the prefixes -- it accepts).
_Element = tuple[bool, frozenset[str]]


def _parse(phrase: str) -> tuple[_Element, ...]:
    elements: list[_Element] = []
    for _, end, readings, _ in _scan(phrase):
        after = phrase[end + 1:end + 2]
        is_prefix = phrase[end:end + 1] == "*" and not (after and _WORD.match(after))
        if is_prefix:
            elements.append((True, frozenset(readings)))
        else:
            elements.append((False, frozenset(_stem_of(word) for word in readings)))
    return tuple(elements)


def _element_matches(element: _Element, readings: Readings) -> bool:
    is_prefix, values = element
    if is_prefix:
        return any(word.startswith(p) for word in readings for p in values)
    return any(_stem_of(word) in values for word in readings)


# How many first letters of a word `Matcher._stem()` looks at before stemming it.
_HEAD = 3


class Matcher:
    """Compiled watched words (see the module docstring). Build with `compile_words()`."""

    def __init__(self, words: Iterable[WatchedWord]):
        self.words: tuple[WatchedWord, ...] = tuple(dict.fromkeys(words))
        self._order = {word: n for n, word in enumerate(self.words)}
        # (word, elements) by the first element's stem, or by its prefix's length and text.
        self._by_stem: dict[str, list[tuple[WatchedWord, tuple[_Element, ...]]]] = {}
        self._by_prefix: dict[int, dict[str, list[tuple[WatchedWord, tuple[_Element, ...]]]]]
        self._by_prefix = {}
        self._longest = 1  # words in the longest phrase
        for word in self.words:
            elements = _parse(word.phrase)
            if not elements:
                continue
            self._longest = max(self._longest, len(elements))
            is_prefix, values = elements[0]
            for value in values:
                index = self._by_prefix.setdefault(len(value), {}) if is_prefix else self._by_stem
                index.setdefault(value, []).append((word, elements))
        self._prefix_lengths = sorted(self._by_prefix)
        # The first letters of the watched stems, for `_stem()`.
        self._short_stems = sorted({len(s) for s in self._by_stem if len(s) < _HEAD})
        self._stem_heads = frozenset(s[:_HEAD] for s in self._by_stem if len(s) >= _HEAD)

    def __bool__(self) -> bool:
        return bool(self._by_stem or self._by_prefix)

    def __repr__(self) -> str:
        return f"<Matcher of {len(self.words)} watched words>"

    def find(self, text: str) -> list[Match]:
        """Every watched phrase found in the text, once, at its first place; in the order of
        the text."""
        if not self or not text:
            return []
        words = _scan(text)
        found: dict[WatchedWord, Match] = {}
        self._find(text, words, range(len(words)), found)
        spelled = _join_spelled(text, words)
        if spelled is not None:
            # Again, only where a match may include a joined word.
            words, joined = spelled
            starts = sorted({start for position in joined
                             for start in range(max(0, position - self._longest + 1),
                                                position + 1)})
            self._find(text, words, starts, found)
        return sorted(found.values(), key=lambda m: (m.start, self._order[m.word]))

    def decide(self, text: str) -> tuple[str | None, list[Match]]:
        """The strongest action among the matches (block > hold > flag; None for none), and
        the matches."""
        matches = self.find(text)
        action = min((m.word.action for m in matches), key=_RANK.__getitem__, default=None)
        return action, matches

    def _find(self, text: str, words: list[_Token], starts: Iterable[int],
              found: dict[WatchedWord, Match]) -> None:
        """Adds to `found` the phrases that begin at the words at `starts` (in order)."""
        by_stem, by_prefix, lengths = self._by_stem, self._by_prefix, self._prefix_lengths
        for i in starts:
            for word in words[i][2]:
                if by_stem:
                    stem = self._stem(word)
                    if stem is not None and stem in by_stem:
                        self._check(text, words, i, by_stem[stem], found)
                for length in lengths:
                    if length > len(word):
                        break
                    candidates = by_prefix[length].get(word[:length])
                    if candidates:
                        self._check(text, words, i, candidates, found)

    def _stem(self, word: str) -> str | None:
        """The word's stem, or None when no watched stem can be it. The Russian Snowball
        stemmer only cuts endings, so a non-ASCII word's stem begins the word: such a word is
        stemmed (the slow part of a first reading) only when a watched stem begins it. Latin
        words, whose English stems may end otherwise («happy» → «happi»), always are."""
        if word.isascii():
            return _stem_of(word)
        if word[:_HEAD] in self._stem_heads:
            return _stem_of(word)
        by_stem = self._by_stem
        for length in self._short_stems:
            if word[:length] in by_stem:
                return _stem_of(word)
        return None

    @staticmethod
    def _check(text, words, i, candidates, found) -> None:
        start = words[i][0]
        for watched, elements in candidates:
            known = found.get(watched)
            if known is not None and known.start <= start:
                continue
            last = i + len(elements) - 1
            if last >= len(words):
                continue
            if all(_element_matches(elements[k], words[i + k][2])
                   for k in range(1, len(elements))):
                end = words[last][1]
                found[watched] = Match(watched, text[start:end], start, end)


@lru_cache(maxsize=64)
def _compile(words: tuple[WatchedWord, ...]) -> Matcher:
    return Matcher(words)


def compile_words(words: Iterable[WatchedWord]) -> Matcher:
    """A `Matcher` for these watched words; equal lists give the same (cached) Matcher."""
    return _compile(tuple(words))
