"""The ``page`` reader: one HTML page, sectioned by heading (``feeds.read.html``); with
``follow_pdfs``, its PDF attachments too, each a section of its own (``feeds.read.document``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from feeds.errors import ContentCollapse
from feeds.read.document import linked_page, pdf_links
from feeds.read.html import extract_page
from feeds.read.reader import PageInput, PageRead, PageReader
from feeds.types import FetchResult, Link, PageContent

if TYPE_CHECKING:
    from feeds.catalogue import SourceSpec


class WebPageReader(PageReader):
    """``page``: the sections of one HTML page (``selector``, ``drop``, ``noise`` apply)."""

    kind = "page"
    allows_follow_pdfs = True

    def links(self, spec: SourceSpec, result: FetchResult) -> tuple[Link, ...]:
        """The page's PDF attachments (``follow_pdfs``)."""
        return pdf_links(spec, result)

    def read(self, source: PageInput) -> PageRead:
        spec, result, last = source.spec, source.result, source.last
        # The last version's sections are taken over where their raw text is unchanged; only
        # when they were extracted by this same code (a new version re-baselines anyway).
        reuse = last.sections if last is not None and source.reuse else ()
        page = extract_page(
            result.body,
            result.headers,
            spec.selector,
            spec.drop,
            spec.noise,
            reuse,
            pdfs_followed=spec.follow_pdfs,
        )
        refuse_truncated(result.body, last, page, source.accept)
        if not source.linked:
            return PageRead(page)
        return linked_page(spec, page, source.linked, last, source.known)


#: A body without its closing </html> that lost more than this share of text looks truncated
#: (blind round 177: a body cut off inside a table lost 18 %)
TRUNCATED_RATIO = 0.9


def refuse_truncated(
    body: bytes, before: PageContent | None, after: PageContent, accept: str | None = None
) -> None:
    """A body cut off before </html> that also lost text looks like a broken transfer, not an
    edit: refused, and the last version kept. A site whose pages never close </html> may
    still cut a section: the same version found again by the next check is accepted
    (``accept``, the digest the refusal carried, as a collapse's; a transfer cut off twice
    at the same place is as unlikely as a second identical failure)."""
    if before is None or b"</html" in body[-4096:].lower():
        return
    if after.text_length < before.text_length * TRUNCATED_RATIO and accept != after.digest:
        raise ContentCollapse(
            f"the page ends before </html> and its text fell from {before.text_length} to "
            f"{after.text_length} characters: a truncated transfer; kept the last version "
            "(if the same version comes again it is taken)",
            digest=after.digest,
        )
