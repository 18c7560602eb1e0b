"""Classify a detected change: subtopics, regions and urgency, every tag with its reason.

Pure logic: the only I/O is loading the bundled data files once (``load_taxonomy``,
``load_gazetteer``); ``classify`` takes values and returns a frozen ``Classification``.

Approach
========
Subtopics (vocabulary and weights in ``feeds/data/subtopics.json``)
    1. Each field is normalised once (Unicode NFC, lower case, soft hyphens removed) and split
       into words: ``title``, ``section`` (heading path of a changed guide section), ``lede``
       (the first ``lede_chars`` characters of the text), ``body`` (the rest) and ``url`` (the
       words of the address path).
    2. Every distinct word is analysed once and memoised per taxonomy: a light bokmål/nynorsk
       stemmer strips inflectional endings (``vaksinane`` -> ``vaksin``, ``sykehjemmet`` ->
       ``sykehjem``), then dictionary look-ups find whole-word terms (stem equality, so
       ``test`` never hits ``testament`` and ``tisk`` never hits ``fisk``), exact forms,
       prefixes, compound heads (``smittekarantene`` ends in ``karantene``) and infixes.
       Multi-word phrases are matched on the sequence of stems, so ``brev til kommunene`` also
       matches nynorsk ``brev til kommunane``.
    3. Exclude patterns (false friends: ``attest``, ``overdose``, ``isolert sett``) block the
       words they cover for one subtopic.
    4. score = sum of field weight x term weight, each distinct stem counted once per field.
       A subtopic is tagged at ``threshold``; an umbrella (``tisk``) is also tagged when enough
       of its children are. Catalogue subtopics (``source_subtopics``) and address rules
       (``lovdata.no``) always tag.

Regions (``Gazetteer``, from kommuner.csv, fylker.csv, statsforvaltere.csv)
    Capitalised words of the original text are looked up as municipality and county names
    (also Sami/alternative names, genitive ``-s``, ``X-området``). Names that are ordinary
    words or surnames (``Hole``, ``Time``, ``Sola``, ``Lund``) need context: not first in a
    sentence and not after another capitalised word, unless followed by ``kommune``. Names
    that exist twice (``Våler``, ``Herøy``) are tagged only when their county is also evident
    from the item. "Statsforvalteren i X" and statsforvalteren.no addresses tag the office's
    counties. A municipality also adds its county.

Urgency (rules as data in ``subtopics.json``)
    A rule fires on one of its terms in its fields, on its hosts, or on its catalogue
    subtopics, unless one of its veto terms occurs; ``staff_urgent`` always fires.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "Classification",
    "ClassifyDataError",
    "Gazetteer",
    "RegionTag",
    "Subtopic",
    "Tag",
    "Taxonomy",
    "classify",
    "load_gazetteer",
    "load_taxonomy",
    "normalise",
    "stem",
]


class ClassifyDataError(ValueError):
    """The taxonomy or gazetteer data is malformed, or a caller named an unknown subtopic."""


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class Tag:
    """One subtopic given to a change, with the reason it was given."""

    slug: str
    reason: str


@dataclass(frozen=True)
class RegionTag:
    """One municipality ("kommune", number "0301") or county ("fylke", number "03")."""

    code: str
    kind: str
    reason: str


@dataclass(frozen=True)
class Classification:
    """What ``classify`` found: subtopics and regions with reasons, and urgency."""

    subtopics: tuple[Tag, ...]
    regions: tuple[RegionTag, ...]
    urgent: bool
    urgent_reasons: tuple[str, ...]

    @property
    def subtopic_slugs(self) -> tuple[str, ...]:
        return tuple(tag.slug for tag in self.subtopics)

    @property
    def region_codes(self) -> tuple[str, ...]:
        """Municipality and county numbers (a municipality always brings its county)."""
        return tuple(tag.code for tag in self.regions)


@dataclass(frozen=True)
class Subtopic:
    """A subtopic as shown to people: labels in bokmål and nynorsk, group and description."""

    slug: str
    label_nb: str
    label_nn: str
    group: str
    description_nb: str
    description_nn: str


# --------------------------------------------------------------------------- normalising

_INVISIBLE = ("\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
_WORD_RE = re.compile(r"[^\W_]+")
_URL_WORD_RE = re.compile(r"[^\W\d_]+")
_SUFFIXES = (
    "endes", "andes", "ernes", "ende", "ande", "enes", "anes", "erne", "ene", "ane", "ens",
    "ers", "ars", "ets", "er", "ar", "en", "et", "a", "e",
)  # fmt: skip
_AGENT_SUFFIXES = ("er", "ar")
_MIN_AGENT_STEM = 4
_MIN_STEM = 3
_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")
_FIELD_LABELS = {
    "title": "tittel",
    "section": "kapittel",
    "lede": "ingress",
    "body": "tekst",
    "url": "adresse",
}
_FIELD_ORDER = tuple(_FIELD_LABELS)


def normalise(text: str) -> str:
    """NFC, lower case, without soft hyphens and zero-width characters."""
    text = unicodedata.normalize("NFC", text)
    if not text.isascii():
        for char in _INVISIBLE:
            if char in text:
                text = text.replace(char, "")
    return text.lower()


def stem(word: str) -> str:
    """Light bokmål/nynorsk stemmer: strip one inflectional ending, then undouble.

    Only inflection is removed (``vaksinene``, ``vaksinar`` -> ``vaksin``; ``testen`` ->
    ``test``), never derivation (``dosering`` stays ``dosering``), and at least three
    letters remain. Agent nouns in -er/-ar lose that ending in every form, so ``veileder``,
    ``veilederen`` and ``koronaveilederne`` agree (``veiled``); a doubled final consonant is
    undoubled so that ``sykehjemmet`` and ``sykehjem`` agree. Expects a normalised word.
    """
    word = _strip(word, _SUFFIXES)
    if word.endswith(_AGENT_SUFFIXES) and len(word) >= _MIN_AGENT_STEM + 2:
        word = _strip(word, _AGENT_SUFFIXES)
    if len(word) > _MIN_STEM and word[-1] == word[-2] and word[-1] in _CONSONANTS:
        word = word[:-1]
    return word


def _strip(word: str, suffixes: Sequence[str]) -> str:
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


# --------------------------------------------------------------------------- term matching


@dataclass(frozen=True, slots=True)
class _Target:
    """Who a pattern gives evidence to: ``s:<slug>`` (subtopic), ``x:<slug>`` (exclude),
    ``u:<rule>`` (urgency term), ``w:<rule>`` (urgency 'with') or ``n:<rule>`` (veto)."""

    owner: str
    weight: int
    term: str


@dataclass(frozen=True, slots=True)
class _Step:
    """One later word of a phrase: same stem, word prefix ("x*") or compound head ("*x")."""

    value: str
    mode: str


@dataclass(frozen=True, slots=True)
class _Phrase:
    rest: tuple[_Step, ...]
    target: _Target


@dataclass(frozen=True, slots=True)
class _Hit:
    target: _Target
    field: str
    start: int
    end: int
    surface: str
    key: str


_Info = tuple[str, tuple[_Target, ...]]
_CACHE_LIMIT = 200_000


class _Matcher:
    """All patterns of a taxonomy, indexed so that each distinct word is analysed once."""

    def __init__(self, min_modifier: int) -> None:
        self.min_modifier = min_modifier
        self._word: dict[str, list[_Target]] = {}
        self._exact: dict[str, list[_Target]] = {}
        self._prefix: dict[str, list[_Target]] = {}
        self._suffix: dict[str, list[_Target]] = {}
        self._infix: dict[str, list[_Target]] = {}
        self._phrase: dict[str, list[_Phrase]] = {}
        self._phrase2: dict[tuple[str, str], list[_Phrase]] = {}
        self._prefix_lengths: tuple[int, ...] = ()
        self._suffix_lengths: tuple[int, ...] = ()
        self._cache: dict[str, _Info] = {}

    def add(self, pattern: str, owner: str, weight: int) -> None:
        """Add one pattern in the syntax documented in subtopics.json (``_syntax``)."""
        text = normalise(pattern).strip()
        target = _Target(owner, weight, text)
        if len(_WORD_RE.findall(text)) > 1:
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

    def _add_phrase(self, text: str, target: _Target) -> None:
        steps: list[_Step] = []
        for part in text.split():
            words = _WORD_RE.findall(part)
            if "=" in part or "*" in part.strip("*") or not words:
                raise ClassifyDataError(f"malformed phrase: {text!r}")
            for position, word in enumerate(words):
                steps.append(_phrase_step(part, word, position, len(words)))
        if steps[0].mode != "stem":
            raise ClassifyDataError(f"phrase must start with a plain word: {text!r}")
        phrase = _Phrase(tuple(steps[1:]), target)
        if steps[1].mode == "stem":  # index on the first two words: fewer candidates to try
            self._phrase2.setdefault((steps[0].value, steps[1].value), []).append(phrase)
        else:
            self._phrase.setdefault(steps[0].value, []).append(phrase)

    @staticmethod
    def _put(index: dict[str, list[_Target]], key: str, target: _Target) -> None:
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
        found: list[_Target] = []
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

    def scan(self, field_name: str, words: Sequence[str]) -> list[_Hit]:
        """All single-word and phrase hits in one field's words."""
        hits: list[_Hit] = []
        stems: list[str] = []
        for index, word in enumerate(words):
            word_stem, targets = self.analyse(word)
            stems.append(word_stem)
            for target in targets:
                hits.append(_Hit(target, field_name, index, index + 1, word, word_stem))
        self._scan_phrases(field_name, words, stems, hits)
        return hits

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
        self, field_name: str, words: Sequence[str], stems: Sequence[str], hits: list[_Hit]
    ) -> None:
        last = len(stems) - 1
        for index, word_stem in enumerate(stems):
            candidates = self._phrase.get(word_stem, [])
            if index < last:
                candidates = candidates + self._phrase2.get((word_stem, stems[index + 1]), [])
            for phrase in candidates:
                end = index + 1 + len(phrase.rest)
                if end <= len(words) and self._fits(phrase, words, stems, index + 1):
                    surface = " ".join(words[index:end])
                    key = " ".join(stems[index:end])
                    hits.append(_Hit(phrase.target, field_name, index, end, surface, key))


def _phrase_step(part: str, word: str, position: int, count: int) -> _Step:
    """A '*' applies to the word it touches: "omsorgstjenest*", "*lov", "helse-"."""
    if part.endswith("*") and position == count - 1:
        return _Step(word, "prefix")
    if part.startswith("*") and position == 0:
        return _Step(stem(word), "suffix")
    return _Step(stem(word), "stem")


def _single_word(text: str, pattern: str) -> str:
    words = _WORD_RE.findall(text)
    if len(words) != 1 or words[0] != text:
        raise ClassifyDataError(f"malformed pattern: {pattern!r}")
    return text


# --------------------------------------------------------------------------- taxonomy


@dataclass(frozen=True, slots=True)
class _Scoring:
    field_weights: Mapping[str, int]
    threshold: int
    lede_chars: int
    strong: int
    min_weak_terms: int


@dataclass(frozen=True, slots=True)
class _Parent:
    slug: str
    children: tuple[str, ...]
    needed: int


@dataclass(frozen=True, slots=True)
class _UrgencyRule:
    rule_id: str
    reason: str
    fields: frozenset[str]
    hosts: tuple[str, ...]
    source_subtopics: frozenset[str]
    needs_with: bool


class Taxonomy:
    """Subtopics, their compiled matchers and the urgency rules. Immutable once loaded."""

    __slots__ = (
        "_aliases",
        "_by_slug",
        "_groups",
        "_matcher",
        "_parents",
        "_ready",
        "_scoring",
        "_skip_kinds",
        "_staff_reason",
        "_thresholds",
        "_urgency",
        "_url_rules",
        "subtopics",
    )

    def __init__(self, data: Mapping[str, Any]) -> None:
        scoring = data["scoring"]
        weights = scoring["term_weights"]
        self._scoring = _Scoring(
            dict(scoring["field_weights"]),
            int(scoring["threshold"]),
            int(scoring["lede_chars"]),
            int(weights["strong"]),
            int(scoring.get("min_weak_terms", 1)),
        )
        self._matcher = _Matcher(int(scoring["min_compound_modifier"]))
        self._groups: dict[str, tuple[str, str]] = {
            str(g["slug"]): (str(g["label_nb"]), str(g["label_nn"])) for g in data["groups"]
        }
        self.subtopics: tuple[Subtopic, ...] = tuple(
            _subtopic(raw, self._groups) for raw in data["subtopics"]
        )
        self._by_slug = {topic.slug: topic for topic in self.subtopics}
        if len(self._by_slug) != len(self.subtopics):
            raise ClassifyDataError("duplicate subtopic slug")
        self._aliases = _aliases(data["subtopics"], self._by_slug)
        self._thresholds = {
            raw["slug"]: int(raw.get("threshold") or self._scoring.threshold)
            for raw in data["subtopics"]
        }
        self._parents = tuple(_parents(data["subtopics"], self._by_slug))
        for raw in data["subtopics"]:
            self._add_terms(raw, int(weights["strong"]), int(weights["weak"]))
        self._url_rules = tuple(
            (rule["host"], tuple(self.canonical(s) for s in rule["subtopics"]))
            for rule in data.get("url_rules", ())
        )
        urgency = data["urgency"]
        self._skip_kinds = frozenset(urgency["skip_kinds"])
        self._staff_reason = str(urgency["staff_reason"])
        self._urgency = tuple(self._add_rule(raw) for raw in urgency["rules"])
        self._ready = True

    def __setattr__(self, name: str, value: object) -> None:
        if getattr(self, "_ready", False):
            raise AttributeError("a Taxonomy is immutable once loaded")
        object.__setattr__(self, name, value)

    def _add_terms(self, raw: Mapping[str, Any], strong: int, weak: int) -> None:
        slug = raw["slug"]
        for pattern in raw.get("strong", ()):
            self._matcher.add(pattern, f"s:{slug}", strong)
        for pattern in raw.get("weak", ()):
            self._matcher.add(pattern, f"s:{slug}", weak)
        for pattern in raw.get("exclude", ()):
            self._matcher.add(pattern, f"x:{slug}", 0)

    def _add_rule(self, raw: Mapping[str, Any]) -> _UrgencyRule:
        rule_id = raw["id"]
        for pattern in raw.get("terms", ()):
            self._matcher.add(pattern, f"u:{rule_id}", 1)
        for pattern in raw.get("with", ()):
            self._matcher.add(pattern, f"w:{rule_id}", 1)
        for pattern in raw.get("unless", ()):
            self._matcher.add(pattern, f"n:{rule_id}", 1)
        fields = frozenset(raw["fields"])
        if not fields <= set(_FIELD_LABELS):
            raise ClassifyDataError(f"urgency rule {rule_id!r}: unknown field in {sorted(fields)}")
        sources = frozenset(self.canonical(s) for s in raw.get("source_subtopics", ()))
        return _UrgencyRule(
            rule_id,
            raw["reason"],
            fields,
            tuple(raw.get("hosts", ())),
            sources,
            bool(raw.get("with")),
        )

    def label(self, slug: str, lang: str = "nb") -> str:
        """The subtopic's label in bokmål ("nb") or nynorsk ("nn"); aliases are accepted."""
        topic = self._by_slug[self.canonical(slug)]
        if lang == "nb":
            return topic.label_nb
        if lang == "nn":
            return topic.label_nn
        raise ValueError(f"unknown language {lang!r} (use 'nb' or 'nn')")

    def group_label(self, group: str, lang: str = "nb") -> str:
        """The label of a subtopic group in bokmål or nynorsk."""
        label_nb, label_nn = self._groups[group]
        return label_nn if lang == "nn" else label_nb

    def slugs(self) -> frozenset[str]:
        return frozenset(self._by_slug)

    def umbrellas(self) -> dict[str, tuple[str, ...]]:
        """child slug -> the umbrella subtopics covering it (testing -> ("tisk",))."""
        cover: dict[str, list[str]] = {}
        for parent in self._parents:
            for child in parent.children:
                cover.setdefault(child, []).append(parent.slug)
        return {child: tuple(parents) for child, parents in cover.items()}

    def canonical(self, slug: str) -> str:
        """The slug itself, or the slug an alias ("forskrifter") stands for; else KeyError."""
        if slug in self._by_slug:
            return slug
        try:
            return self._aliases[slug]
        except KeyError:
            raise KeyError(f"unknown subtopic {slug!r}") from None


_SUBTOPIC_KEYS = frozenset(
    "slug label_nb label_nn group description_nb description_nn aliases parent children "
    "children_needed strong weak exclude threshold".split()
)


def _subtopic(raw: Mapping[str, Any], groups: Mapping[str, object]) -> Subtopic:
    keys = ("slug", "label_nb", "label_nn", "group", "description_nb", "description_nn")
    missing = [key for key in keys if not raw.get(key)]
    if missing:
        raise ClassifyDataError(f"subtopic {raw.get('slug')!r} lacks {', '.join(missing)}")
    unknown = sorted(set(raw) - _SUBTOPIC_KEYS)
    if unknown:
        raise ClassifyDataError(f"subtopic {raw['slug']!r}: unknown keys {unknown}")
    if raw["group"] not in groups:
        raise ClassifyDataError(f"subtopic {raw['slug']!r}: unknown group {raw['group']!r}")
    return Subtopic(*(str(raw[key]) for key in keys))


def _aliases(raws: Iterable[Mapping[str, Any]], slugs: Mapping[str, Subtopic]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for raw in raws:
        for alias in raw.get("aliases", ()):
            if alias in slugs or alias in aliases:
                raise ClassifyDataError(f"alias {alias!r} is already a slug or alias")
            aliases[alias] = raw["slug"]
    return aliases


def _parents(raws: Sequence[Mapping[str, Any]], slugs: Mapping[str, Subtopic]) -> list[_Parent]:
    """Umbrella subtopics; every child's optional 'parent' must agree with 'children'."""
    parents = []
    for raw in raws:
        children = tuple(raw.get("children", ()))
        if children:
            unknown = [child for child in children if child not in slugs]
            if unknown:
                raise ClassifyDataError(f"subtopic {raw['slug']!r}: unknown children {unknown}")
            needed = int(raw.get("children_needed", len(children)))
            parents.append(_Parent(raw["slug"], children, needed))
    listed = {(child, parent.slug) for parent in parents for child in parent.children}
    for raw in raws:
        if "parent" in raw and (raw["slug"], raw["parent"]) not in listed:
            raise ClassifyDataError(f"{raw['slug']!r} is not among {raw['parent']!r}'s children")
    return parents


def _read_data(name: str, directory: Path | None) -> str:
    if directory is not None:
        return (directory / name).read_text(encoding="utf-8")
    resource = resources.files("feeds").joinpath("data").joinpath(name)
    return str(resource.read_text(encoding="utf-8"))


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load and compile the taxonomy (default: the bundled ``feeds/data/subtopics.json``)."""
    text = _read_data("subtopics.json", None) if path is None else path.read_text(encoding="utf-8")
    try:
        return Taxonomy(json.loads(text))
    except (KeyError, TypeError) as exc:
        raise ClassifyDataError(f"malformed taxonomy: {exc!r}") from exc


# --------------------------------------------------------------------------- gazetteer

# Place names that are also ordinary words, common surnames or parts of institution names
# ("Vestre Viken"): tagged only with context.
_CONTEXT_NAMES = frozenset(
    """
    Viken Alver Asker Aure Bø Fjord Flå Frøya Giske Gol Gran Grane Grue Gulen Haram Heim Hol Hole
    Hvaler Hå Kinn Klepp Kvam Leka Lier Lierne Lom Loppa Lund Luster Lyngen Marker Moss Nes
    Nome Os Rana Røst Råde Sande Sel Sola Stad Stange Strand Stranda Sula Time Tinn Valle
    Vang Vega Vik Vinje Voss Ål Ås Øyer
    """.split()
)
# Historical, nynorsk and Sami county names still seen in documents.
_COUNTY_ALIASES: Mapping[str, tuple[str, ...]] = {
    "Viken": ("31", "32", "33"),
    "Hedmark": ("34",),
    "Oppland": ("34",),
    "Hordaland": ("46",),
    "Sogn og Fjordane": ("46",),
    "Vest-Agder": ("42",),
    "Aust-Agder": ("42",),
    "Sør-Trøndelag": ("50",),
    "Nord-Trøndelag": ("50",),
    "Trööndelage": ("50",),
    "Romsa": ("55",),
    "Finnmárku": ("56",),
    "Nordlánnda": ("18",),
}
# Former office names ("Statsforvalteren i Oslo og Viken") -> current office slug.
_OFFICE_ALIASES: Mapping[str, str] = {
    "Oslo og Viken": "ostfold-buskerud-oslo-og-akershus",
    "Oslo og Akershus": "ostfold-buskerud-oslo-og-akershus",
    "Østfold": "ostfold-buskerud-oslo-og-akershus",
    "Buskerud": "ostfold-buskerud-oslo-og-akershus",
    "Hedmark": "innlandet",
    "Oppland": "innlandet",
    "Hordaland": "vestland",
    "Sogn og Fjordane": "vestland",
    "Aust- og Vest-Agder": "agder",
    "Troms": "troms-finnmark",
    "Finnmark": "troms-finnmark",
}
_OFFICE_WORDS = r"(?:[Ss]tatsforvalter(?:en)?s?|[Ss]tatsforvaltar(?:en)?s?|[Ff]ylkesmann(?:en)?s?)"
_KOMMUNE_RE = re.compile(r"\s*kommun", re.IGNORECASE)
_SENTENCE_END = frozenset('.!?:;•–—-|\n\r\t"«»()[]')
_NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_CAPITALS = "A-ZÆØÅÁČĐŊŠŦŽ"
_CAPITAL_RE = re.compile(rf"(?<![\w-])[{_CAPITALS}][^\W\d_]*(?:-[^\W\d_]+)*")
_NEXT_WORD_RE = re.compile(r"[ \u00a0]+([^\W\d_]+(?:-[^\W\d_]+)*)")
_CAPITAL_BEFORE_RE = re.compile(rf"(?<![\w-])[{_CAPITALS}][^\W\d_]* $")
_CAPITAL_AFTER_RE = re.compile(rf" [{_CAPITALS}]")
_NORWEGIAN_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}", "Æ": "{", "Ø": "|", "Å": "}"})


@dataclass(frozen=True, slots=True)
class _Place:
    """One name (or alias) as a sequence of words, and the places it names: (kind, code).

    "Oslo" names both municipality 0301 and county 03; "Våler" names two municipalities
    (ambiguous); "Viken" names three counties (not ambiguous: it covers all three)."""

    words: tuple[str, ...]
    targets: tuple[tuple[str, str], ...]
    ambiguous: bool
    common: bool


@dataclass(frozen=True)
class Gazetteer:
    """Municipalities, counties and statsforvalter offices, with a compiled name index."""

    _municipalities: Mapping[str, tuple[str, str]] = field(repr=False)  # number -> name, county
    _counties: Mapping[str, str] = field(repr=False)
    _offices: Mapping[str, tuple[str, frozenset[str]]] = field(repr=False)
    _names: Mapping[str, tuple[_Place, ...]] = field(repr=False, compare=False)
    _office_re: re.Pattern[str] = field(repr=False, compare=False)
    _office_places: Mapping[str, str] = field(repr=False, compare=False)

    def counties_of_office(self, office_slug: str) -> frozenset[str]:
        return self._offices[office_slug][1]

    def county_of_municipality(self, municipality_number: str) -> str:
        return self._municipalities[municipality_number][1]

    def municipality_name(self, number: str) -> str | None:
        entry = self._municipalities.get(number)
        return entry[0] if entry else None

    def county_name(self, number: str) -> str | None:
        return self._counties.get(number)

    def offices(self) -> tuple[tuple[str, str], ...]:
        return tuple((slug, name) for slug, (name, _) in self._offices.items())

    def municipalities(self) -> tuple[tuple[str, str], ...]:
        """(number, official name), in Norwegian alphabetical order (… Æ, Ø, Å last)."""
        pairs = [(number, name) for number, (name, _) in self._municipalities.items()]
        return tuple(sorted(pairs, key=lambda pair: _sort_key(pair[1])))

    def counties(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self._counties.items()))


def _sort_key(name: str) -> str:
    folded = unicodedata.normalize("NFD", name.translate(_NORWEGIAN_ORDER).casefold())
    return "".join(char for char in folded if not unicodedata.combining(char))


def _csv_rows(name: str, directory: Path | None) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_read_data(name, directory))))


def load_gazetteer(directory: Path | None = None) -> Gazetteer:
    """Load kommuner.csv, fylker.csv and statsforvaltere.csv (default: bundled ``feeds/data``)."""
    try:
        counties = {r["fylkesnummer"]: r["fylkesnavn"] for r in _csv_rows("fylker.csv", directory)}
        municipalities = {
            r["kommunenummer"]: (r["kommunenavn"], r["fylkesnummer"])
            for r in _csv_rows("kommuner.csv", directory)
        }
        offices = {
            r["url_slug"]: (r["statsforvalter"], frozenset(r["fylkesnummer"].split(";")))
            for r in _csv_rows("statsforvaltere.csv", directory)
        }
    except KeyError as exc:
        raise ClassifyDataError(f"malformed gazetteer file: missing column {exc}") from exc
    bad = [n for n, (_, county) in municipalities.items() if county not in counties]
    if bad:
        raise ClassifyDataError(f"municipalities with unknown county: {bad}")
    office_places = _office_places(offices)
    return Gazetteer(
        municipalities,
        counties,
        offices,
        _name_index(municipalities, counties),
        _office_pattern(office_places),
        office_places,
    )


def _name_index(
    municipalities: Mapping[str, tuple[str, str]], counties: Mapping[str, str]
) -> dict[str, tuple[_Place, ...]]:
    by_name: dict[str, list[tuple[str, str]]] = {}
    for number, (official, _) in municipalities.items():
        for alias in _municipality_aliases(official):
            by_name.setdefault(alias, []).append(("kommune", number))
    for number, name in counties.items():
        by_name.setdefault(name, []).append(("fylke", number))
    for name, codes in _COUNTY_ALIASES.items():
        by_name.setdefault(name, []).extend(("fylke", code) for code in codes)
    index: dict[str, list[_Place]] = {}
    for name, targets in by_name.items():
        place = _place(name, tuple(targets))
        index.setdefault(place.words[0], []).append(place)
    return {k: tuple(sorted(v, key=lambda p: -len(p.words))) for k, v in index.items()}


def _municipality_aliases(official: str) -> list[str]:
    """ "Trondheim - Tråante" -> both names; "Herøy (Nordland)" -> "Herøy"."""
    base = re.sub(r"\s*\(.*\)\s*$", "", official)
    return [part.strip() for part in base.split(" - ") if part.strip()]


def _place(name: str, targets: tuple[tuple[str, str], ...]) -> _Place:
    words = tuple(_NAME_WORD_RE.findall(unicodedata.normalize("NFC", name)))
    municipalities = sum(1 for kind, _ in targets if kind == "kommune")
    return _Place(words, targets, municipalities > 1, name in _CONTEXT_NAMES)


def _office_places(offices: Mapping[str, tuple[str, frozenset[str]]]) -> dict[str, str]:
    places = {
        re.sub(r"^Statsforvalteren i\s+", "", name): slug for slug, (name, _) in offices.items()
    }
    for alias, slug in _OFFICE_ALIASES.items():
        if slug in offices:
            places.setdefault(alias, slug)
    return places


def _office_pattern(places: Mapping[str, str]) -> re.Pattern[str]:
    names = sorted(places, key=len, reverse=True)
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"\b{_OFFICE_WORDS}\s+i\s+({alternatives})(?![\w-])")


# --------------------------------------------------------------------------- regions


class _Regions:
    """Collects region tags: one per code, first reason wins."""

    def __init__(self) -> None:
        self.tags: dict[str, RegionTag] = {}

    def add(self, kind: str, code: str, reason: str) -> None:
        if code not in self.tags:
            self.tags[code] = RegionTag(code, kind, reason)

    def counties(self) -> set[str]:
        return {tag.code for tag in self.tags.values() if tag.kind == "fylke"}


def _find_regions(gazetteer: Gazetteer, texts: Sequence[str], url: str) -> tuple[RegionTag, ...]:
    found = _Regions()
    pending: list[_Place] = []
    for text in texts:
        _find_offices(gazetteer, text, found)
    for text in texts:
        pending += _find_names(gazetteer, text, found)
    _office_from_url(gazetteer, url, found)
    for number in [t.code for t in found.tags.values() if t.kind == "kommune"]:
        county = gazetteer.county_of_municipality(number)
        name = gazetteer.municipality_name(number)
        found.add("fylke", county, f"fylket til kommune: {name}")
    _resolve_ambiguous(gazetteer, pending, found)
    return tuple(sorted(found.tags.values(), key=lambda tag: tag.code))


def _find_offices(gazetteer: Gazetteer, text: str, found: _Regions) -> None:
    for match in gazetteer._office_re.finditer(text):
        slug = gazetteer._office_places[match.group(1)]
        for county in sorted(gazetteer.counties_of_office(slug)):
            found.add("fylke", county, f"statsforvalter: «{match.group(0)}»")


def _office_from_url(gazetteer: Gazetteer, url: str, found: _Regions) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not (host == "statsforvalteren.no" or host.endswith(".statsforvalteren.no")):
        return
    for segment in parts.path.lower().split("/")[1:3]:
        if segment in gazetteer._offices:
            for county in sorted(gazetteer.counties_of_office(segment)):
                found.add("fylke", county, f"adresse: statsforvalteren.no/{segment}")
            return


def _find_names(gazetteer: Gazetteer, text: str, found: _Regions) -> list[_Place]:
    """Tag unambiguous names; return ambiguous ones for later resolution."""
    pending: list[_Place] = []
    consumed = 0
    for match in _CAPITAL_RE.finditer(text):
        if match.start() < consumed:
            continue
        hit = _match_place(gazetteer, text, match)
        if hit is None:
            continue
        place, end, surface = hit
        if place.common and not _context_ok(text, match.start(), end):
            continue
        consumed = end
        if place.ambiguous:
            pending.append(place)
        else:
            for kind, code in place.targets:
                found.add(kind, code, f"{kind}: «{surface}»")
    return pending


def _match_place(
    gazetteer: Gazetteer, text: str, match: re.Match[str]
) -> tuple[_Place, int, str] | None:
    """The longest place name starting at ``match``: (place, end offset, surface)."""
    for key in _name_keys(match.group(0)):
        for place in gazetteer._names.get(key, ()):
            found = _follow(place, text, match.end())
            if found is not None:
                end, rest = found
                return place, end, " ".join((match.group(0), *rest))
    return None


def _follow(place: _Place, text: str, end: int) -> tuple[int, list[str]] | None:
    """Match the name's later words ("og Romsdal"); the last may carry a genitive -s."""
    words: list[str] = []
    for position, expected in enumerate(place.words[1:], 2):
        match = _NEXT_WORD_RE.match(text, end)
        actual = match.group(1) if match else ""
        genitive = position == len(place.words) and actual == expected + "s"
        if match is None or (actual != expected and not genitive):
            return None
        words.append(actual)
        end = match.end()
    return end, words


def _name_keys(word: str) -> list[str]:
    """The word, its genitive base ("Bergens"), and the name before "-området"/"-regionen"."""
    keys = [word]
    if word.endswith("s") and len(word) > 2:
        keys.append(word[:-1])
    head, dash, tail = word.partition("-")
    if dash and tail[:1].islower():
        keys.append(head)
    return keys


def _context_ok(text: str, start: int, end: int) -> bool:
    """Names that are ordinary words need 'X kommune', or a mid-sentence capital that is not
    after another capitalised word (a first name: "Kari Lund") and not before one ("Gran
    Canaria")."""
    if _KOMMUNE_RE.match(text, end):
        return True
    if _sentence_initial(text, start):
        return False
    if _CAPITAL_BEFORE_RE.search(text, max(0, start - 40), start):
        return False
    return not _CAPITAL_AFTER_RE.match(text, end)


def _sentence_initial(text: str, start: int) -> bool:
    position = start - 1
    while position >= 0 and text[position] in " \u00a0":
        position -= 1
    return position < 0 or text[position] in _SENTENCE_END


def _resolve_ambiguous(gazetteer: Gazetteer, pending: Iterable[_Place], found: _Regions) -> None:
    """A name shared by several municipalities is tagged only if its county is evident."""
    counties = found.counties()
    for place in pending:
        for _, number in place.targets:
            county = gazetteer.county_of_municipality(number)
            if county in counties:
                name = gazetteer.municipality_name(number)
                found.add("kommune", number, f"kommune: «{name}» (fylket er nevnt)")


# --------------------------------------------------------------------------- classify


@dataclass(frozen=True, slots=True)
class _Item:
    hits: tuple[_Hit, ...]
    host: str


def _url_words(url: str) -> tuple[str, list[str]]:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return host, _URL_WORD_RE.findall(normalise(parts.path))


def _split_lede(text: str, lede_chars: int) -> tuple[str, str]:
    if len(text) <= lede_chars:
        return text, ""
    cut = text.rfind(" ", 0, lede_chars)
    cut = lede_chars if cut <= 0 else cut
    return text[:cut], text[cut:]


def _scan_item(
    taxonomy: Taxonomy, title: str, text: str, url: str, section_path: Sequence[str]
) -> _Item:
    lede, body = _split_lede(normalise(text), taxonomy._scoring.lede_chars)
    host, url_words = _url_words(url)
    fields = {
        "title": _WORD_RE.findall(normalise(title)),
        "section": _WORD_RE.findall(normalise(" / ".join(section_path))),
        "lede": _WORD_RE.findall(lede),
        "body": _WORD_RE.findall(body),
        "url": url_words,
    }
    hits: list[_Hit] = []
    for name, words in fields.items():
        if words:
            hits += taxonomy._matcher.scan(name, words)
    return _Item(tuple(hits), host)


@dataclass
class _Evidence:
    score: int = 0
    strongest: int = 0
    words: set[str] = field(default_factory=set)
    parts: list[tuple[int, int, str, str]] = field(default_factory=list)

    def add(self, points: int, weight: int, hit: _Hit) -> None:
        self.score += points
        self.strongest = max(self.strongest, weight)
        self.words.add(hit.target.term)
        self.parts.append((-points, _FIELD_ORDER.index(hit.field), hit.field, hit.surface))

    def reason(self) -> str:
        chosen: dict[str, list[str]] = {}
        for _, _, field_name, surface in sorted(self.parts)[:3]:
            chosen.setdefault(field_name, []).append(f"«{surface}»")
        ordered = sorted(chosen.items(), key=lambda item: _FIELD_ORDER.index(item[0]))
        return "; ".join(f"{_FIELD_LABELS[name]}: {', '.join(words)}" for name, words in ordered)


def _blocked_spans(hits: Iterable[_Hit]) -> dict[tuple[str, str], set[int]]:
    """Word positions per (field, owner) that an exclude or a phrase already accounts for."""
    blocked: dict[tuple[str, str], set[int]] = {}
    for hit in hits:
        kind, _, slug = hit.target.owner.partition(":")
        if kind == "x" or (kind == "s" and hit.end - hit.start > 1):
            owner = f"{kind}:{slug}"
            blocked.setdefault((hit.field, owner), set()).update(range(hit.start, hit.end))
    return blocked


def _subtopic_evidence(taxonomy: Taxonomy, hits: Sequence[_Hit]) -> dict[str, _Evidence]:
    blocked = _blocked_spans(hits)
    best: dict[tuple[str, str, str], _Hit] = {}
    for hit in hits:
        kind, _, slug = hit.target.owner.partition(":")
        if kind != "s" or _is_blocked(hit, slug, blocked):
            continue
        key = (slug, hit.field, hit.key)
        if key not in best or best[key].target.weight < hit.target.weight:
            best[key] = hit
    evidence: dict[str, _Evidence] = {}
    weights = taxonomy._scoring.field_weights
    for (slug, _, _), hit in best.items():
        weight = hit.target.weight
        points = weights.get(hit.field, 0) * weight
        evidence.setdefault(slug, _Evidence()).add(points, weight, hit)
    return evidence


def _is_blocked(hit: _Hit, slug: str, blocked: Mapping[tuple[str, str], set[int]]) -> bool:
    if not blocked:
        return False
    excluded = blocked.get((hit.field, f"x:{slug}"))
    if excluded and any(position in excluded for position in range(hit.start, hit.end)):
        return True
    phrased = blocked.get((hit.field, f"s:{slug}"))
    return phrased is not None and hit.end - hit.start == 1 and hit.start in phrased


def _subtopic_tags(
    taxonomy: Taxonomy, item: _Item, source_subtopics: Sequence[str]
) -> dict[str, Tag]:
    """Catalogue and address tags first, then scored evidence, then umbrellas."""
    tags = _source_tags(taxonomy, source_subtopics)
    for host, slugs in taxonomy._url_rules:
        if item.host == host or item.host.endswith("." + host):
            for slug in slugs:
                tags.setdefault(slug, Tag(slug, f"adresse: {host}"))
    for slug, evidence in _subtopic_evidence(taxonomy, item.hits).items():
        if slug not in tags and _enough(taxonomy, slug, evidence):
            tags[slug] = Tag(slug, evidence.reason())
    for parent in taxonomy._parents:
        present = [child for child in parent.children if child in tags]
        if parent.slug not in tags and len(present) >= parent.needed:
            tags[parent.slug] = Tag(parent.slug, "underemner: " + ", ".join(sorted(present)))
    return tags


def _source_tags(taxonomy: Taxonomy, source_subtopics: Sequence[str]) -> dict[str, Tag]:
    tags: dict[str, Tag] = {}
    for slug in source_subtopics:
        try:
            canonical = taxonomy.canonical(slug)
        except KeyError:
            raise ClassifyDataError(f"unknown source subtopic {slug!r}") from None
        tags[canonical] = Tag(canonical, "kilde")
    return tags


def _enough(taxonomy: Taxonomy, slug: str, evidence: _Evidence) -> bool:
    """Score at the threshold, with a strong term or enough different weak words."""
    scoring = taxonomy._scoring
    if evidence.strongest < scoring.strong and len(evidence.words) < scoring.min_weak_terms:
        return False
    return evidence.score >= taxonomy._thresholds[slug]


def _urgent_reasons(
    taxonomy: Taxonomy, item: _Item, source_subtopics: Sequence[str], kind: str, staff: bool
) -> tuple[str, ...]:
    reasons = [taxonomy._staff_reason] if staff else []
    if kind in taxonomy._skip_kinds:
        return tuple(reasons)
    sources = {taxonomy.canonical(slug) for slug in source_subtopics}
    for rule in taxonomy._urgency:
        reason = _rule_reason(rule, item, sources)
        if reason:
            reasons.append(reason)
    return tuple(reasons)


def _rule_reason(rule: _UrgencyRule, item: _Item, sources: set[str]) -> str | None:
    """The rule's reason with its trigger, or None. Term triggers need a 'with' hit too
    (when the rule has a 'with' list); a veto ('unless') in the rule's fields wins."""
    trigger: str | None = None
    confirmed = not rule.needs_with
    for hit in item.hits:
        if hit.field not in rule.fields:
            continue
        kind, _, rule_id = hit.target.owner.partition(":")
        if rule_id != rule.rule_id:
            continue
        if kind == "n":
            return None
        confirmed = confirmed or kind == "w"
        if trigger is None and kind == "u":
            trigger = f"{_FIELD_LABELS[hit.field]}: «{hit.surface}»"
    if trigger is None or not confirmed:
        trigger = _host_or_source(rule, item.host, sources)
    return f"{rule.reason} ({trigger})" if trigger else None


def _host_or_source(rule: _UrgencyRule, host: str, sources: set[str]) -> str | None:
    for candidate in rule.hosts:
        if host == candidate or host.endswith("." + candidate):
            return f"adresse: {candidate}"
    if rule.source_subtopics & sources:
        return "kilde"
    return None


def classify(
    taxonomy: Taxonomy,
    gazetteer: Gazetteer | None = None,
    *,
    title: str,
    text: str,
    url: str = "",
    source_subtopics: Sequence[str] = (),
    section_path: Sequence[str] = (),
    kind: str = "",
    staff_urgent: bool = False,
) -> Classification:
    """Tag one detected change with subtopics, regions and urgency, each with a reason.

    ``source_subtopics`` (catalogue slugs or aliases of the whole source) are always tagged,
    reason "kilde"; an unknown slug raises ``ClassifyDataError``. ``section_path`` weighs
    like the title. ``kind`` is the change verb ("new", "changed", "removed"); removed items
    are never urgent by rule. Without a gazetteer no regions are looked for.
    """
    item = _scan_item(taxonomy, title, text, url, section_path)
    tags = _subtopic_tags(taxonomy, item, source_subtopics)
    regions: tuple[RegionTag, ...] = ()
    if gazetteer is not None:
        texts = [unicodedata.normalize("NFC", part) for part in (title, *section_path, text)]
        regions = _find_regions(gazetteer, texts, url)
    reasons = _urgent_reasons(taxonomy, item, source_subtopics, kind, staff_urgent)
    return Classification(
        subtopics=tuple(tags[slug] for slug in sorted(tags)),
        regions=regions,
        urgent=bool(reasons),
        urgent_reasons=reasons,
    )
