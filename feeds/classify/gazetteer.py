"""The gazetteer: municipalities, counties and statsforvalter offices, and finding them in text.

Part of the classifier (``feeds.classify``, which re-exports ``RegionTag``, ``Gazetteer`` and
``load_gazetteer``; ``find_regions`` is what ``classify`` calls). The only I/O is
``load_gazetteer`` reading kommuner.csv, fylker.csv and statsforvaltere.csv once.

How regions are found
    Capitalised words of the original text are looked up as municipality and county names
    (also Sami/alternative names, genitive ``-s``, ``X-området``). Names that are ordinary
    words or surnames (``Hole``, ``Time``, ``Sola``, ``Lund``) need context: not first in a
    sentence and not after another capitalised word, unless followed by ``kommune``. Names
    that exist twice (``Våler``, ``Herøy``) are tagged only when their county is also evident
    from the item. "Statsforvalteren i X" and statsforvalteren.no addresses tag the office's
    counties. A municipality also adds its county.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from feeds.classify.terms import ClassifyDataError

__all__ = ["Gazetteer", "RegionTag", "find_regions", "load_gazetteer"]


@dataclass(frozen=True)
class RegionTag:
    """One municipality ("kommune", number "0301") or county ("fylke", number "03")."""

    code: str
    kind: str
    reason: str


# --------------------------------------------------------------------------- data tables

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
    # Districts lying within one county (guidelines, R3)
    "Sunnmøre": ("15",),
    "Nordmøre": ("15",),
    "Romsdal": ("15",),
    "Sogn": ("46",),
    "Sunnfjord": ("46",),
    "Nordfjord": ("46",),
    "Hardanger": ("46",),
    "Sunnhordland": ("46",),
    "Nordhordland": ("46",),
    "Lofoten": ("18",),
    "Vesterålen": ("18",),
    "Helgeland": ("18",),
    "Salten": ("18",),
    "Ofoten": ("18",),
    "Solør": ("34",),
    "Hadeland": ("34",),
    "Toten": ("34",),
    "Valdres": ("34",),
    "Gudbrandsdalen": ("34",),
    "Østerdalen": ("34",),
    "Ryfylke": ("11",),
    "Jæren": ("11",),
    "Dalane": ("11",),
    "Setesdal": ("42",),
    "Namdalen": ("50",),
    "Innherred": ("50",),
    "Fosen": ("50",),
    "Hallingdal": ("33",),
    "Numedal": ("33",),
    "Romerike": ("32",),
    "Follo": ("32",),
}
# Towns, villages and sites lying within one municipality (guidelines, R3: "a town -> its
# municipality when clearly implied"; labelling decision 11: Haukeland -> Bergen).
_TOWNS: Mapping[str, str] = {
    "Haukeland": "4601",
    "Flesland": "4601",
    "Gardermoen": "3209",
    "Ullandhaug": "1103",
    "Risavika": "1124",
    "Kopervik": "1149",
    "Åkrehamn": "1149",
    "Moelv": "3411",
    "Brumunddal": "3411",
    "Førde": "4647",
    "Osøyro": "4624",
    "Leknes": "1860",
    "Svolvær": "1865",
    "Mosjøen": "1824",
    "Sandnessjøen": "1820",
    "Finnsnes": "5530",
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
# Other spellings of an office's slug in statsforvalteren.no addresses: the site's own
# (/nb/troms-og-finnmark/) and the former office's (/oslo-og-viken/, same counties).
_URL_SLUG_ALIASES: Mapping[str, str] = {
    "troms-og-finnmark": "troms-finnmark",
    "oslo-og-viken": "ostfold-buskerud-oslo-og-akershus",
}
_OFFICE_WORDS = r"(?:[Ss]tatsforvalter(?:en)?s?|[Ss]tatsforvaltar(?:en)?s?|[Ff]ylkesmann(?:en)?s?)"
_KOMMUNE_RE = re.compile(r"\s*(?:kommun|herad)", re.IGNORECASE)  # "Kvam herad"
_SENTENCE_END = frozenset('.!?:;•–—-|\n\r\t"«»()[]')
_NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_CAPITALS = "A-ZÆØÅÁČĐŊŠŦŽ"
# A capitalised word, or the tail of a word ("koronaVeileder"): _capitalised_words tells them
# apart. Without a look-behind in front the regex engine skips ahead to capitals quickly.
_CAPITAL_RE = re.compile(rf"[{_CAPITALS}][^\W\d_]*(?:-[^\W\d_]+)*")
_WORD_OR_DASH_RE = re.compile(r"[\w-]")
_OFFICE_HINTS = ("tatsforval", "ylkesmann")  # every office mention contains one
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
    # "bergen" (of bergen.kommune.no) -> "4601", for names that transliterate uniquely
    _hosts: Mapping[str, str] = field(repr=False, compare=False, default_factory=dict)

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
        _municipality_hosts(municipalities),
    )


_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "á": "a", " ": "-"})


def _municipality_hosts(municipalities: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """Host label of ``<label>.kommune.no`` -> municipality, for the official names (first
    part, before « - ») that transliterate to one municipality only (not «heroy»)."""
    seen: dict[str, list[str]] = {}
    for number, (official, _) in municipalities.items():
        label = official.split(" - ")[0].strip().lower().translate(_ASCII)
        seen.setdefault(label, []).append(number)
    return {label: numbers[0] for label, numbers in seen.items() if len(numbers) == 1}


def _name_index(
    municipalities: Mapping[str, tuple[str, str]], counties: Mapping[str, str]
) -> dict[str, tuple[_Place, ...]]:
    by_name: dict[str, list[tuple[str, str]]] = {}
    for number, (official, _) in municipalities.items():
        for alias in _municipality_aliases(official):
            by_name.setdefault(alias, []).append(("kommune", number))
    for town, number in _TOWNS.items():
        if number in municipalities:
            by_name.setdefault(town, []).append(("kommune", number))
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


def _read_data(name: str, directory: Path | None) -> str:
    if directory is not None:
        return (directory / name).read_text(encoding="utf-8")
    resource = resources.files("feeds").joinpath("data").joinpath(name)
    return str(resource.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- finding regions


class _Regions:
    """Collects region tags: one per code, first reason wins."""

    def __init__(self) -> None:
        self.tags: dict[str, RegionTag] = {}

    def add(self, kind: str, code: str, reason: str) -> None:
        if code not in self.tags:
            self.tags[code] = RegionTag(code, kind, reason)

    def counties(self) -> set[str]:
        return {tag.code for tag in self.tags.values() if tag.kind == "fylke"}


def find_regions(gazetteer: Gazetteer, texts: Sequence[str], url: str) -> tuple[RegionTag, ...]:
    """Region tags for NFC-normalised ``texts`` (title, section path, text) and ``url``.

    A statsforvalter office (named in the text or in the address) stands for its counties
    only when the item names no municipality or county (guidelines, R4): a regional notice
    or relayed national news gets the office's counties, an item about Drammen from the
    Østfold, Buskerud, Oslo og Akershus office gets Drammen and Buskerud alone. The office
    still makes the county of an ambiguous name evident (Våler, Herøy)."""
    offices = _Regions()
    for text in texts:
        _find_offices(gazetteer, text, offices)
    _office_from_url(gazetteer, url, offices)
    found = _Regions()
    pending: list[_Place] = []
    for text in texts:
        pending += _find_names(gazetteer, text, found, offices.counties())
    for number in [t.code for t in found.tags.values() if t.kind == "kommune"]:
        county = gazetteer.county_of_municipality(number)
        name = gazetteer.municipality_name(number)
        found.add("fylke", county, f"fylket til kommune: {name}")
    _resolve_ambiguous(gazetteer, pending, found, offices.counties())
    if not found.tags:
        found = offices
    if not found.tags:
        _municipality_from_url(gazetteer, url, found)
    return tuple(sorted(found.tags.values(), key=lambda tag: tag.code))


def _find_offices(gazetteer: Gazetteer, text: str, found: _Regions) -> None:
    if not any(hint in text for hint in _OFFICE_HINTS):
        return
    for match in gazetteer._office_re.finditer(text):
        slug = gazetteer._office_places[match.group(1)]
        for county in sorted(gazetteer.counties_of_office(slug)):
            found.add("fylke", county, f"statsforvalter: «{match.group(0)}»")


def _office_from_url(gazetteer: Gazetteer, url: str, found: _Regions) -> None:
    if "statsforvalteren.no" not in url.lower():  # the host, if any, is in the address
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not (host == "statsforvalteren.no" or host.endswith(".statsforvalteren.no")):
        return
    for segment in parts.path.lower().split("/")[1:3]:
        segment = _URL_SLUG_ALIASES.get(segment, segment)
        if segment in gazetteer._offices:
            for county in sorted(gazetteer.counties_of_office(segment)):
                found.add("fylke", county, f"adresse: statsforvalteren.no/{segment}")
            return


def _municipality_from_url(gazetteer: Gazetteer, url: str, found: _Regions) -> None:
    """A municipality's own site (``bergen.kommune.no``) names the municipality, when the
    item names no place and no statsforvalter (as an office's address does, R4)."""
    if ".kommune.no" not in url.lower():
        return
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    label = host.removesuffix(".kommune.no")
    number = gazetteer._hosts.get(label) if host.endswith(".kommune.no") else None
    if number is not None:
        name = gazetteer.municipality_name(number)
        found.add("kommune", number, f"adresse: {host}")
        found.add("fylke", gazetteer.county_of_municipality(number), f"fylket til kommune: {name}")


def _find_names(
    gazetteer: Gazetteer, text: str, found: _Regions, offices: set[str]
) -> list[_Place]:
    """Tag unambiguous names; return ambiguous ones for later resolution. A name that is also
    an ordinary word (``_CONTEXT_NAMES``) in an item of a statsforvalter office is taken
    only when it lies in that office's counties: «Os» from Vestland is not Os in Innlandet,
    «Sande» from Vestfold og Telemark not Sande in Møre og Romsdal (both former
    municipalities of those counties)."""
    pending: list[_Place] = []
    consumed = 0
    for match in _capitalised_words(text):
        if match.start() < consumed:
            continue
        hit = _match_place(gazetteer, text, match)
        if hit is None:
            continue
        place, end, surface = hit
        if place.common and not _context_ok(text, match.start(), end):
            continue
        if place.common and offices and not _within(gazetteer, place, offices):
            continue
        consumed = end
        if place.ambiguous:
            pending.append(place)
        else:
            for kind, code in place.targets:
                found.add(kind, code, f"{kind}: «{surface}»")
    return pending


def _capitalised_words(text: str) -> Iterator[re.Match[str]]:
    """Words starting with a capital, not preceded by a letter, digit, "_" or "-"."""
    for match in _CAPITAL_RE.finditer(text):
        start = match.start()
        if start == 0 or not _WORD_OR_DASH_RE.match(text, start - 1):
            yield match


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


def _within(gazetteer: Gazetteer, place: _Place, counties: set[str]) -> bool:
    for kind, code in place.targets:
        county = code if kind == "fylke" else gazetteer.county_of_municipality(code)
        if county in counties:
            return True
    return False


def _resolve_ambiguous(
    gazetteer: Gazetteer, pending: Iterable[_Place], found: _Regions, offices: set[str]
) -> None:
    """A name shared by several municipalities is tagged only if its county is evident (a
    place of it named, or its statsforvalter)."""
    counties = found.counties() | offices
    for place in pending:
        for _, number in place.targets:
            county = gazetteer.county_of_municipality(number)
            if county in counties:
                name = gazetteer.municipality_name(number)
                found.add("kommune", number, f"kommune: «{name}» (fylket er nevnt)")
                found.add("fylke", county, f"fylket til kommune: {name}")
