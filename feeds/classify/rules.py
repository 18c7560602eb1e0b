"""The vocabulary classifier: subtopics, regions and urgency, every tag with its reason.

Pure logic: the only I/O is loading the bundled data files once (``load_taxonomy``,
``load_gazetteer``); ``classify`` takes values and returns a frozen ``Classification``.

The vocabulary classifier of the ``feeds.classify`` package (which re-exports ``Tag``,
``Classification`` and ``classify``); its parts are ``feeds.classify.terms``,
``feeds.classify.taxonomy`` and ``feeds.classify.gazetteer``.

Approach
========
Subtopics
    Each field is normalised once and split into words: ``title``, ``section`` (heading
    path of a changed guide section), ``lede`` (the first ``lede_chars`` characters of the
    text), ``body`` (the rest) and ``url`` (the words of the address path); the taxonomy's
    matcher finds the term hits (``feeds.classify.terms``). Exclude
    patterns (false friends: ``attest``, ``overdose``, ``isolert sett``) block the words they
    cover for one subtopic. score = sum of field weight x term weight, each distinct stem
    counted once per field. A subtopic is tagged at ``threshold``; an umbrella (``tisk``) is
    also tagged when enough of its children are. Catalogue subtopics (``source_subtopics``)
    and address rules (``lovdata.no``) always tag.

Regions
    See ``feeds.classify.gazetteer``.

Urgency (rules as data in ``subtopics.json``)
    A rule fires on one of its terms in its fields, on its hosts, or on its catalogue
    subtopics, unless one of its veto terms occurs; ``staff_urgent`` always fires.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from feeds.classify.gazetteer import Gazetteer, RegionTag, find_regions, load_gazetteer
from feeds.classify.taxonomy import (
    FIELD_LABELS,
    FIELD_ORDER,
    Subtopic,
    Taxonomy,
    UrgencyRule,
    load_taxonomy,
)
from feeds.classify.terms import (
    URL_WORD_RE,
    ClassifyDataError,
    FieldHits,
    Target,
    WordHits,
    normalise,
    normalise_nfc,
    split_words,
    stem,
)

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
    """One subtopic given to a change, with the reason it was given, and how well it fits
    (the model's calibrated probability; 1.0 for the catalogue's and the vocabulary's tags)."""

    slug: str
    reason: str
    score: float = 1.0


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
class Scanned:
    """One item's fields normalised and split into words, once for the vocabulary and the
    model's features: ``title``, ``section`` (the heading path joined by " / "), ``lede``
    (the first ``lede_chars`` characters of the text) and ``body`` (the rest), each as text
    and as words (``split_words``); ``body_head`` holds the words of the body's first
    ``BODY_HEAD_CHARS`` characters (``split_words(body[:BODY_HEAD_CHARS])``, what the model
    reads of a long body), or is None when the body is no longer than that."""

    texts: Mapping[str, str]
    words: Mapping[str, list[str]]
    lede_chars: int
    body_head: list[str] | None = None


@dataclass(frozen=True, slots=True)
class _Item:
    fields: tuple[FieldHits, ...]  # in FIELD_ORDER, empty fields left out
    host: str
    scanned: Scanned


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
    """Term hits per field; ``title``, ``text`` and ``section_path`` are NFC already, and so
    is the path joined (" / " composes with no neighbour): ``normalise_nfc`` needs no NFC
    pass."""
    lede, body = _split_lede(normalise_nfc(text), taxonomy._scoring.lede_chars)
    host, url_words = _url_words(url)
    texts = {
        "title": normalise_nfc(title),
        "section": normalise_nfc(" / ".join(section_path)),
        "lede": lede,
        "body": body,
    }
    words = {name: split_words(value) for name, value in texts.items() if name != "body"}
    words["body"], head = _split_body(body)
    fields = {**words, "url": url_words}
    scan = taxonomy._matcher.scan_grouped
    return _Item(
        tuple(scan(name, words) for name, words in fields.items() if words),
        host,
        Scanned(texts, words, taxonomy._scoring.lede_chars, head),
    )


#: the model's features read this much of the body (``features.BODY_CHARS`` is this)
BODY_HEAD_CHARS = 1000


def _split_body(body: str) -> tuple[list[str], list[str] | None]:
    """``split_words(body)`` and, for a body longer than ``BODY_HEAD_CHARS``,
    ``split_words(body[:BODY_HEAD_CHARS])``, splitting the head only once.

    Split at a space, the words of a text are those of the part before it followed by those
    of the part after (``split_words`` splits on whitespace first), so with ``cut`` just
    after the last space before ``BODY_HEAD_CHARS`` (0 if none), the body's words are
    ``words(body[:cut]) + words(body[cut:])`` and the head's ``words(body[:cut]) +
    words(body[cut:BODY_HEAD_CHARS])``: the last part is at most one token."""
    if len(body) <= BODY_HEAD_CHARS:
        return split_words(body), None
    cut = body.rfind(" ", 0, BODY_HEAD_CHARS) + 1
    before = split_words(body[:cut])
    return before + split_words(body[cut:]), before + split_words(body[cut:BODY_HEAD_CHARS])


_FIELD_RANK = {name: rank for rank, name in enumerate(FIELD_ORDER)}


@dataclass(slots=True)
class _Evidence:
    score: int = 0
    strongest: int = 0
    words: set[str] = field(default_factory=set)
    parts: list[tuple[int, int, str, str]] = field(default_factory=list)

    def add(self, points: int, target: Target, field_name: str, surface: str) -> None:
        self.score += points
        if target.weight > self.strongest:
            self.strongest = target.weight
        self.words.add(target.term)
        self.parts.append((-points, _FIELD_RANK[field_name], field_name, surface))

    def reason(self) -> str:
        chosen: dict[str, list[str]] = {}
        for _, _, field_name, surface in sorted(self.parts)[:3]:
            chosen.setdefault(field_name, []).append(f"«{surface}»")
        ordered = sorted(chosen.items(), key=lambda item: _FIELD_RANK[item[0]])
        return "; ".join(f"{FIELD_LABELS[name]}: {', '.join(words)}" for name, words in ordered)


# The best hit of one subtopic for one word or phrase (by stems) in one field: the first, in
# scan order (``FieldHits``), of the highest weight. Single words: (weight, position, rank among
# the word's targets, target, surface); phrases: (weight, start, 0, target, surface).
_Best = tuple[int, int, int, Target, str]


def _blocked_spans(fields: FieldHits) -> dict[str, set[int]]:
    """Word positions per owner in one field that an exclude or a phrase accounts for."""
    blocked: dict[str, set[int]] = {}
    for single in fields.singles:
        for target in single.targets:
            if target.kind == "x":
                blocked.setdefault(target.owner, set()).update(fields.positions(single.word))
    for hit in fields.phrases:  # every phrase spans several words
        if hit.target.kind in ("x", "s"):
            blocked.setdefault(hit.target.owner, set()).update(range(hit.start, hit.end))
    return blocked


def _subtopic_evidence(taxonomy: Taxonomy, item: _Item) -> dict[str, _Evidence]:
    """Score each subtopic's unblocked hits, each (field, stems) once at its best weight."""
    evidence: dict[str, _Evidence] = {}
    weights = taxonomy._scoring.field_weights
    for fields in item.fields:
        blocked = _blocked_spans(fields)
        best: dict[tuple[str, str], _Best] = {}
        _best_singles(fields, blocked, best)
        _best_phrases(fields, blocked, best)
        points_per_weight = weights.get(fields.field, 0)
        for (slug, _), (weight, _, _, target, surface) in best.items():
            found = evidence.get(slug)
            if found is None:
                found = evidence[slug] = _Evidence()
            found.add(points_per_weight * weight, target, fields.field, surface)
    return evidence


def _best_singles(
    fields: FieldHits, blocked: Mapping[str, set[int]], best: dict[tuple[str, str], _Best]
) -> None:
    for single in fields.singles:
        for rank, target in enumerate(single.targets):
            if target.kind != "s":
                continue
            position = single.first
            if blocked:
                position = _first_unblocked(fields, single, target.name, blocked)
                if position < 0:
                    continue
            candidate = (target.weight, position, rank, target, single.word)
            key = (target.name, single.stem)
            known = best.get(key)
            if known is None or _better(candidate, known):
                best[key] = candidate


def _better(candidate: _Best, known: _Best) -> bool:
    """Higher weight, or the same weight earlier in ``scan`` order (position, rank)."""
    if candidate[0] != known[0]:
        return candidate[0] > known[0]
    return candidate[1:3] < known[1:3]


def _first_unblocked(
    fields: FieldHits, single: WordHits, slug: str, blocked: Mapping[str, set[int]]
) -> int:
    """The first position of the word not covered by an exclude or a phrase of ``slug``."""
    excluded = blocked.get(f"x:{slug}", ())
    phrased = blocked.get(f"s:{slug}", ())
    position = single.first
    # the word's positions in order, each looked for only once the one before is blocked
    # (most often the first is free: no need to find every position of a common word)
    while position in excluded or position in phrased:
        try:
            position = fields.words.index(single.word, position + 1)
        except ValueError:
            return -1
    return position


def _best_phrases(
    fields: FieldHits, blocked: Mapping[str, set[int]], best: dict[tuple[str, str], _Best]
) -> None:
    for hit in fields.phrases:
        target = hit.target
        if target.kind != "s":
            continue
        excluded = blocked.get(f"x:{target.name}", ())
        if any(position in excluded for position in range(hit.start, hit.end)):
            continue
        key = (target.name, hit.key)
        known = best.get(key)
        if known is None or known[0] < target.weight:
            best[key] = (target.weight, hit.start, 0, target, hit.surface)


def _subtopic_tags(
    taxonomy: Taxonomy,
    item: _Item,
    source_subtopics: Sequence[str],
    found: Mapping[str, _Evidence],
    reasons: bool = True,
) -> dict[str, Tag]:
    """Catalogue and address tags first, then scored evidence, then umbrellas (without
    ``reasons``, scored evidence tags carry the reason "ordliste" only)."""
    tags = _source_tags(taxonomy, source_subtopics)
    for host, slugs in taxonomy._url_rules:
        if item.host == host or item.host.endswith("." + host):
            for slug in slugs:
                tags.setdefault(slug, Tag(slug, f"adresse: {host}"))
    for slug, scored in found.items():
        if slug not in tags and _enough(taxonomy, slug, scored):
            tags[slug] = Tag(slug, scored.reason() if reasons else _UNWRITTEN)
    for parent in taxonomy._parents:
        present = [child for child in parent.children if child in tags]
        if parent.slug not in tags and len(present) >= parent.needed:
            tags[parent.slug] = Tag(parent.slug, "underemner: " + ", ".join(sorted(present)))
    return tags


_UNWRITTEN = "ordliste"  # a vocabulary tag whose reason was not asked for


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


def _urgent_rules(
    taxonomy: Taxonomy, item: _Item, source_subtopics: Sequence[str], kind: str
) -> tuple[tuple[str, str], ...]:
    """(rule id, reason) of every urgency rule that fires."""
    if kind in taxonomy._skip_kinds:
        return ()
    sources = {taxonomy.canonical(slug) for slug in source_subtopics}
    terms = _urgency_terms(item)
    fired = []
    for rule in taxonomy._urgency:
        reason = _rule_reason(rule, terms, item.host, sources)
        if reason:
            fired.append((rule.rule_id, reason))
    return tuple(fired)


@dataclass(slots=True)
class _RuleTerms:
    """What one field holds for one urgency rule: a veto, a 'with' term, the first term."""

    veto: bool = False
    confirmed: bool = False
    first: str | None = None

    def add(self, target: Target, surface: str) -> None:
        self.veto = self.veto or target.kind == "n"
        self.confirmed = self.confirmed or target.kind == "w"
        if self.first is None and target.kind == "u":
            self.first = surface


_URGENCY_KINDS = frozenset("uwn")


def _urgency_terms(item: _Item) -> dict[str, dict[str, _RuleTerms]]:
    """rule id -> field -> the rule's terms there (fields in FIELD_ORDER; in a field, single
    words before phrases, in scan order: ``FieldHits``)."""
    terms: dict[str, dict[str, _RuleTerms]] = {}
    for fields in item.fields:
        for single in fields.singles:
            for target in single.targets:
                if target.kind in _URGENCY_KINDS:
                    _rule_terms(terms, target, fields.field).add(target, single.word)
        for hit in fields.phrases:
            if hit.target.kind in _URGENCY_KINDS:
                _rule_terms(terms, hit.target, fields.field).add(hit.target, hit.surface)
    return terms


def _rule_terms(
    terms: dict[str, dict[str, _RuleTerms]], target: Target, field_name: str
) -> _RuleTerms:
    per_field = terms.setdefault(target.name, {})
    found = per_field.get(field_name)
    if found is None:
        found = per_field[field_name] = _RuleTerms()
    return found


def _rule_reason(
    rule: UrgencyRule,
    terms: Mapping[str, Mapping[str, _RuleTerms]],
    host: str,
    sources: set[str],
) -> str | None:
    """The rule's reason with its trigger, or None. Term triggers need a 'with' hit too
    (when the rule has a 'with' list); a veto ('unless') in the rule's fields wins."""
    trigger: str | None = None
    confirmed = not rule.needs_with
    for field_name, found in terms.get(rule.rule_id, {}).items():
        if field_name not in rule.fields:
            continue
        if found.veto:
            return None
        confirmed = confirmed or found.confirmed
        if trigger is None and found.first is not None:
            trigger = f"{FIELD_LABELS[field_name]}: «{found.first}»"
    if trigger is None or not confirmed:
        trigger = _host_or_source(rule, host, sources)
    return f"{rule.reason} ({trigger})" if trigger else None


def _host_or_source(rule: UrgencyRule, host: str, sources: set[str]) -> str | None:
    for candidate in rule.hosts:
        if host == candidate or host.endswith("." + candidate):
            return f"adresse: {candidate}"
    if rule.source_subtopics & sources:
        return "kilde"
    return None


@dataclass(frozen=True)
class Evidence:
    """What the vocabulary says about one item, before any model: the score and reason of
    every subtopic with a hit, the tags the vocabulary alone gives (catalogue, address,
    scored evidence, umbrellas), and the urgency rules that fire (rule id, reason)."""

    scores: Mapping[str, int]
    tags: Mapping[str, Tag]
    urgent_rules: tuple[tuple[str, str], ...]
    scanned: Scanned | None = field(repr=False, compare=False, default=None)
    _found: Mapping[str, _Evidence] = field(repr=False, compare=False, default_factory=dict)

    def reason(self, slug: str) -> str | None:
        """The vocabulary's reason for ``slug`` (its strongest words per field), if any hit."""
        found = self._found.get(slug)
        return found.reason() if found is not None else None


def evidence(
    taxonomy: Taxonomy,
    *,
    title: str,
    text: str,
    url: str = "",
    source_subtopics: Sequence[str] = (),
    section_path: Sequence[str] = (),
    kind: str = "",
    reasons: bool = True,
) -> Evidence:
    """The vocabulary's evidence for one item (``title``, ``text``, ``section_path`` NFC).
    Without ``reasons`` the tags of scored evidence carry no written reason (the model's
    classifier writes one only for the tags it gives, with ``Evidence.reason``)."""
    item = _scan_item(taxonomy, title, text, url, section_path)
    found = _subtopic_evidence(taxonomy, item)
    return Evidence(
        scores={slug: ev.score for slug, ev in found.items()},
        tags=_subtopic_tags(taxonomy, item, source_subtopics, found, reasons),
        urgent_rules=_urgent_rules(taxonomy, item, source_subtopics, kind),
        scanned=item.scanned,
        _found=found,
    )


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
    title, text = unicodedata.normalize("NFC", title), unicodedata.normalize("NFC", text)
    section_path = [unicodedata.normalize("NFC", heading) for heading in section_path]
    found = evidence(
        taxonomy,
        title=title,
        text=text,
        url=url,
        source_subtopics=source_subtopics,
        section_path=section_path,
        kind=kind,
    )
    tags = found.tags
    regions: tuple[RegionTag, ...] = ()
    if gazetteer is not None:
        regions = find_regions(gazetteer, [title, *section_path, text], url)
    reasons: tuple[str, ...] = (taxonomy._staff_reason,) if staff_urgent else ()
    reasons += tuple(reason for _, reason in found.urgent_rules)
    return Classification(
        subtopics=tuple(tags[slug] for slug in sorted(tags)),
        regions=regions,
        urgent=bool(reasons),
        urgent_reasons=reasons,
    )
