"""What the model sees of an item: named features with values, the same at training and at run
time, and the words behind them (for the reasons).

Namespaces (prefix before the colon):

``t``  word stems of the title and the section heading path
``l``  word stems of the lede (the first 300 characters of the text)
``w``  word stems of everything (title, headings, text; of a long text the first
       ``LEDE_CHARS + BODY_CHARS`` characters: a long guide section costs little more than a
       short item, and the vocabulary's evidence in ``r``/``R`` still covers all of it)
``b``  pairs of consecutive stems (``b:trer_i``, ``b:fra_midnatt``), within the title and
       headings, and within the lede
``c``  character 5-grams inside words of six letters or more, in the title, headings
       and lede (compounds: ``smittekarantenen`` shares ``karan``/``arant`` with
       ``karantene``); pairs and n-grams of the body cost much on long texts and added
       nothing on dev, and 4-grams beside the 5-grams (a third of all features of an
       item) left every dev figure as it was
``u``  stems of the address path and the host (``u:nettpub``, ``u:@lovdata.no``)
``r``  the vocabulary's score for a subtopic (``r:vaksinasjon``, score / 12, at most 1)
``R``  the vocabulary alone tags the subtopic (``R:karantene``: 1)
``U``  an urgency rule of the vocabulary fires (``U:regelverk``: 1)
``k``  the change verb (``k:new``, ``k:changed``, ``k:removed``)
``x``  cues for urgency, in title and lede (bokmål and nynorsk; ``CUES``): a near start
       (``x:near``: "fra/frå i dag, i morgen, midnatt, mandag/måndag …, 1. mars"), a time
       of day announced (``x:clock``: "i dag klokka 12", "kl. 13.00"), entry into force
       (``x:inforce``), binding words (``x:binding``: må, skal, påbud, forbud, vedtatt),
       advice (``x:advice``: bør, anbefaler, tilrår), a proposal or consultation
       (``x:proposal``), something already held (``x:past``: "holdt/heldt … pressekonferanse");
       and implied topics in the whole text: staying home with close contacts named
       (``x:contact_home``: quarantine) or with the ill named (``x:ill_home``: isolation);
       words of sectors outside health in title and lede (``x:offdomain``: fisheries,
       traffic, wills, Nødvarsel, hunting, farming)

Within each of ``t l w b c u`` every feature present counts 1 and the namespace is scaled to
length 1 (``c`` and ``l`` to length 2: ``SPACE_WEIGHTS``), so a long text does not outweigh
its title. Stems come from ``terms.stem`` (the light bokmål/nynorsk stemmer); pure numbers
are left out. Each distinct word is analysed once per process (bounded memo).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise
from urllib.parse import urlsplit

from feeds.classify.rules import BODY_HEAD_CHARS, Evidence
from feeds.classify.terms import URL_WORD_RE, normalise, split_words, stem

LEDE_CHARS = 300
#: of the body after the lede; the vocabulary's evidence (r, R) reads it all. The scan splits
#: the body's head once for both (``rules.Scanned.body_head``).
BODY_CHARS = BODY_HEAD_CHARS
RULE_SCORE_SCALE = 12.0
_CHAR_MIN_WORD = 6
_CHAR_SIZES = (5,)
_SCALED = ("t", "l", "w", "b", "c", "u")
# The length of a namespace's vector (1 unless named here). A longer vector is in effect
# regularised less by the L2 penalty: the character 5-grams (many per item, so each one
# small) and the lede at length 2 lifted cross-validated micro-F1 0.874 -> 0.883 (round 7,
# docs/classification.md).
SPACE_WEIGHTS: dict[str, float] = {"c": 2.0, "l": 2.0}
_DAYS = (
    r"(?:i dag|i morgon|i morgen|i kveld|i natt|natt til \w+|midnatt|helga|helgen|"
    r"mandag|måndag|tirsdag|tysdag|onsdag|torsdag|fredag|laurdag|lørdag|søndag|sundag|"
    r"neste veke|neste uke|\d{1,2}\.\s?\w+)"
)
CUES: dict[str, re.Pattern[str]] = {
    "near": re.compile(rf"\b(?:fra|frå|fom|f\.o\.m\.|innen|innan|seinast|senest) {_DAYS}"),
    "clock": re.compile(r"\b(?:klokka|klokken|kl\.?) ?\d{1,2}(?:[.:]\d\d)?\b"),
    "inforce": re.compile(
        r"\b(?:trer i kraft|trådte i kraft|tek til å gjelde|tar til å gjelde|"
        r"gjelder fra|gjeld frå|gjelder fra og med|settes i kraft|vert sett i kraft|"
        r"oppheves|blir oppheva|vert oppheva|gjeninnføres|innføres|innførast)\b"
    ),
    "binding": re.compile(
        r"\b(?:må|skal|påbud|påbod|forbud|forbod|vedtatt|vedteke|vedtok|fastsatt|fastsett|"
        r"innfører|innfører|pålegg|plikt|plikten|forskrift\w*)\b"
    ),
    "advice": re.compile(r"\b(?:bør|anbefaler|anbefalar|tilrår|rår|råd|oppfordrer|oppmodar)\b"),
    "proposal": re.compile(
        r"\b(?:høring\w*|høyring\w*|forslag\w*|framlegg\w*|foreslår|føreslår|prop\.|"
        r"utkast\w*|vurderer)\b"
    ),
    "past": re.compile(r"\b(?:holdt|heldt|ble holdt|vart halde)\b"),
}
# Outside the health domain (guidelines, principle 3: cod quotas, traffic, digital wills, a
# test of the national alarm system), and sectors like them: word prefixes, in title and lede.
_OFF_DOMAIN = re.compile(
    r"\b(?:nødvarsl\w*|nødvarsel\w*|tyfon\w*|fiske\w*|fiskeri\w*|torsk\w*|laks\w*|sei\b|"
    r"kvote\w*|trafikk\w*|fartsgrens\w*|testament\w*|arvelov\w*|jakt\w*|felling\w*|"
    r"jordbruk\w*|landbruk\w*|villrein\w*|ulv\w*|oppdrett\w*|dyrehald\w*|dyrehold\w*|"
    r"svinepest\w*|reguleringsplan\w*|kommunestyreval\w*|barnehageopptak\w*)"
)
# Implied topics (guidelines, principle 2): who is told to stay at home, sentence by
# sentence in the whole text; ``x:contact_home``: close contacts (quarantine),
# ``x:ill_home``: the ill or infected, no contacts named (isolation).
_HOME = re.compile(
    r"\b(?:holde seg hjemme|halde seg heime|være hjemme|vere heime|bli hjemme|bli heime|"
    r"holde seg i \w+|halde seg i \w+)\b"
)
_SENTENCE = re.compile(r"[.!?;]\s|\s/\s")
_NOT_HOME = re.compile(r"\b(?:ikke|ikkje|ikkje treng å|slipper å|slepp å)\s+(?:\w+\s+){0,2}$")


def _told_home(text: str) -> bool:
    """Someone is told to stay home: a stay-home phrase not negated just before ("trenger
    ikke holde seg hjemme", "treng ikkje halde seg heime")."""
    return any(
        not _NOT_HOME.search(text, max(0, m.start() - 40), m.start()) for m in _HOME.finditer(text)
    )


_CONTACT = re.compile(r"\b(?:nærkontakt\w*|husstandsmedlem\w*|bor sammen med|bur saman med)")
_ILL = re.compile(r"\b(?:syke|sjuke|smittet|smitta|smittede|positiv\w*|symptom\w*|sår\w*)\b")


def _fast(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern without its leading ``\\b``: it matches wherever the pattern does, and
    ``re`` scans for it several times faster (a leading assertion defeats its search for the
    first character), so ``_fast(p).search(t) and p.search(t)`` is ``p.search(t)``, cheaper
    on the usual text where neither matches."""
    return re.compile(pattern.pattern.removeprefix(r"\b"), pattern.flags)


_CUE_SEARCHES = tuple((f"x:{name}", _fast(p).search, p.search) for name, p in CUES.items())
# Every match of _HOME holds one of these words, and starts at most this many characters
# before it ("holde seg " before "hjemme", "holde " before "seg i ")
_HOME_ANCHORS = (("hjemme", 12), ("heime", 12), ("seg i ", 8))
_ANCHOR_1, _ANCHOR_2, _ANCHOR_3 = (anchor for anchor, _ in _HOME_ANCHORS)  # all three
_HOME_AFTER = 40  # characters after the anchor searched ("seg i \w+")


def _stays_home_anywhere(text: str) -> bool:
    """``_HOME.search(text)``, but searching only around each anchor word: the whole-text
    search costs ~0.1 ms on a 3 KB section, the anchors (``str.find``) a few microseconds.
    A match found in a window is confirmed on the whole text at the same start."""
    for anchor, before in _HOME_ANCHORS:
        at = text.find(anchor)
        while at >= 0:
            end = at + len(anchor)
            if anchor[-1] != " " and end < len(text) and text[end].isalnum():
                at = text.find(anchor, end)  # inside a longer word (hjemmetjenesten)
                continue
            found = _HOME.search(text, max(0, at - before), end + _HOME_AFTER)
            if found and _HOME.match(text, found.start()):
                return True
            at = text.find(anchor, at + 1)
    return False


class Features:
    """Feature name -> value; ``surface(name)`` is the word (or word pair) as written behind
    a word feature, for the reasons (looked up only when a reason is written)."""

    __slots__ = ("_fields", "values")

    def __init__(self, values: dict[str, float], fields: Sequence[tuple[str, list[str]]]):
        self.values = values
        self._fields = fields  # (spaces, words) as extracted

    def surfaces(self, names: Iterable[str]) -> dict[str, str]:
        """The first word (or word pair) as written behind each of ``names`` (word features
        only), scanning the fields in order and stopping once all are found."""
        wanted = set(names)
        found: dict[str, str] = {}
        for spaces, words in self._fields:
            before = previous = ""
            for word in words:
                if word.isdigit():
                    before = previous = ""
                    continue
                stemmed = _word(word)[0]
                for space in spaces:
                    name = f"{space}:{stemmed}"
                    if name in wanted and name not in found:
                        found[name] = word
                pair = f"b:{previous}_{stemmed}"
                if previous and pair in wanted and pair not in found:
                    found[pair] = f"{before} {word}"
                before, previous = word, stemmed
                if len(found) == len(wanted):
                    return found
        return found


@lru_cache(maxsize=50_000)
def _word(word: str) -> tuple[str, tuple[str, ...]]:
    """A normalised word's stem and its character n-grams as feature names (none for short
    words)."""
    if len(word) < _CHAR_MIN_WORD:
        return stem(word), ()
    padded = f"<{word}>"
    grams = tuple(f"c:{padded[i : i + n]}" for n in _CHAR_SIZES for i in range(len(padded) - n + 1))
    return stem(word), grams


def _split_lede(text: str) -> tuple[str, str]:
    if len(text) <= LEDE_CHARS:
        return text, ""
    cut = text.rfind(" ", 0, LEDE_CHARS)
    cut = LEDE_CHARS if cut <= 0 else cut
    return text[:cut], text[cut:]


class _Builder:
    __slots__ = ("fields", "spaces")

    def __init__(self) -> None:
        self.spaces: dict[str, set[str]] = {name: set() for name in _SCALED}
        self.fields: list[tuple[str, list[str]]] = []

    def words(self, words: list[str], spaces: str) -> None:
        """Stems into each of ``spaces``, pairs into ``b``, character n-grams into ``c``."""
        self.fields.append((spaces, words))
        if spaces == "w":
            # the body's head gives stems only (no pairs, no n-grams), so each distinct word
            # is stemmed once: in order of first occurrence the words bring the same stems,
            # first seen in the same order, so the set below is built alike (and iterates in
            # the same order, which the feature values and so the model's sums follow)
            words = list(dict.fromkeys(words))
        stems = [_word(word)[0] if not word.isdigit() else "" for word in words]
        distinct = set(stems)
        distinct.discard("")
        for space in spaces:
            self.spaces[space].update(f"{space}:{stemmed}" for stemmed in distinct)
        if spaces == "w":  # the body: pairs and n-grams come from the head only
            return
        bigrams = self.spaces["b"]
        bigrams.update(
            f"b:{first}_{second}" for first, second in pairwise(stems) if first and second
        )
        grams = self.spaces["c"]
        for word in set(words):
            grams.update(_word(word)[1])

    def values(self) -> dict[str, float]:
        values: dict[str, float] = {}
        for space, names in self.spaces.items():
            if names:
                weight = SPACE_WEIGHTS.get(space, 1.0)
                values.update(dict.fromkeys(names, weight / math.sqrt(len(names))))
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
    scanned = evidence.scanned
    if scanned is not None and scanned.lede_chars == LEDE_CHARS:
        # the vocabulary's scan: the same normalised fields, split once
        texts, words = scanned.texts, scanned.words
        lede, body = texts["lede"], texts["body"]
        head_text = " / ".join(t for t in (texts["title"], texts["section"]) if t or section_path)
        builder.words([*words["title"], *words["section"]], "tw")
        builder.words(words["lede"], "lw")
        # the body's words, or those of its first BODY_CHARS characters when it is longer
        head = scanned.body_head
        builder.words(words["body"] if head is None else head, "w")
    else:
        lede, body = _split_lede(normalise(text))
        head_text = normalise(" / ".join([title, *section_path]))
        builder.words(split_words(head_text), "tw")
        builder.words(split_words(lede), "lw")
        builder.words(split_words(body[:BODY_CHARS]), "w")
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
    cue_text = f"{head_text} / {lede}"
    for name, fast, search in _CUE_SEARCHES:
        if fast(cue_text) and search(cue_text):
            values[name] = 1.0
    if _OFF_DOMAIN.search(cue_text):  # the pattern as it is (without \b: slower, see _fast)
        values["x:offdomain"] = 1.0
    values.update(_who_stays_home(f"{cue_text} {body}"))
    return Features(values, builder.fields)


def _who_stays_home(text: str) -> dict[str, float]:
    """``x:contact_home`` when one sentence tells close contacts to stay home;
    ``x:ill_home`` when one tells the ill or infected (and names no contacts)."""
    cues: dict[str, float] = {}
    if not _stays_home_anywhere(text):
        return cues
    for sentence in _SENTENCE.split(text):
        # every match of _HOME holds an anchor (_HOME_ANCHORS): a sentence without one tells
        # no one to stay home, and three substring tests cost less than the search
        if _ANCHOR_1 not in sentence and _ANCHOR_2 not in sentence and _ANCHOR_3 not in sentence:
            continue
        if not _told_home(sentence):
            continue
        if _CONTACT.search(sentence):
            cues["x:contact_home"] = 1.0
        elif _ILL.search(sentence):
            cues["x:ill_home"] = 1.0
    return cues
