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
    The vocabulary classifier (``Tag``, ``Classification``; ``rules.classify`` alone, and
    ``rules.evidence``, what the vocabulary says as input to the model).
``feeds.classify.features``
    What the model sees of an item: named features (words, stems, pairs, character
    n-grams, address words, the vocabulary's evidence).
``feeds.classify.model``
    The learned model at run time: ``load_model`` (once per process), scores per head.
``feeds.classify.decide``
    ``classify``: the vocabulary and the model decide together, behind the domain gate.
``feeds.classify.dataset``, ``feeds.classify.train``
    The labelled data, its split by document, and building the model (``make model``;
    needs scikit-learn, a dev dependency).

Imports run one way: ``terms`` <- ``taxonomy``, ``gazetteer`` <- ``rules`` <- ``features``
<- ``decide``; ``model`` needs only ``terms``; ``train`` imports the others, and nothing
imports ``train``.
"""

from __future__ import annotations

from feeds.classify import rules
from feeds.classify.decide import classify
from feeds.classify.gazetteer import Gazetteer, RegionTag, load_gazetteer
from feeds.classify.rules import Classification, Tag
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
    "rules",
    "stem",
]
