"""Classify a detected change: subtopics, regions and urgency, every tag with its reason.

The classifier is a package of one concept per module; importers use only this one:

``feeds.classify.terms``
    Norwegian normalisation, the light bokmål/nynorsk stemmer (``normalise``, ``stem``) and
    the term matcher; ``ClassifyDataError``.
``feeds.classify.taxonomy``
    ``Subtopic``, ``Taxonomy``, ``load_taxonomy``: subtopics, patterns, scoring settings and
    urgency rules from ``feeds/data/subtopics.json``.
``feeds.classify.gazetteer``
    ``RegionTag``, ``Gazetteer``, ``load_gazetteer`` and place-name detection.
``feeds.classify.rules``
    The vocabulary classifier: ``Tag``, ``Classification``, ``classify``.
"""

from __future__ import annotations

from feeds.classify.gazetteer import Gazetteer, RegionTag, load_gazetteer
from feeds.classify.rules import Classification, Tag, classify
from feeds.classify.taxonomy import Subtopic, Taxonomy, load_taxonomy
from feeds.classify.terms import ClassifyDataError, normalise, stem

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
