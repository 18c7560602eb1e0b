"""``GET /endringer.atom``: the published changes as an Atom 1.0 feed, newest 50 first.

The filters of the change log and the API, as query parameters: ``subtopic`` (a slug),
``authority`` (fhi, helsedirektoratet, regjeringen, ...), ``region`` (a county's two digits or a
municipality's four; a county's feed includes its municipalities' changes, which carry the
county too), ``kind``, ``urgent=1``, ``since``/``until``, ``q``; and ``lang=nn`` for nynorsk
titles. A wrong parameter is answered 400 with the Norwegian JSON error of the API.

Conditional GET: a strong ETag from the filters, the language and the ids and edit times of
the entries (so a new change, an edit or a suppression changes it), Last-Modified from the
newest entry; ``If-None-Match`` (or, without it, ``If-Modified-Since``) is answered 304
before the feed is rendered. ``Cache-Control: public, max-age=NOTIFIER_API_CACHE_SECONDS``.

Too many requests from one client (a 304 counts too): 429 with ``Retry-After`` and the API's
JSON error (``notifier.web.ratelimit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from feeds.store.models import Change
from notifier import atom
from notifier.context import Context
from notifier.public_changes import find_changes, sources_of
from notifier.render import KIND_NB, KIND_NN
from notifier.web.deps import CtxDep, DbSession
from notifier.web.links import lang_suffix
from notifier.web.ratelimit import feed_limit
from notifier.web.routes.api_common import (
    Filters,
    base_url,
    conditional,
    public_cache,
    read_filters,
    read_lang,
)
from notifier.web.staff_views import authority_name

router = APIRouter()

FEED_PATH = "/endringer.atom"
ENTRIES = 50
#: the fixed words of the feeds (bokmål, nynorsk)
WORDS = {
    "nb": {
        "title": "Helsevarsel: endringer",
        "about": "om",
        "from": "fra",
        "for": "for",
        "urgent": "som haster",
        "urgent_prefix": "Haster",
        "subtitle": (
            "Endringer i regelverk og veiledning fra helsemyndighetene, funnet av Helsevarsel"
        ),
        "source": "Les hos utgiveren",
    },
    "nn": {
        "title": "Helsevarsel: endringar",
        "about": "om",
        "from": "frå",
        "for": "for",
        "urgent": "som hastar",
        "urgent_prefix": "Hastar",
        "subtitle": (
            "Endringar i regelverk og rettleiing frå helsestyresmaktene, funne av Helsevarsel"
        ),
        "source": "Les hos utgjevaren",
    },
}


def feed_title(ctx: Context, filters: Filters, lang: str) -> str:
    words = WORDS[lang]
    parts = [words["title"]]
    if filters.subtopic:
        parts.append(f"{words['about']} {ctx.taxonomy.label(filters.subtopic, lang)}")
    if filters.authority:
        parts.append(f"{words['from']} {authority_name(filters.authority)}")
    if filters.region:
        gaz = ctx.gazetteer
        place = gaz.municipality_name(filters.region) or gaz.county_name(filters.region)
        parts.append(f"{words['for']} {place}")
    if filters.urgent:
        parts.append(words["urgent"])
    return " ".join(parts)


def entry_title(change: Change, lang: str) -> str:
    kinds = KIND_NN if lang == "nn" else KIND_NB
    title = f"{kinds.get(change.kind, change.kind.capitalize())}: {change.title}"
    return f"{WORDS[lang]['urgent_prefix']}! {title}" if change.urgent else title


def updated_of(change: Change) -> datetime:
    """When the entry last changed: detected; confirmed by a later check (a page change is
    published then, possibly after changes found in between); or edited or retagged by staff
    since."""
    stamps = [change.detected_at, change.confirmed_at, change.reviewed_at]
    return max(s for s in stamps if s is not None)


def build_feed(
    ctx: Context, session: Session, filters: Filters, lang: str, changes: Sequence[Change]
) -> atom.AtomFeed:
    base = base_url(ctx)
    params = filters.params() | ({"lang": lang} if lang != "nb" else {})
    query = f"?{urlencode(sorted(params.items()))}" if params else ""
    sources = sources_of(session, changes)
    known = ctx.taxonomy.slugs()
    entries = []
    for change in changes:
        source = sources.get(change.source_id)
        publisher = source.name or source.key if source else ""
        page = f"{base}/endringer/{change.id}"  # the entry's id, the same in both languages
        entries.append(
            atom.AtomEntry(
                id=page, title=entry_title(change, lang), link=page + lang_suffix(lang),
                updated=updated_of(change), published=change.published_at or change.detected_at,
                author=publisher or "Helsevarsel",
                content_html=atom.change_html(
                    change.summary, change.diff, change.url, WORDS[lang]["source"]
                ),
                related=change.url,
                categories=tuple(
                    (slug, ctx.taxonomy.label(slug, lang)) for slug in change.subtopics
                    if slug in known
                ),
            )
        )  # fmt: skip
    return atom.AtomFeed(
        id=f"{base}{FEED_PATH}{query}",
        title=feed_title(ctx, filters, lang),
        subtitle=WORDS[lang]["subtitle"],
        self_url=f"{base}{FEED_PATH}{query}",
        alternate_url=f"{base}/endringer{query}",
        author="Helsevarsel",
        lang=lang,
        entries=tuple(entries),
    )


@router.get(
    FEED_PATH, response_class=Response, include_in_schema=False, dependencies=[Depends(feed_limit)]
)
def changes_feed(request: Request, ctx: CtxDep, session: DbSession) -> Response:
    params = request.query_params
    filters = read_filters(ctx, session, params)
    lang = read_lang(params.get("lang"))
    changes = find_changes(session, filters.query(), limit=ENTRIES)
    stamps = [(c.id, atom.atom_time(updated_of(c))) for c in changes]
    tag = atom.etag("atom1", filters.key, lang, stamps)
    newest = max((updated_of(c) for c in changes), default=None)
    return conditional(
        request,
        tag,
        lambda: atom.render(build_feed(ctx, session, filters, lang, changes)),
        atom.MEDIA_TYPE,
        public_cache(ctx),
        last_modified=newest,
    )
