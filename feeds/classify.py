"""Classify a detected change: subtopics, regions and urgency, every tag with its reason.

Pure logic: the only I/O is loading the bundled data files once (``load_taxonomy``,
``load_gazetteer``); ``classify`` takes values and returns a frozen ``Classification``.

The classifier is four modules, one concept each; this one is the entry point and re-exports
the public names of the others, so importers need only ``feeds.classify``:

``feeds.terms``
    Norwegian normalisation, the light bokmål/nynorsk stemmer (``normalise``, ``stem``) and
    the term matcher; ``ClassifyDataError``.
``feeds.taxonomy``
    ``Subtopic``, ``Taxonomy``, ``load_taxonomy``: subtopics, patterns, scoring settings and
    urgency rules from ``feeds/data/subtopics.json``.
``feeds.gazetteer``
    ``RegionTag``, ``Gazetteer``, ``load_gazetteer`` and place-name detection, from
    kommuner.csv, fylker.csv and statsforvaltere.csv.
``feeds.classify``
    ``Tag``, ``Classification``, ``classify``: scoring the term hits into subtopic tags,
    umbrellas, address and catalogue tags, and urgency.

Imports run one way, without cycles: ``terms`` <- ``taxonomy``; ``terms`` <- ``gazetteer``
(for ``ClassifyDataError``); all three <- ``classify``.

Approach
========
Subtopics
    Each field is normalised once and split into words: ``title``, ``section`` (heading
    path of a changed guide section), ``lede`` (the first ``lede_chars`` characters of the
    text), ``body`` (the rest) and ``url`` (the words of the address path); the taxonomy's
    matcher finds the term hits (``feeds.terms``). Exclude
    patterns (false friends: ``attest``, ``overdose``, ``isolert sett``) block the words they
    cover for one subtopic. score = sum of field weight x term weight, each distinct stem
    counted once per field. A subtopic is tagged at ``threshold``; an umbrella (``tisk``) is
    also tagged when enough of its children are. Catalogue subtopics (``source_subtopics``)
    and address rules (``lovdata.no``) always tag.

Regions
    See ``feeds.gazetteer``.

Urgency (rules as data in ``subtopics.json``)
    A rule fires on one of its terms in its fields, on its hosts, or on its catalogue
    subtopics, unless one of its veto terms occurs; ``staff_urgent`` always fires.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from feeds.gazetteer import Gazetteer, RegionTag, find_regions, load_gazetteer
from feeds.taxonomy import (
    FIELD_LABELS,
    FIELD_ORDER,
    Subtopic,
    Taxonomy,
    UrgencyRule,
    load_taxonomy,
)
from feeds.terms import URL_WORD_RE, WORD_RE, ClassifyDataError, Hit, normalise, stem

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


@dataclass(frozen=True)
class Tag:
    """One subtopic given to a change, with the reason it was given."""

    slug: str
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


# --------------------------------------------------------------------------- classify


@dataclass(frozen=True, slots=True)
class _Item:
    hits: tuple[Hit, ...]
    host: str


def _url_words(url: str) -> tuple[str, list[str]]:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return host, URL_WORD_RE.findall(normalise(parts.path))


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
        "title": WORD_RE.findall(normalise(title)),
        "section": WORD_RE.findall(normalise(" / ".join(section_path))),
        "lede": WORD_RE.findall(lede),
        "body": WORD_RE.findall(body),
        "url": url_words,
    }
    hits: list[Hit] = []
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

    def add(self, points: int, weight: int, hit: Hit) -> None:
        self.score += points
        self.strongest = max(self.strongest, weight)
        self.words.add(hit.target.term)
        self.parts.append((-points, FIELD_ORDER.index(hit.field), hit.field, hit.surface))

    def reason(self) -> str:
        chosen: dict[str, list[str]] = {}
        for _, _, field_name, surface in sorted(self.parts)[:3]:
            chosen.setdefault(field_name, []).append(f"«{surface}»")
        ordered = sorted(chosen.items(), key=lambda item: FIELD_ORDER.index(item[0]))
        return "; ".join(f"{FIELD_LABELS[name]}: {', '.join(words)}" for name, words in ordered)


def _blocked_spans(hits: Iterable[Hit]) -> dict[tuple[str, str], set[int]]:
    """Word positions per (field, owner) that an exclude or a phrase already accounts for."""
    blocked: dict[tuple[str, str], set[int]] = {}
    for hit in hits:
        kind, _, slug = hit.target.owner.partition(":")
        if kind == "x" or (kind == "s" and hit.end - hit.start > 1):
            owner = f"{kind}:{slug}"
            blocked.setdefault((hit.field, owner), set()).update(range(hit.start, hit.end))
    return blocked


def _subtopic_evidence(taxonomy: Taxonomy, hits: Sequence[Hit]) -> dict[str, _Evidence]:
    blocked = _blocked_spans(hits)
    best: dict[tuple[str, str, str], Hit] = {}
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


def _is_blocked(hit: Hit, slug: str, blocked: Mapping[tuple[str, str], set[int]]) -> bool:
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


def _rule_reason(rule: UrgencyRule, item: _Item, sources: set[str]) -> str | None:
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
            trigger = f"{FIELD_LABELS[hit.field]}: «{hit.surface}»"
    if trigger is None or not confirmed:
        trigger = _host_or_source(rule, item.host, sources)
    return f"{rule.reason} ({trigger})" if trigger else None


def _host_or_source(rule: UrgencyRule, host: str, sources: set[str]) -> str | None:
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
        regions = find_regions(gazetteer, texts, url)
    reasons = _urgent_reasons(taxonomy, item, source_subtopics, kind, staff_urgent)
    return Classification(
        subtopics=tuple(tags[slug] for slug in sorted(tags)),
        regions=regions,
        urgent=bool(reasons),
        urgent_reasons=reasons,
    )
