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
from collections.abc import Iterable, Iterator, Mapping, Sequence
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

_INVISIBLE = str.maketrans({"\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None})
_WORD_RE = re.compile(r"[^\W_]+")
_URL_WORD_RE = re.compile(r"[^\W\d_]+")
_SUFFIXES = (
    "endes", "andes", "ende", "ande", "enes", "anes", "ene", "ane", "ens", "ers", "ars",
    "ets", "er", "ar", "en", "et", "a", "e",
)  # fmt: skip
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
    return unicodedata.normalize("NFC", text).translate(_INVISIBLE).lower()


def stem(word: str) -> str:
    """Light bokmål/nynorsk stemmer: strip one inflectional ending, then undouble.

    Only inflection is removed (``vaksinene``, ``vaksinar`` -> ``vaksin``; ``testen`` ->
    ``test``), never derivation (``dosering`` stays ``dosering``), and at least three
    letters remain. A doubled final consonant is undoubled so that ``sykehjemmet`` and
    ``sykehjem`` agree. Expects a normalised (lower-case) word.
    """
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)]
            break
    if len(word) > _MIN_STEM and word[-1] == word[-2] and word[-1] in _CONSONANTS:
        word = word[:-1]
    return word


# --------------------------------------------------------------------------- term matching


@dataclass(frozen=True, slots=True)
class _Target:
    """Who a pattern gives evidence to: ``s:<slug>`` (subtopic), ``x:<slug>`` (exclude),
    ``u:<rule>`` (urgency term) or ``n:<rule>`` (urgency veto)."""

    owner: str
    weight: int


@dataclass(frozen=True, slots=True)
class _Step:
    value: str
    prefix: bool


@dataclass(frozen=True, slots=True)
class _Phrase:
    rest: tuple[_Step, ...]
    target: _Target
    term: str


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
        self._prefix_lengths: tuple[int, ...] = ()
        self._suffix_lengths: tuple[int, ...] = ()
        self._cache: dict[str, _Info] = {}

    def add(self, pattern: str, target: _Target) -> None:
        """Add one pattern in the syntax documented in subtopics.json (``_syntax``)."""
        text = normalise(pattern).strip()
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
        parts = text.split()
        words: list[_Step] = []
        for part in parts:
            prefix = part.endswith("*")
            for word in _WORD_RE.findall(part):
                words.append(_Step(word if prefix else stem(word), prefix))
        if not words or words[0].prefix or len(words) < 2:
            raise ClassifyDataError(f"phrase must start with a plain word: {text!r}")
        phrase = _Phrase(tuple(words[1:]), target, text)
        self._phrase.setdefault(words[0].value, []).append(phrase)

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
        if self._phrase:
            self._scan_phrases(field_name, words, stems, hits)
        return hits

    def _scan_phrases(
        self, field_name: str, words: Sequence[str], stems: Sequence[str], hits: list[_Hit]
    ) -> None:
        for index, word_stem in enumerate(stems):
            for phrase in self._phrase.get(word_stem, ()):
                end = index + 1 + len(phrase.rest)
                if end <= len(words) and _phrase_fits(phrase, words, stems, index + 1):
                    surface = " ".join(words[index:end])
                    hits.append(_Hit(phrase.target, field_name, index, end, surface, phrase.term))


def _single_word(text: str, pattern: str) -> str:
    words = _WORD_RE.findall(text)
    if len(words) != 1 or words[0] != text:
        raise ClassifyDataError(f"malformed pattern: {pattern!r}")
    return text


def _phrase_fits(phrase: _Phrase, words: Sequence[str], stems: Sequence[str], at: int) -> bool:
    for offset, step in enumerate(phrase.rest):
        if step.prefix:
            if not words[at + offset].startswith(step.value):
                return False
        elif stems[at + offset] != step.value:
            return False
    return True


# --------------------------------------------------------------------------- taxonomy


@dataclass(frozen=True, slots=True)
class _Scoring:
    field_weights: Mapping[str, int]
    threshold: int
    lede_chars: int


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


class Taxonomy:
    """Subtopics, their compiled matchers and the urgency rules. Immutable once loaded."""

    __slots__ = (
        "_aliases",
        "_by_slug",
        "_groups",
        "_matcher",
        "_parents",
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
            dict(scoring["field_weights"]), int(scoring["threshold"]), int(scoring["lede_chars"])
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

    def _add_terms(self, raw: Mapping[str, Any], strong: int, weak: int) -> None:
        slug = raw["slug"]
        for pattern in raw.get("strong", ()):
            self._matcher.add(pattern, _Target(f"s:{slug}", strong))
        for pattern in raw.get("weak", ()):
            self._matcher.add(pattern, _Target(f"s:{slug}", weak))
        for pattern in raw.get("exclude", ()):
            self._matcher.add(pattern, _Target(f"x:{slug}", 0))

    def _add_rule(self, raw: Mapping[str, Any]) -> _UrgencyRule:
        rule_id = raw["id"]
        for pattern in raw.get("terms", ()):
            self._matcher.add(pattern, _Target(f"u:{rule_id}", 1))
        for pattern in raw.get("unless", ()):
            self._matcher.add(pattern, _Target(f"n:{rule_id}", 1))
        fields = frozenset(raw["fields"])
        if not fields <= set(_FIELD_LABELS):
            raise ClassifyDataError(f"urgency rule {rule_id!r}: unknown field in {sorted(fields)}")
        sources = frozenset(self.canonical(s) for s in raw.get("source_subtopics", ()))
        return _UrgencyRule(rule_id, raw["reason"], fields, tuple(raw.get("hosts", ())), sources)

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

    def canonical(self, slug: str) -> str:
        """The slug itself, or the slug an alias ("forskrifter") stands for; else KeyError."""
        if slug in self._by_slug:
            return slug
        try:
            return self._aliases[slug]
        except KeyError:
            raise KeyError(f"unknown subtopic {slug!r}") from None


def _subtopic(raw: Mapping[str, Any], groups: Mapping[str, object]) -> Subtopic:
    keys = ("slug", "label_nb", "label_nn", "group", "description_nb", "description_nn")
    missing = [key for key in keys if not raw.get(key)]
    if missing:
        raise ClassifyDataError(f"subtopic {raw.get('slug')!r} lacks {', '.join(missing)}")
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


def _parents(raws: Iterable[Mapping[str, Any]], slugs: Mapping[str, Subtopic]) -> Iterator[_Parent]:
    for raw in raws:
        children = tuple(raw.get("children", ()))
        if not children:
            continue
        unknown = [child for child in children if child not in slugs]
        if unknown:
            raise ClassifyDataError(f"subtopic {raw['slug']!r}: unknown children {unknown}")
        yield _Parent(raw["slug"], children, int(raw.get("children_needed", len(children))))


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

# Municipality names that are also ordinary words or common surnames: tagged only with context.
_COMMON_WORD_NAMES = frozenset(
    """
    Alver Asker Aure Bø Fjord Flå Frøya Giske Gol Gran Grane Grue Gulen Haram Heim Hol Hole
    Hvaler Hå Kinn Klepp Kvam Leka Lier Lierne Lom Loppa Lund Luster Lyngen Marker Moss Nes
    Nome Os Rana Røst Råde Sande Sel Sola Stad Stange Strand Stranda Sula Time Tinn Valle
    Vang Vega Vik Vinje Voss Ål Ås Øyer
    """.split()  # noqa: SIM905 - a table to read and edit, not code
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
    return _Place(words, targets, municipalities > 1, name in _COMMON_WORD_NAMES)


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


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    start: int
    end: int


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
    words = [_Word(m.group(0), m.start(), m.end()) for m in _NAME_WORD_RE.finditer(text)]
    pending: list[_Place] = []
    index = 0
    while index < len(words):
        match = _match_place(gazetteer, words, index)
        if match is None or not _context_ok(match[0], text, words, index, match[1]):
            index += 1
            continue
        place, end, surface = match
        if place.ambiguous:
            pending.append(place)
        else:
            for kind, code in place.targets:
                found.add(kind, code, f"{kind}: «{surface}»")
        index = end
    return pending


def _match_place(
    gazetteer: Gazetteer, words: Sequence[_Word], index: int
) -> tuple[_Place, int, str] | None:
    first = words[index].text
    if not first[:1].isupper():
        return None
    for key in _name_keys(first):
        for place in gazetteer._names.get(key, ()):
            end = index + len(place.words)
            if end <= len(words) and _words_fit(place.words, words, index, key):
                surface = " ".join(word.text for word in words[index:end])
                return place, end, surface
    return None


def _name_keys(word: str) -> list[str]:
    """The word, its genitive base ("Bergens"), and the name before "-området"/"-regionen"."""
    keys = [word]
    if word.endswith("s") and len(word) > 2:
        keys.append(word[:-1])
    head, dash, tail = word.partition("-")
    if dash and tail[:1].islower():
        keys.append(head)
    return keys


def _words_fit(name: Sequence[str], words: Sequence[_Word], index: int, key: str) -> bool:
    if len(name) == 1:
        return name[0] == key
    for offset, expected in enumerate(name):
        actual = key if offset == 0 else words[index + offset].text
        last = offset == len(name) - 1
        if actual != expected and not (last and actual == expected + "s"):
            return False
    return name[0] == key


def _context_ok(place: _Place, text: str, words: Sequence[_Word], index: int, end: int) -> bool:
    """Names that are ordinary words need 'X kommune', or a mid-sentence capital not after
    another capitalised word (a first name) and not before one ("Gran Canaria")."""
    if not place.common:
        return True
    if _KOMMUNE_RE.match(text, words[end - 1].end):
        return True
    if _sentence_initial(text, words[index].start):
        return False
    if index > 0 and _joined_capital(text, words[index - 1], words[index]):
        return False
    return not (end < len(words) and _joined_capital(text, words[end], words[end - 1]))


def _joined_capital(text: str, other: _Word, name: _Word) -> bool:
    """True if ``other`` is capitalised and only a space separates it from ``name``."""
    if not other.text[:1].isupper():
        return False
    gap = text[other.end : name.start] if other.end <= name.start else text[name.end : other.start]
    return gap == " "


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
    parts: list[tuple[int, int, str, str]] = field(default_factory=list)

    def add(self, points: int, field_name: str, surface: str) -> None:
        self.score += points
        self.parts.append((-points, _FIELD_ORDER.index(field_name), field_name, surface))

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
    best: dict[tuple[str, str, str], tuple[int, str]] = {}
    for hit in hits:
        kind, _, slug = hit.target.owner.partition(":")
        if kind != "s" or _is_blocked(hit, slug, blocked):
            continue
        key = (slug, hit.field, hit.key)
        if key not in best or best[key][0] < hit.target.weight:
            best[key] = (hit.target.weight, hit.surface)
    evidence: dict[str, _Evidence] = {}
    weights = taxonomy._scoring.field_weights
    for (slug, field_name, _), (weight, surface) in best.items():
        points = weights.get(field_name, 0) * weight
        evidence.setdefault(slug, _Evidence()).add(points, field_name, surface)
    return evidence


def _is_blocked(hit: _Hit, slug: str, blocked: Mapping[tuple[str, str], set[int]]) -> bool:
    excluded = blocked.get((hit.field, f"x:{slug}"), set())
    if any(position in excluded for position in range(hit.start, hit.end)):
        return True
    single = hit.end - hit.start == 1
    return single and hit.start in blocked.get((hit.field, f"s:{slug}"), set())


def _subtopic_tags(
    taxonomy: Taxonomy, item: _Item, source_subtopics: Sequence[str]
) -> dict[str, Tag]:
    tags: dict[str, Tag] = {}
    for slug in source_subtopics:
        try:
            canonical = taxonomy.canonical(slug)
        except KeyError:
            raise ClassifyDataError(f"unknown source subtopic {slug!r}") from None
        tags[canonical] = Tag(canonical, "kilde")
    for host, slugs in taxonomy._url_rules:
        if item.host == host or item.host.endswith("." + host):
            for slug in slugs:
                tags.setdefault(slug, Tag(slug, f"adresse: {host}"))
    for slug, evidence in _subtopic_evidence(taxonomy, item.hits).items():
        if slug not in tags and evidence.score >= taxonomy._thresholds[slug]:
            tags[slug] = Tag(slug, evidence.reason())
    for parent in taxonomy._parents:
        present = [child for child in parent.children if child in tags]
        if parent.slug not in tags and len(present) >= parent.needed:
            tags[parent.slug] = Tag(parent.slug, "underemner: " + ", ".join(sorted(present)))
    return tags


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
    trigger: str | None = None
    for hit in item.hits:
        if hit.field not in rule.fields:
            continue
        owner = hit.target.owner
        if owner == f"n:{rule.rule_id}":
            return None
        if trigger is None and owner == f"u:{rule.rule_id}":
            trigger = f"{_FIELD_LABELS[hit.field]}: «{hit.surface}»"
    if trigger is None:
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
