"""What the model sees of an item: named features with values, the same at training and at run
time, and the words behind them (for the reasons).

Namespaces (prefix before the colon):

``t``  word stems of the title and the section heading path
``l``  word stems of the lede (the first 300 characters of the text)
``w``  word stems of everything (title, headings, text)
``b``  pairs of consecutive stems (``b:trer_i``, ``b:fra_midnatt``), within one field
``c``  character 4- and 5-grams inside words of six letters or more (compounds:
       ``smittekarantenen`` shares ``karan``/``arant`` with ``karantene``)
``u``  stems of the address path and the host (``u:nettpub``, ``u:@lovdata.no``)
``r``  the vocabulary's score for a subtopic (``r:vaksinasjon``, score / 12, at most 1)
``R``  the vocabulary alone tags the subtopic (``R:karantene``: 1)
``U``  an urgency rule of the vocabulary fires (``U:regelverk``: 1)
``k``  the change verb (``k:new``, ``k:changed``, ``k:removed``)

Within each of ``t l w b c u`` every feature present counts 1 and the namespace is scaled to
length 1, so a long text does not outweigh its title. Stems come from ``terms.stem`` (the
light bokmål/nynorsk stemmer); pure numbers are left out. Each distinct word is analysed once
per process (bounded memo).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from feeds.classify.rules import Evidence
from feeds.classify.terms import URL_WORD_RE, normalise, split_words, stem

LEDE_CHARS = 300
RULE_SCORE_SCALE = 12.0
_CHAR_MIN_WORD = 6
_CHAR_SIZES = (4, 5)
_SCALED = ("t", "l", "w", "b", "c", "u")


@dataclass(frozen=True, slots=True)
class Features:
    """Feature name -> value, and for word features the word as written (for reasons)."""

    values: dict[str, float]
    surfaces: dict[str, str]


@lru_cache(maxsize=50_000)
def _word(word: str) -> tuple[str, tuple[str, ...]]:
    """A normalised word's stem and character n-grams (none for short words)."""
    if len(word) < _CHAR_MIN_WORD:
        return stem(word), ()
    padded = f"<{word}>"
    grams = tuple(padded[i : i + n] for n in _CHAR_SIZES for i in range(len(padded) - n + 1))
    return stem(word), grams


def _split_lede(text: str) -> tuple[str, str]:
    if len(text) <= LEDE_CHARS:
        return text, ""
    cut = text.rfind(" ", 0, LEDE_CHARS)
    cut = LEDE_CHARS if cut <= 0 else cut
    return text[:cut], text[cut:]


class _Builder:
    __slots__ = ("spaces", "surfaces")

    def __init__(self) -> None:
        self.spaces: dict[str, set[str]] = {name: set() for name in _SCALED}
        self.surfaces: dict[str, str] = {}

    def words(self, words: Iterable[str], *spaces: str) -> None:
        previous = before = ""
        bigrams = self.spaces["b"]
        grams = self.spaces["c"]
        for word in words:
            if word.isdigit():
                previous = before = ""
                continue
            stemmed, chars = _word(word)
            for space in spaces:
                name = f"{space}:{stemmed}"
                self.spaces[space].add(name)
                self.surfaces.setdefault(name, word)
            grams.update(chars)
            if previous:
                pair = f"b:{previous}_{stemmed}"
                bigrams.add(pair)
                self.surfaces.setdefault(pair, f"{before} {word}")
            previous, before = stemmed, word

    def values(self) -> dict[str, float]:
        values: dict[str, float] = {}
        for space, names in self.spaces.items():
            if not names:
                continue
            weight = 1.0 / math.sqrt(len(names))
            if space == "c":
                values.update((f"c:{gram}", weight) for gram in names)
            else:
                values.update((name, weight) for name in names)
        return values


def extract(
    *,
    title: str,
    text: str,
    url: str,
    section_path: Sequence[str],
    kind: str,
    evidence: Evidence,
) -> Features:
    """The features of one item (``title``, ``text``, ``section_path`` NFC)."""
    builder = _Builder()
    lede, body = _split_lede(normalise(text))
    head = split_words(normalise(" / ".join([title, *section_path])))
    builder.words(head, "t", "w")
    builder.words(split_words(lede), "l", "w")
    builder.words(split_words(body), "w")
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    url_space = builder.spaces["u"]
    if host:
        url_space.add(f"u:@{host}")
    url_space.update(f"u:{stem(w)}" for w in URL_WORD_RE.findall(normalise(parts.path)))
    values = builder.values()
    for slug, score in evidence.scores.items():
        values[f"r:{slug}"] = min(score / RULE_SCORE_SCALE, 1.0)
    for slug in evidence.tags:
        values[f"R:{slug}"] = 1.0
    for rule_id, _ in evidence.urgent_rules:
        values[f"U:{rule_id}"] = 1.0
    values[f"k:{kind or 'new'}"] = 1.0
    return Features(values, builder.surfaces)
