"""What a reader is: what one source kind needs from a check, and how it reads what was fetched.

A reader declares, as class attributes, what the catalogue and the check ask of its kind:

- ``link_rule``: the source names ``link_selector`` or ``link_pattern`` (its items or its
  chapters are links of the watched page), the catalogue refuses it otherwise;
- ``allows_follow_pdfs``: ``follow_pdfs`` may be set;
- ``contents``: the watched URL is a table of contents whose parts are fetched on every check
  (each conditionally), so a 304 to the URL itself still checks the parts;

and from them, per source, whether a check fetches linked parts (``follows_links``) and whether
the watched URL is asked for with its validators (``conditional``). An ``ItemReader`` makes
items of a body (``FeedContent``: what is new is news, never confirmed), a ``PageReader``
sections (``PageContent``: what changed waits for a re-check before anyone is told). The
table of every reader, by kind, is ``feeds.read.READERS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from feeds.types import FeedContent, FetchResult, Link, Linked, PageContent, Parts

if TYPE_CHECKING:
    from feeds.catalogue import SourceSpec


@dataclass(frozen=True)
class PageRead:
    """What a page reader made of a check: the page, the problems of single parts (a chapter
    or an attachment that failed; the rest was read) and what to keep of every part for the
    next check."""

    page: PageContent
    problems: tuple[str, ...] = ()
    parts: Parts = field(default_factory=dict)


@dataclass(frozen=True)
class PageInput:
    """What a page reader reads: the fetched response and linked parts, with the last version
    (``last``: its sections are kept for parts that did not change; ``reuse``: it was read by
    this same code, so a section whose raw text is unchanged is taken over as it is;
    ``known``: its parts)."""

    spec: SourceSpec
    result: FetchResult
    last: PageContent | None = None
    reuse: bool = False
    linked: Sequence[Linked] = ()
    known: Parts = field(default_factory=dict)
    #: the digest of a version refused once as looking truncated (or collapsed), which a
    #: check that finds it again accepts (``ContentCollapse.digest``)
    accept: str | None = None


class Reader:
    """One source kind: what it needs (class attributes) and which links it follows."""

    kind: ClassVar[str]
    link_rule: ClassVar[bool] = False
    allows_follow_pdfs: ClassVar[bool] = False
    contents: ClassVar[bool] = False

    def follows_links(self, spec: SourceSpec) -> bool:
        """Whether a check of this source fetches linked parts too (its chapters, or the PDF
        attachments of a page with ``follow_pdfs``)."""
        return self.contents or (self.allows_follow_pdfs and spec.follow_pdfs)

    def conditional(self, spec: SourceSpec) -> bool:
        """Whether the watched URL is asked for with its validators: always, but for a page
        whose attachments are followed (its own sections come from its body: fetched whole)."""
        return self.contents or not self.follows_links(spec)

    def links(self, spec: SourceSpec, result: FetchResult) -> tuple[Link, ...]:
        """The parts a fetched body links to that a check fetches too (none by default)."""
        return ()


class ItemReader(Reader):
    """A reader of items: a feed, or a page read as one."""

    #: items are also known by their title and text when their identity changed (RSS and
    #: Atom; a listing's links have no text, a change log's rows repeat theirs by design)
    match_by_text: ClassVar[bool] = False

    def read(self, spec: SourceSpec, result: FetchResult) -> FeedContent:
        raise NotImplementedError


class PageReader(Reader):
    """A reader of a page: sections under their heading paths."""

    def read(self, source: PageInput) -> PageRead:
        raise NotImplementedError
