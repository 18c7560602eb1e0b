"""The classifier's entry point: the vocabulary's evidence and the learned model decide
together; the gazetteer finds the regions.

1. ``rules.evidence``: what the vocabulary says (scores, tags, urgency rules that fire).
2. ``features.extract``: words, stems, word pairs, character n-grams, address words, and
   the vocabulary's evidence as features.
3. ``model``: one calibrated probability per head. The domain gate (``_domain``) comes
   first: an item that is not about health, care or health preparedness gets no subtopic
   and is never urgent (a fisheries regulation "trer i kraft straks", a test of Nødvarsel).
   Inside the domain every subtopic whose probability reaches its threshold (chosen on
   cross-validated scores over train and dev) is tagged, with the probability as the tag's
   ``score``; urgency likewise.
4. The catalogue's subtopics for the whole source (``source_subtopics``) are always tagged
   (reason ``kilde``), and ``staff_urgent`` always makes the item urgent.

When the taxonomy given is not the one the model was built with (an edited subtopics.json
before ``make model``), the vocabulary decides alone, as before the model.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from feeds.classify import rules
from feeds.classify.features import Features, extract
from feeds.classify.gazetteer import Gazetteer, RegionTag, find_regions
from feeds.classify.model import DOMAIN, URGENT, Model, Scores, load_model
from feeds.classify.rules import Classification, Tag
from feeds.classify.taxonomy import Taxonomy

_WORD_SPACES = frozenset("tlwb")
_CUES = {
    "x:contact_home": "nærkontakter skal være hjemme",
    "x:ill_home": "syke skal være hjemme",
    "x:near": "gjelder fra en nær dag",
    "x:clock": "klokkeslett",
    "x:inforce": "trer i kraft",
    "x:binding": "påbud eller vedtak",
}
_SHORTEST_REASON_WORD = 4
# Implied topics the guidelines spell out (principle 2; smittesporing): close contacts told
# to stay home are quarantine and tracing, whatever the model's threshold says.
IMPLIED: dict[str, tuple[tuple[str, ...], str]] = {
    "x:contact_home": (("karantene", "smittesporing"), "nærkontakter skal være hjemme"),
}
_MODEL_REASON = "modellen"
_URGENT_REASON = "hastesak etter modellen"


def _fits(model: Model, taxonomy: Taxonomy) -> bool:
    return {h for h in model.heads if not h.startswith("_")} == set(taxonomy.slugs())


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
    reason "kilde"; an unknown slug raises ``ClassifyDataError``. ``kind`` is the change verb
    ("new", "changed", "removed"); a removed item is never urgent unless staff say so.
    Without a gazetteer no regions are looked for.
    """
    return classify_with(
        load_model(), taxonomy, gazetteer, title=title, text=text, url=url,
        source_subtopics=source_subtopics, section_path=section_path, kind=kind,
        staff_urgent=staff_urgent,
    )  # fmt: skip


def classify_with(
    model: Model,
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
    """``classify`` with a model other than the shipped one (training, benchmarks)."""
    if not _fits(model, taxonomy):
        return rules.classify(
            taxonomy, gazetteer, title=title, text=text, url=url,
            source_subtopics=source_subtopics, section_path=section_path, kind=kind,
            staff_urgent=staff_urgent,
        )  # fmt: skip
    title, text = unicodedata.normalize("NFC", title), unicodedata.normalize("NFC", text)
    section_path = [unicodedata.normalize("NFC", heading) for heading in section_path]
    found = rules.evidence(
        taxonomy, title=title, text=text, url=url, source_subtopics=source_subtopics,
        section_path=section_path, kind=kind, reasons=False,
    )  # fmt: skip
    feats = extract(
        title=title, text=text, url=url, section_path=section_path, kind=kind, evidence=found
    )
    scores = model.score(feats.values)
    in_domain = model.says(scores, DOMAIN)
    tags = {slug: tag for slug, tag in found.tags.items() if tag.reason == "kilde"}
    if in_domain:
        for slug in taxonomy.slugs():
            if slug not in tags and model.says(scores, slug):
                reason = _reason(model, scores, feats, found, slug)
                tags[slug] = Tag(slug, reason, round(scores.probabilities[slug], 3))
        for cue, (implied, why) in IMPLIED.items():
            if cue in feats.values:
                for slug in implied:
                    if slug not in tags:
                        tags[slug] = Tag(slug, why, round(scores.probabilities[slug], 3))
    regions: tuple[RegionTag, ...] = ()
    if gazetteer is not None:
        regions = find_regions(gazetteer, [title, *section_path, text], url)
    urgent: list[str] = [taxonomy._staff_reason] if staff_urgent else []
    if in_domain and kind != "removed" and model.says(scores, URGENT):
        urgent += [reason for _, reason in found.urgent_rules]
        if len(urgent) == int(staff_urgent):
            urgent.append(_reason(model, scores, feats, found, URGENT, _URGENT_REASON))
    # best fit first (the model's probability, also for the catalogue's own tags): a digest
    # files the change under the first of these its reader follows
    ranked = sorted(tags, key=lambda slug: (-scores.probabilities.get(slug, 0.0), slug))
    return Classification(
        subtopics=tuple(tags[slug] for slug in ranked),
        regions=regions,
        urgent=bool(urgent),
        urgent_reasons=tuple(urgent),
    )


def _reason(
    model: Model,
    scores: Scores,
    feats: Features,
    found: rules.Evidence,
    head: str,
    label: str = _MODEL_REASON,
) -> str:
    """The vocabulary's reason for the subtopic and the model's probability
    (``tittel: «isolasjon»; modellen 0.97``); without a vocabulary hit, the words that
    weighed most in the model (``modellen 0.81: «nærkontakter», «holde seg hjemme»``)."""
    vocabulary = found.reason(head)
    probability = f"{label} {scores.probabilities[head]:.2f}"
    if vocabulary:
        return f"{vocabulary}; {probability}"
    names = [
        c.feature
        for c in model.strongest(scores, head, limit=8)
        if c.feature in _CUES
        or (c.feature[0] in _WORD_SPACES and len(c.feature) - 2 >= _SHORTEST_REASON_WORD)
    ]
    surfaces = feats.surfaces(names)
    words: list[str] = []
    for name in names:
        word = _CUES.get(name) or f"«{surfaces.get(name) or name[2:].replace('_', ' ')}»"
        if word not in words:
            words.append(word)
        if len(words) == 3:
            break
    return f"{probability}: {', '.join(words)}" if words else probability
