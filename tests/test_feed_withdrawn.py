"""An item withdrawn from a feed is told as removed; an item that falls out of the feed's
window is not (feeds.detect.diff.withdrawn, blind rounds 176 and 182).

A feed is a window over its newest items: items leave it at its old end as new ones come. An
item gone from between items that stay, and not older than every item that stays, was taken
down (a press release withdrawn, advice pulled): the reader must hear of it, and of its
return (blind round 191). An item re-published in its place under a new link, edited, is
the same item changed. Bokmål and nynorsk feeds alike; RSS and a municipality's news listing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from feeds.catalogue import SourceSpec
from feeds.detect.detection import Detection, detect
from feeds.detect.diff import render_segments_text
from feeds.store.models import Change
from feeds.store.snapshot import state_from_blob, state_to_blob
from feeds.types import RECHECK_MARK, FetchResult, SnapshotState
from notifier.cli import app
from tests.support.httpserver import FixtureServer
from tests.support.smtpserver import Inbox

URL = "https://www.example.no/rss"
SPEC = SourceSpec(key="t", name="Pressemeldinger", url=URL, kind="feed", authority="test")
TITLES = {
    "nb": ["Nye råd om influensavaksine", "Egenandel for fysioterapi endres",
           "Beredskapslageret fylles opp", "Ny strategi mot antibiotikaresistens",
           "Tilskudd til kommunene"],
    "nn": ["Nye råd om influensavaksine", "Eigendel for fysioterapi blir endra",
           "Beredskapslageret blir fylt opp", "Ny strategi mot antibiotikaresistens",
           "Tilskot til kommunane"],
}  # fmt: skip
DATES = ["Fri, 04 Dec 2026 10:00:00 +0100", "Thu, 03 Dec 2026 10:00:00 +0100",
         "Wed, 02 Dec 2026 10:00:00 +0100", "Tue, 01 Dec 2026 10:00:00 +0100",
         "Mon, 30 Nov 2026 10:00:00 +0100"]  # fmt: skip


def rss(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 feed of (title, guid, pubDate) items, newest first as given."""
    body = "".join(
        f"<item><title>{title}</title><link>https://www.example.no/sak/{guid}</link>"
        f"<guid>https://www.example.no/sak/{guid}</guid><pubDate>{date}</pubDate>"
        f"<description>{title}: les mer om saken hos departementet.</description></item>"
        for title, guid, date in items
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Pressemeldinger</title><link>https://www.example.no/</link>{body}"
        "</channel></rss>"
    ).encode()


def items(lang: str, picks: list[int], dated: bool = True) -> list[tuple[str, str, str]]:
    return [(TITLES[lang][n], f"id{n}", DATES[n] if dated else "") for n in picks]


def run(*versions: bytes, spec: SourceSpec = SPEC) -> Detection:
    state: SnapshotState | None = None
    detection = None
    for body in versions:
        detection = detect(spec, FetchResult(URL, 200, body), state)
        if detection.state is not None:
            state = state_from_blob(state_to_blob(detection.state))
    assert detection is not None
    return detection


def told(detection: Detection) -> list[tuple[str, str]]:
    return sorted((c.kind, c.title) for c in detection.changes)


def confirmed(*versions: bytes, spec: SourceSpec = SPEC) -> Detection:
    """The versions checked in turn, the last one checked twice: a withdrawal is told when
    the next check finds the item gone too."""
    return run(*versions, versions[-1], spec=spec)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_item_gone_from_the_middle_is_told_as_removed_at_the_next_check(lang: str) -> None:
    full, less = rss(items(lang, [0, 1, 2, 3])), rss(items(lang, [0, 2, 3]))
    first = run(full, less)
    assert told(first) == []  # gone once: waits for the next check, as a page's change does
    assert "told if still gone at the next check" in first.note
    assert first.state is not None and first.state.body_hash.startswith(RECHECK_MARK)
    d = confirmed(full, less)
    assert told(d) == [("removed", TITLES[lang][1])]
    [change] = d.changes
    assert change.url == "https://www.example.no/sak/id1"
    assert TITLES[lang][1] in change.before and change.after == ""
    assert d.outcome == "changed"
    assert d.state is not None and not d.state.body_hash.startswith(RECHECK_MARK)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_item_gone_once_and_back_is_no_news(lang: str) -> None:
    # a cache that served the feed without it once: nothing is told, then or at its return
    full, less = rss(items(lang, [0, 1, 2, 3])), rss(items(lang, [0, 2, 3]))
    assert told(run(full, less, full)) == []
    assert told(run(full, less, full, full)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_item_gone_with_a_new_one_on_top_is_told_beside_it(lang: str) -> None:
    before, after = rss(items(lang, [1, 2, 3, 4])), rss(items(lang, [0, 1, 3, 4]))
    assert told(run(before, after)) == [("new", TITLES[lang][0])]  # not delayed
    assert told(confirmed(before, after)) == [("removed", TITLES[lang][2])]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_items_that_fall_out_of_the_window_are_not_told(lang: str) -> None:
    # a new item on top, the oldest gone at the end: the window moved on
    d = confirmed(rss(items(lang, [1, 2, 3, 4])), rss(items(lang, [0, 1, 2, 3])))
    assert told(d) == []
    # the newest gone from the top (a feed served from before it): not between items that stay
    assert told(confirmed(rss(items(lang, [0, 1, 2])), rss(items(lang, [1, 2])))) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_old_item_pinned_on_top_that_falls_out_is_not_withdrawn(lang: str) -> None:
    # the oldest item (id4) pinned first, unpinned: it falls out, older than all that stay
    assert told(confirmed(rss(items(lang, [4, 0, 1, 2])), rss(items(lang, [0, 1, 2])))) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_without_dates_the_place_between_items_that_stay_decides(lang: str) -> None:
    full = rss(items(lang, [0, 1, 2, 3], dated=False))
    d = confirmed(full, rss(items(lang, [0, 2, 3], dated=False)))
    assert told(d) == [("removed", TITLES[lang][1])]
    assert told(confirmed(full, rss(items(lang, [0, 1, 2], dated=False)))) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_many_gone_at_once_is_the_feed_selection_not_withdrawals(lang: str) -> None:
    # three of five gone from the middle: a filter or a sort changed, nobody is told of each
    assert told(confirmed(rss(items(lang, [0, 1, 2, 3, 4])), rss(items(lang, [0, 4])))) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_item_republished_under_a_new_address_is_not_also_removed(lang: str) -> None:
    before = items(lang, [0, 1, 2, 3])
    after = list(before)
    title = TITLES[lang][1]
    after[1] = (title, "id1-korrigert", DATES[1])
    assert ("removed", title) not in told(confirmed(rss(before), rss(after)))


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_withdrawal_is_told_once_and_its_return_too(lang: str) -> None:
    # the reader was told it was withdrawn: that it is back is news (blind round 191), once
    full, less = rss(items(lang, [0, 1, 2, 3])), rss(items(lang, [0, 2, 3]))
    assert told(run(full, less, less, less)) == []  # still gone: told once
    back = run(full, less, less, full)
    assert told(back) == [("new", TITLES[lang][1])]
    assert told(run(full, less, less, full, full)) == []
    # withdrawn and back again: the same fingerprints, which the store raises once
    again = run(full, less, less, full, less, less, full)
    assert [c.fingerprint for c in again.changes] == [c.fingerprint for c in back.changes]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_item_that_falls_out_and_comes_back_is_no_news(lang: str) -> None:
    # the oldest falls out of the window and is shown again: never told, so not its return
    full, less = rss(items(lang, [0, 1, 2, 3])), rss(items(lang, [0, 1, 2]))
    assert told(run(full, less, less, full)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_item_republished_in_its_place_edited_is_changed(lang: str) -> None:
    # a notice's title corrected, its link written anew from the title, in its own place
    before = items(lang, [0, 1, 2, 3])
    title = TITLES[lang][1] + " fra 1. mars"
    after = [before[0], (title, "id1-fra-1-mars", DATES[1]), before[2], before[3]]
    d = run(rss(before), rss(after))  # an edit: told at once
    assert told(d) == [("changed", title)]
    [change] = d.changes
    assert "fra 1. mars" in render_segments_text(change.segments)
    # elsewhere in the feed, or another day: a new item and a withdrawal
    moved = [before[0], before[2], (title, "id1-fra-1-mars", DATES[1]), before[3]]
    assert told(run(rss(before), rss(moved))) == [("new", title)]
    assert told(confirmed(rss(before), rss(moved))) == [("removed", TITLES[lang][1])]
    later = [before[0], (title, "id1-fra-1-mars", DATES[0]), before[2], before[3]]
    assert told(run(rss(before), rss(later))) == [("new", title)]


def test_a_listing_item_taken_down_is_told() -> None:
    page = "<html lang='nn'><body><main><h1>Nyhende</h1><ul>{}</ul></main></body></html>"
    rows = [
        ("2026-12-04", "Vassverket: kokepåbod oppheva", "a"),
        ("2026-12-03", "Utbrot av norovirus ved Solbakken sjukeheim", "b"),
        ("2026-12-02", "Influensavaksine: nye tider", "c"),
        ("2026-12-01", "Legevakta har nytt telefonnummer", "d"),
    ]

    def listing(keep: list[int]) -> bytes:
        return page.format(
            "".join(
                f"<li><a href='https://kommune.example.no/nyhende/{rows[n][2]}'>{rows[n][1]}</a>"
                f" <time datetime='{rows[n][0]}'>{rows[n][0]}</time></li>"
                for n in keep
            )
        ).encode()

    spec = SourceSpec(
        key="k",
        name="Nyhende",
        url=URL,
        kind="listing",
        authority="test",
        link_pattern="/nyhende/",
    )
    d = confirmed(listing([0, 1, 2, 3]), listing([0, 2, 3]), spec=spec)
    assert [(c.kind, c.title) for c in d.changes] == [("removed", rows[1][1])]


# --- the whole chain: a withdrawn item reaches the subscriber's digest as removed -----------

CHAIN_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>FHI nyheter</title><link>https://www.fhi.no/</link>{}
</channel></rss>"""
CHAIN_ITEMS = [
    ("Vaksinasjonsdekning i kommunene for 2026", "1001", "Fri, 04 Dec 2026 10:00:00 +0100",
     "Statistikk over vaksinasjonsdekning for barnevaksinasjonsprogrammet i kommunene."),
    ("Ny anbefaling om influensavaksine til helsepersonell", "1002",
     "Thu, 03 Dec 2026 10:00:00 +0100",
     "FHI anbefaler at alt helsepersonell med pasientkontakt tar influensavaksine i år."),
    ("Vaksine mot pneumokokker til eldre over 65 år", "1003", "Wed, 02 Dec 2026 10:00:00 +0100",
     "Personer over 65 år anbefales pneumokokkvaksine; kommunene tilbyr vaksinen."),
]  # fmt: skip


def chain_feed(picks: list[int]) -> str:
    return CHAIN_FEED.format(
        "".join(
            f"<item><title>{t}</title><link>https://www.fhi.no/nyheter/{g}/</link>"
            f"<guid>{g}</guid><pubDate>{d}</pubDate><description>{s}</description></item>"
            for n, (t, g, d, s) in enumerate(CHAIN_ITEMS)
            if n in picks
        )
    )


def test_a_withdrawn_item_reaches_the_digest_as_removed(
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    tmp_path: Path,
    http: FixtureServer,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NOTIFIER_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("NOTIFIER_ALLOW_PRIVATE_SOURCES", "true")
    monkeypatch.setenv("NOTIFIER_PER_HOST_MIN_GAP", "0")
    headers = {"Content-Type": "application/rss+xml"}
    http.set("/rss/", chain_feed([0, 1, 2]), headers=headers, etag='"v1"')
    catalogue = tmp_path / "sources.toml"
    catalogue.write_text(
        '[[source]]\nkey = "fhi-nyheter"\nkind = "feed"\nname = "FHI: nyheter"\n'
        f'authority = "fhi"\nurl = "{http.base}/rss/"\n',
        encoding="utf-8",
    )

    def cli(*args: str) -> str:
        result = CliRunner().invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    cli("db", "upgrade")
    cli("sources", "load", str(catalogue))
    cli("subscribers", "add", "lege@kommune.no", "--role", "kommunelege",
        "--subtopic", "vaksinasjon", "--cadence", "daily")  # fmt: skip
    assert "fhi-nyheter new" in cli("check", "--all")
    http.set("/rss/", chain_feed([0, 2]), headers=headers, etag='"v2"')
    assert "told if still gone at the next check" in cli("check", "fhi-nyheter")
    # the next check finds it gone too: the same feed, read whole (the server would answer a
    # conditional request with 304), not taken as unchanged
    assert "fhi-nyheter changed" in cli("check", "fhi-nyheter")
    engine = create_engine(database_url)
    with Session(engine) as session:
        [change] = session.exec(select(Change)).all()
        assert (change.kind, change.title) == ("removed", CHAIN_ITEMS[1][0])
    engine.dispose()

    assert "1 daily digest(s)" in cli("digest", "--cadence", "daily")
    cli("deliver")
    [mail] = inbox.to("lege@kommune.no")
    body = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Fjernet" in body and CHAIN_ITEMS[1][0] in body
    assert CHAIN_ITEMS[0][0] not in body  # the items that stay are no news
    # the item back in the feed later is told: the reader heard it was withdrawn
    http.set("/rss/", chain_feed([0, 1, 2]), headers=headers, etag='"v3"')
    assert "fhi-nyheter new (1 item(s))" in cli("check", "fhi-nyheter")
    assert "fhi-nyheter unchanged" in cli("check", "fhi-nyheter")


def test_a_snapshot_stored_before_links_takes_them_silently() -> None:
    body = rss(items("nb", [0, 1, 2]))
    first = detect(SPEC, FetchResult(URL, 200, body), None)
    assert first.state is not None
    old = replace(first.state, seen={k: replace(v, link="") for k, v in first.state.seen.items()})
    # the feed built anew (another build date): the same items, read again
    rebuilt = body.replace(
        b"<title>Pressemeldinger</title>",
        b"<title>Pressemeldinger</title>"
        b"<lastBuildDate>Mon, 07 Dec 2026 06:00:00 +0100</lastBuildDate>",
    )
    again = detect(SPEC, FetchResult(URL, 200, rebuilt), state_from_blob(state_to_blob(old)))
    assert again.changes == () and again.refresh
    assert again.state is not None
    assert {v.link for v in again.state.seen.values()} == {
        f"https://www.example.no/sak/id{n}" for n in (0, 1, 2)
    }


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_item_gone_once_and_back_under_a_new_identity_is_not_withdrawn(lang: str) -> None:
    # gone at one check, back at the next under a new GUID with its text and date: the same
    # item (matched by its text); nothing is told then, nor at the checks after
    full, less = items(lang, [0, 1, 2, 3]), rss(items(lang, [0, 2, 3]))
    rekeyed = [full[0], (full[1][0], "id1-ny", full[1][2]), full[2], full[3]]
    assert told(run(rss(full), less, rss(rekeyed))) == []
    assert told(run(rss(full), less, rss(rekeyed), rss(rekeyed))) == []
    assert told(run(rss(full), less, rss(rekeyed), rss(rekeyed), less)) == []


def built(feed: bytes, when: str) -> bytes:
    """The feed with its own time (``lastBuildDate``)."""
    return feed.replace(b"<item>", f"<lastBuildDate>{when}</lastBuildDate><item>".encode(), 1)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_newest_item_taken_down_from_a_feed_built_later_is_told(lang: str) -> None:
    # blind round 242: an invitation, the newest item, taken down; the feed says it was built
    # after the version that had it, so it is no older copy served from a cache
    full = built(rss(items(lang, [0, 1, 2, 3])), "Fri, 04 Dec 2026 10:05:00 +0100")
    less = built(rss(items(lang, [1, 2, 3])), "Fri, 04 Dec 2026 15:00:00 +0100")
    assert told(run(full, less)) == []  # gone once: waits for the next check
    assert told(confirmed(full, less)) == [("removed", TITLES[lang][0])]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_older_copy_of_a_feed_without_its_newest_item_is_not_a_withdrawal(lang: str) -> None:
    full = built(rss(items(lang, [0, 1, 2, 3])), "Fri, 04 Dec 2026 10:05:00 +0100")
    # a cache's copy from before the newest item (published Fri 04 10:00): built before it
    older = built(rss(items(lang, [1, 2, 3])), "Thu, 03 Dec 2026 10:05:00 +0100")
    assert told(confirmed(full, older)) == []
    # a feed whose time never moves, from before the newest item: the same time both times
    static = "Wed, 02 Dec 2026 08:00:00 +0100"
    assert told(confirmed(built(rss(items(lang, [0, 1, 2, 3])), static),
                          built(rss(items(lang, [1, 2, 3])), static))) == []  # fmt: skip
    # ... and a feed that gives no time of its own
    assert told(confirmed(full, rss(items(lang, [1, 2, 3])))) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_feed_built_after_its_newest_item_and_without_it_withdrew_it(lang: str) -> None:
    # the same build time as the version that had the item, after the item's own date (blind
    # round 286): a copy from before the item could not say so; told at the next check
    full = built(rss(items(lang, [0, 1, 2, 3])), "Fri, 04 Dec 2026 10:05:00 +0100")
    less = built(rss(items(lang, [1, 2, 3])), "Fri, 04 Dec 2026 10:05:00 +0100")
    assert told(run(full, less)) == []
    assert told(confirmed(full, less)) == [("removed", TITLES[lang][0])]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_feed_built_later_still_drops_its_oldest_items(lang: str) -> None:
    before = built(rss(items(lang, [1, 2, 3, 4])), "Thu, 03 Dec 2026 10:05:00 +0100")
    after = built(rss(items(lang, [0, 1, 2, 3])), "Fri, 04 Dec 2026 10:05:00 +0100")
    assert told(run(before, after)) == [("new", TITLES[lang][0])]
    # the oldest gone at the end is not told as withdrawn, then or at the next check
    assert told(confirmed(before, after)) == []
    # an old item pinned on top and unpinned: older than all that stay
    pinned = built(rss(items(lang, [4, 0, 1, 2])), "Thu, 03 Dec 2026 10:05:00 +0100")
    unpinned = built(rss(items(lang, [0, 1, 2])), "Fri, 04 Dec 2026 10:05:00 +0100")
    assert told(confirmed(pinned, unpinned)) == []
