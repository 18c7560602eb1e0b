"""Stories: the same news on several sources (a press release on regjeringen.no and the news
item about it on helsedirektoratet.no) linked under one ``story_key``, so a reader gets it once.

Pure. Titles are reduced to content words (lower case, accents kept, stop words out, every
word cut to its first 6 letters so 'vaksinasjonen'/'vaksinasjon' meet), then compared by the
overlap of those word sets relative to the shorter title (a news item's title usually restates
the press release's and adds its own framing), seconded by the Jaccard index of their character
4-grams. Two items of different sources published within ``WINDOW`` of each other whose titles
score at least ``THRESHOLD`` are one story; the later item takes the earlier item's key. A
title of fewer than ``MIN_WORDS`` content words never joins a story (too little to tell one
'Ny veileder' from another).

A story groups items; it never hides one. Two items of a story are the same message only when
they say the same thing: ``content_key`` reduces an item's text to its words (case, spacing,
punctuation and markup aside), and a reader is spared only an item whose story *and* content key
they were sent before. A second source that says something else about the story (other
advice, a correction) is sent as an update.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(days=3)
THRESHOLD = 0.7
MIN_WORDS = 3
_STEM = 6
_WORD = re.compile(r"[0-9a-zæøåäöéèüó§-]+", re.I)
_STOP = frozenset(
    """og i på til for av med om som er det en et ein eit den de at fra frå ved etter
    nye ny nytt nytt nå no kan skal vil blir vert har har the a an of to in on for and
    is are with from new""".split()
)


@dataclass(frozen=True)
class StoryRef:
    """A change already stored that may head a story."""

    key: str
    title: str
    at: datetime
    source: str


def words(title: str) -> frozenset[str]:
    """The content words of a title, stemmed to their first letters."""
    found = (w.strip("-").lower() for w in _WORD.findall(title))
    return frozenset(w[:_STEM] for w in found if len(w) > 1 and w not in _STOP)


def _grams(ws: frozenset[str]) -> frozenset[str]:
    return frozenset(w[i : i + 4] for w in ws for i in range(max(1, len(w) - 3)))


def similarity(a: str, b: str) -> float:
    """How alike two titles are, 0..1: the word overlap of the shorter title, unless the
    titles share too few character 4-grams to be about the same thing."""
    wa, wb = words(a), words(b)
    if len(wa) < MIN_WORDS or len(wb) < MIN_WORDS:
        return 0.0
    if _jaccard(_grams(wa), _grams(wb)) < 0.3:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def own_key(title: str, at: datetime, source: str) -> str:
    """A new story's key: stable for the same item, so a re-check gives the same key."""
    return hashlib.sha256(f"{source}\x1f{title}\x1f{at.date()}".encode()).hexdigest()[:32]


def story_key(title: str, at: datetime, source: str, recent: Iterable[StoryRef]) -> str:
    """The key of the story this item belongs to: the best match among ``recent`` items of
    *other* sources within the window, else a key of its own."""
    best: tuple[float, str] | None = None
    for ref in recent:
        if ref.source == source or abs(ref.at - at) > WINDOW:
            continue
        score = similarity(title, ref.title)
        if score >= THRESHOLD and (best is None or score > best[0]):
            best = (score, ref.key)
    return best[1] if best else own_key(title, at, source)


_TEXT_WORD = re.compile(r"\w+")


def content_key(text: str) -> str:
    """What an item says, as a key: its words in order, lower case; equal for the same text
    republished with other spacing, case or punctuation, different for any other wording."""
    found = " ".join(_TEXT_WORD.findall(text.lower()))
    return hashlib.sha256(found.encode()).hexdigest()[:32]
