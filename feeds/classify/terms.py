"""Words and terms: Norwegian normalisation, a light stemmer and the term matcher.

Part of the classifier (``feeds.classify``), which re-exports ``normalise``, ``stem`` and
``ClassifyDataError``; ``Matcher``, ``Hit``, ``Target``, ``WORD_RE`` and ``URL_WORD_RE`` are
for ``feeds.classify.taxonomy`` and ``feeds.classify`` only. Pure: no I/O.

How a field is matched
    1. The text is normalised once (Unicode NFC, lower case, soft hyphens and zero-width
       characters removed) and split into words (``split_words``, the words of ``WORD_RE``:
       runs of letters and digits).
    2. Every distinct word is analysed once and memoised per matcher: a light bokmål/nynorsk
       stemmer strips inflectional endings (``vaksinane`` -> ``vaksin``, ``sykehjemmet`` ->
       ``sykehjem``), then dictionary look-ups find whole-word terms (stem equality, so
       ``test`` never hits ``testament`` and ``tisk`` never hits ``fisk``), exact forms,
       prefixes, compound heads (``smittekarantene`` ends in ``karantene``) and infixes.
       Multi-word phrases are matched on the sequence of stems, so ``brev til kommunene`` also
       matches nynorsk ``brev til kommunane``.
    3. Each match is a ``Hit``: which ``Target`` (subtopic, exclude, urgency term) it gives
       evidence to, in which field, at which word positions, with the words as written.
       ``Matcher.scan_grouped`` gives a field's hits with each distinct word once
       (``FieldHits``): what the classifier needs, and much cheaper than a hit per
       occurrence when words repeat. Phrases are only tried where a phrase's first stem
       occurs (tests/test_classify.py checks the hits against a hit-per-occurrence scan).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress
from typing import NamedTuple

__all__ = [
    "URL_WORD_RE",
    "WORD_RE",
    "ClassifyDataError",
    "FieldHits",
    "Hit",
    "Matcher",
    "Target",
    "WordHits",
    "normalise",
    "normalise_nfc",
    "split_words",
    "stem",
]


class ClassifyDataError(ValueError):
    """The taxonomy or gazetteer data is malformed, or a caller named an unknown subtopic."""


# --------------------------------------------------------------------------- normalising

_INVISIBLE = ("\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
WORD_RE = re.compile(r"[^\W_]+")
URL_WORD_RE = re.compile(r"[^\W\d_]+")
_SUFFIXES = (
    "endes", "andes", "ernes", "ende", "ande", "enes", "anes", "erne", "ene", "ane", "ens",
    "ers", "ars", "ets", "er", "ar", "en", "et", "a", "e",
)  # fmt: skip
_AGENT_SUFFIXES = ("er", "ar")
_MIN_AGENT_STEM = 4
_MIN_STEM = 3
_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")


def normalise(text: str) -> str:
    """NFC, lower case, without soft hyphens and zero-width characters."""
    return normalise_nfc(unicodedata.normalize("NFC", text))


def normalise_nfc(text: str) -> str:
    """``normalise`` of a text that is NFC already (NFC of it is itself): the same result
    without the NFC pass, whose quick check alone reads the whole text again."""
    if not text.isascii():
        for char in _INVISIBLE:
            if char in text:
                text = text.replace(char, "")
    return text.lower()


def split_words(text: str) -> list[str]:
    """``WORD_RE.findall(text)``, about twice as fast on prose: most whitespace-separated
    tokens are one word (``str.isalnum`` is what ``[^\\W_]`` matches), only the others,
    with punctuation attached, go through the regex."""
    words: list[str] = []
    for token in text.split():
        if token.isalnum():
            words.append(token)
        else:
            words += WORD_RE.findall(token)
    return words


def stem(word: str) -> str:
    """Light bokmål/nynorsk stemmer: strip one inflectional ending, then undouble.

    Only inflection is removed (``vaksinene``, ``vaksinar`` -> ``vaksin``; ``testen`` ->
    ``test``), never derivation (``dosering`` stays ``dosering``), and at least three
    letters remain. Agent nouns in -er/-ar lose that ending in every form, so ``veileder``,
    ``veilederen`` and ``koronaveilederne`` agree (``veiled``); a doubled final consonant is
    undoubled so that ``sykehjemmet`` and ``sykehjem`` agree. Expects a normalised word.
    """
    word = _strip(word, _SUFFIXES_BY_LAST.get(word[-1:], ()))
    if word.endswith(_AGENT_SUFFIXES) and len(word) >= _MIN_AGENT_STEM + 2:
        word = _strip(word, _AGENT_SUFFIXES)
    if len(word) > _MIN_STEM and word[-1] == word[-2] and word[-1] in _CONSONANTS:
        word = word[:-1]
    return word


# The suffixes by their last letter, each group in the order of _SUFFIXES: only those ending
# in a word's last letter can end the word, so trying them alone strips what _SUFFIXES would
_SUFFIXES_BY_LAST = {
    last: tuple(suffix for suffix in _SUFFIXES if suffix[-1] == last)
    for last in {suffix[-1] for suffix in _SUFFIXES}
}


def _strip(word: str, suffixes: Sequence[str]) -> str:
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


# --------------------------------------------------------------------------- term matching


@dataclass(frozen=True, slots=True)
class Target:
    """Who a pattern gives evidence to: ``s:<slug>`` (subtopic), ``x:<slug>`` (exclude),
    ``u:<rule>`` (urgency term), ``w:<rule>`` (urgency 'with') or ``n:<rule>`` (veto).
    ``kind`` and ``name`` are the owner's two parts ("s", "<slug>")."""

    owner: str
    weight: int
    term: str
    kind: str = field(init=False, repr=False, compare=False)
    name: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        kind, _, name = self.owner.partition(":")
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "name", name)


@dataclass(frozen=True, slots=True)
class _Step:
    """One later word of a phrase: same stem, word prefix ("x*") or compound head ("*x")."""

    value: str
    mode: str


@dataclass(frozen=True, slots=True)
class _Phrase:
    rest: tuple[_Step, ...]
    target: Target


@dataclass(frozen=True, slots=True)
class Hit:
    """One match in a field: word positions ``start:end``, the words as written and stemmed."""

    target: Target
    field: str
    start: int
    end: int
    surface: str
    key: str


class WordHits(NamedTuple):
    """One distinct word of a field with single-word hits: it hits ``targets`` (in ``scan``
    order) at every position where it occurs, the first being ``first``."""

    word: str
    stem: str
    first: int
    targets: tuple[Target, ...]


class FieldHits(NamedTuple):
    """The hits of one field, grouped. Their *scan order*, which the classifier's ties
    follow: by position, each ``singles`` entry at each position of its word (its targets in
    order), then the ``phrases`` hits."""

    field: str
    words: Sequence[str]
    singles: tuple[WordHits, ...]
    phrases: tuple[Hit, ...]

    def positions(self, word: str) -> list[int]:
        """Every position of ``word`` in the field, in order."""
        return _positions(self.words, word)


_Info = tuple[str, tuple[Target, ...]]
_CACHE_LIMIT = 200_000


class Matcher:
    """All patterns of a taxonomy, indexed so that each distinct word is analysed once."""

    def __init__(self, min_modifier: int) -> None:
        self.min_modifier = min_modifier
        self._word: dict[str, list[Target]] = {}
        self._exact: dict[str, list[Target]] = {}
        self._prefix: dict[str, list[Target]] = {}
        self._suffix: dict[str, list[Target]] = {}
        self._infix: dict[str, list[Target]] = {}
        self._phrase: dict[str, list[_Phrase]] = {}
        self._phrase2: dict[tuple[str, str], list[_Phrase]] = {}
        # first stem of every phrase -> the second stems of those indexed in _phrase2
        self._phrase_next: dict[str, set[str]] = {}
        self._prefix_lengths: tuple[int, ...] = ()
        self._suffix_lengths: tuple[int, ...] = ()
        self._cache: dict[str, _Info] = {}

    def add(self, pattern: str, owner: str, weight: int) -> None:
        """Add one pattern in the syntax documented in subtopics.json (``_syntax``)."""
        text = normalise(pattern).strip()
        target = Target(owner, weight, text)
        if len(WORD_RE.findall(text)) > 1:
            self._add_phrase(text, target)
        elif text.startswith("*") and text.endswith("*") and len(text) > 2:
            self._put(self._infix, _single_word(text[1:-1], pattern), target)
        elif text.startswith("*"):
            self._put(self._suffix, stem(_single_word(text[1:], pattern)), target)
        elif text.endswith("*"):
            self._put(self._prefix, _single_word(text[:-1], pattern), target)
        elif text.startswith("="):
            self._put(self._exact, _single_word(text[1:], pattern), target)
        else:
            self._put(self._word, stem(_single_word(text, pattern)), target)
        self._prefix_lengths = tuple(sorted({len(key) for key in self._prefix}))
        self._suffix_lengths = tuple(sorted({len(key) for key in self._suffix}))
        self._cache.clear()

    def _add_phrase(self, text: str, target: Target) -> None:
        steps: list[_Step] = []
        for part in text.split():
            words = WORD_RE.findall(part)
            if "=" in part or "*" in part.strip("*") or not words:
                raise ClassifyDataError(f"malformed phrase: {text!r}")
            for position, word in enumerate(words):
                steps.append(_phrase_step(part, word, position, len(words)))
        if steps[0].mode != "stem":
            raise ClassifyDataError(f"phrase must start with a plain word: {text!r}")
        phrase = _Phrase(tuple(steps[1:]), target)
        self._phrase_next.setdefault(steps[0].value, set())
        if steps[1].mode == "stem":  # index on the first two words: fewer candidates to try
            self._phrase2.setdefault((steps[0].value, steps[1].value), []).append(phrase)
            self._phrase_next[steps[0].value].add(steps[1].value)
        else:
            self._phrase.setdefault(steps[0].value, []).append(phrase)

    @staticmethod
    def _put(index: dict[str, list[Target]], key: str, target: Target) -> None:
        index.setdefault(key, []).append(target)

    def analyse(self, word: str) -> _Info:
        """Stem and single-word pattern targets of one normalised word (memoised)."""
        info = self._cache.get(word)
        if info is None:
            info = self._analyse(word)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = info
        return info

    def _analyse(self, word: str) -> _Info:
        word_stem = stem(word)
        found: list[Target] = []
        found += self._word.get(word_stem, ())
        found += self._exact.get(word, ())
        for length in self._prefix_lengths:
            if length > len(word):
                break
            found += self._prefix.get(word[:length], ())
        for length in self._suffix_lengths:
            if length + self.min_modifier > len(word_stem):
                break
            found += self._suffix.get(word_stem[-length:], ())
        for key, targets in self._infix.items():
            if key in word:
                found += targets
        return word_stem, tuple(found)

    def scan_grouped(self, field_name: str, words: Sequence[str]) -> FieldHits:
        """Every single-word and phrase hit in one field's words, the single words grouped
        by distinct word (see ``FieldHits``)."""
        singles: list[WordHits] = []
        stems: dict[str, str] = {}
        starters: list[str] = []
        cache, phrase_next = self._cache, self._phrase_next
        first = -1  # distinct words come in order of first occurrence: search on from there
        for word in dict.fromkeys(words):
            word_stem, targets = cache.get(word) or self.analyse(word)
            stems[word] = word_stem
            if targets:
                first = words.index(word, first + 1)
                singles.append(WordHits(word, word_stem, first, targets))
            if word_stem in phrase_next:
                starters.append(word)
        phrases: list[Hit] = []
        if starters:
            self._find_phrases(field_name, words, stems, starters, phrases)
        return FieldHits(field_name, words, tuple(singles), tuple(phrases))

    def _find_phrases(
        self,
        field_name: str,
        words: Sequence[str],
        stems: Mapping[str, str],
        starters: Iterable[str],
        hits: list[Hit],
    ) -> None:
        """Phrase hits of a field (``stems``: each distinct word's stem) at the words that may
        start one: a phrase begins with their stem and, if it is indexed on its first two
        words, the second stem occurs in the field too."""
        present = set(stems.values())
        first_stems: set[str] = set()
        for word in starters:
            word_stem = stems[word]
            if word_stem in self._phrase or not self._phrase_next[word_stem].isdisjoint(present):
                first_stems.add(word_stem)
        if first_stems:
            # the positions of those words, ascending: where the stem is one of theirs (whether
            # a word may start a phrase depends on its stem alone); one pass in C (compress)
            # where a search per word (list.index) read all the words again for each of them
            word_stems = list(map(stems.__getitem__, words))
            starts = compress(range(len(word_stems)), map(first_stems.__contains__, word_stems))
            self._scan_phrases(field_name, words, word_stems, starts, hits)

    def _fits(self, phrase: _Phrase, words: Sequence[str], stems: Sequence[str], at: int) -> bool:
        for offset, step in enumerate(phrase.rest):
            word, word_stem = words[at + offset], stems[at + offset]
            if step.mode == "prefix":
                ok = word.startswith(step.value)
            elif step.mode == "suffix":
                ok = word_stem.endswith(step.value)
                ok = ok and len(word_stem) >= len(step.value) + self.min_modifier
            else:
                ok = word_stem == step.value
            if not ok:
                return False
        return True

    def _scan_phrases(
        self,
        field_name: str,
        words: Sequence[str],
        stems: Sequence[str],
        starts: Iterable[int],
        hits: list[Hit],
    ) -> None:
        """Phrase hits starting at ``starts`` (ascending word positions)."""
        last = len(stems) - 1
        for index in starts:
            word_stem = stems[index]
            candidates = self._phrase.get(word_stem, [])
            if index < last:
                candidates = candidates + self._phrase2.get((word_stem, stems[index + 1]), [])
            for phrase in candidates:
                end = index + 1 + len(phrase.rest)
                if end <= len(words) and self._fits(phrase, words, stems, index + 1):
                    surface = " ".join(words[index:end])
                    key = " ".join(stems[index:end])
                    hits.append(Hit(phrase.target, field_name, index, end, surface, key))


def _phrase_step(part: str, word: str, position: int, count: int) -> _Step:
    """A '*' applies to the word it touches: "omsorgstjenest*", "*lov", "helse-"."""
    if part.endswith("*") and position == count - 1:
        return _Step(word, "prefix")
    if part.startswith("*") and position == 0:
        return _Step(stem(word), "suffix")
    return _Step(stem(word), "stem")


def _positions(words: Sequence[str], word: str) -> list[int]:
    found: list[int] = []
    index = -1
    try:
        while True:
            index = words.index(word, index + 1)
            found.append(index)
    except ValueError:
        return found


def _single_word(text: str, pattern: str) -> str:
    words = WORD_RE.findall(text)
    if len(words) != 1 or words[0] != text:
        raise ClassifyDataError(f"malformed pattern: {pattern!r}")
    return text
