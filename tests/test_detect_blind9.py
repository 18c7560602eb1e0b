"""The ninth outside check's cases met after the round (tests/fixtures/detect_open/OPEN.md):
the site's own page of technical problems as a source problem; a widget's visually hidden
live status region and a language picker as furniture; a return to an earlier version after
one that lasted as news; a strike removed from a measure (or added) as a change. Each rule
with a guard that a real change beside it is still read."""

from __future__ import annotations

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import Detection, detect
from feeds.detect.diff import SectionChange
from feeds.detect.history import ABSENT, lasted, mark_lasted, seen_before
from feeds.errors import SourceProblem
from feeds.store.snapshot import state_from_blob, state_to_blob
from feeds.types import FetchResult, SnapshotState
from notifier.context import Context
from tests.conftest import Clock
from tests.support.httpserver import FixtureServer
from tests.support.pages import changed, page
from tests.test_confirm import VAKSINE_B, alerted, baseline, changes, html, run, serve, setup

# ----------------------------------------------------------------------------- problem pages

TECHNICAL_PROBLEMS = [
    (
        "Vi har tekniske problemer - Helsedirektoratet",
        '<main><article><h1>Vi har tekniske problemer</h1><p class="ingress">Akkurat nå har vi '
        "tekniske problemer, og siden du prøver å nå er ikke tilgjengelig.</p><p>Vi jobber med "
        'å løse feilen. Prøv igjen om litt.</p><p><a href="/">Gå til forsiden</a></p>'
        "</article></main>",
    ),
    (
        "Helsenorge",
        "<main><h1>Vi har tekniske problem</h1><p>Akkurat no har vi tekniske problem. Prøv på "
        "nytt om ei lita stund.</p></main>",
    ),
    (
        "Legekontoret",
        "<main><h2>Beklagar</h2><p>Vi har dessverre tekniske problem, og sida er ikkje "
        "tilgjengeleg.</p></main>",
    ),
]


@pytest.mark.parametrize(("title", "body"), TECHNICAL_PROBLEMS)
def test_the_sites_own_page_of_technical_problems_is_a_problem(title: str, body: str) -> None:
    with pytest.raises(SourceProblem, match="technical problems"):
        page(body, title=title)


TECHNICAL_CONTENT = [
    # a municipality's journal system, in the news
    (
        "Tekniske problemer i journalsystemet",
        "<main><h1>Tekniske problemer i journalsystemet</h1><p>Kommunen har tekniske problemer "
        "med det nye journalsystemet. Fastlegene kan ikke se prøvesvar fra sykehuset. Prøv "
        "igjen i morgen om du venter på svar, eller ring legekontoret.</p></main>",
    ),
    # a notice that names what fails: the phone
    (
        "Legevakt",
        "<main><h1>Legevakt</h1><p>Vi har tekniske problemer med telefonen. Prøv igjen om litt, "
        "eller ring 113 ved akutt sykdom.</p></main>",
    ),
]


@pytest.mark.parametrize(("title", "body"), TECHNICAL_CONTENT)
def test_an_article_or_notice_about_technical_problems_is_content(title: str, body: str) -> None:
    assert page(body, title=title).sections


def test_a_long_page_that_says_so_is_read_as_content() -> None:
    body = (
        "<main><h1>Vi har tekniske problemer</h1><p>Prøv igjen om litt.</p>"
        + "".join(
            f"<h2>Tilstand {i}</h2><p>Fenoksymetylpenicillin 660 mg x 4 i {i} dagar, "
            "vurder på nytt ved manglande betring.</p>"
            for i in range(30)
        )
        + "</main>"
    )
    assert page(body).sections


# ----------------------------------------------------------------------------- live status


def _legevakt(status: str, text: str = "Ring 116 117 for å kome til næraste legevakt.") -> str:
    return (
        f"<main><h1>Legevakt</h1>{status}<p>Finn legevakt.</p><h2>Legevakt</h2><p>{text}</p></main>"
    )


@pytest.mark.parametrize(
    "box",
    [
        '<div class="visually-hidden" aria-live="polite" role="status">{}</div>',
        '<span class="sr-only" aria-live="assertive">{}</span>',
        '<p class="map__status visuallyhidden" role="status">{}</p>',
    ],
)
def test_a_hidden_live_status_region_is_not_content(box: str) -> None:
    before = _legevakt(box.format("Lastar inn kart …"))
    after = _legevakt(box.format("Kartet er lasta. 14 legevakter funne."))
    assert changed(before, after) == []
    # beside it, the guidance is read
    edited = _legevakt(box.format("Kartet er lasta."), "Ring 113 ved akutt sjukdom.")
    assert changed(before, edited) == [("changed", ("Legevakt", "Legevakt"))]


@pytest.mark.parametrize(
    "box",
    [
        '<div role="alert">{}</div>',
        '<div class="notice" aria-live="polite">{}</div>',
        '<div class="visually-hidden" aria-live="off">{}</div>',
        '<div class="sr-only md:not-sr-only" role="status">{}</div>',
    ],
)
def test_a_visible_live_notice_is_read(box: str) -> None:
    before = _legevakt(box.format("Legevakta er open som vanleg."))
    after = _legevakt(box.format("Viktig: legevakta er stengd i dag."))
    assert changed(before, after) == [("changed", ("Legevakt",))]


# ----------------------------------------------------------------------------- language picker


def _kikhoste(picker: str, text: str = "Gravide i 2. og 3. trimester.") -> str:
    return (
        "<main><h1>Kikhostevaksine</h1><p>Om vaksine mot kikhoste.</p><h2>Kven bør ta "
        f"vaksinen</h2><p>{text}</p>{picker}</main>"
    )


PICKERS = [
    (
        '<div class="language-picker"><a href="?lang=nb">Bokmål</a> '
        '<a href="?lang=en">English</a></div>',
        '<div class="language-picker"><a href="?lang=nb">Bokmål</a> <a href="?lang=en">English'
        '</a> <a href="?lang=se">Davvisámegiella</a></div>',
    ),
    (
        '<ul><li><a href="/en/kikhoste">English</a></li><li><a href="/nn/kikhoste">Nynorsk</a>'
        "</li></ul>",
        '<ul><li><a href="/en/kikhoste">English</a></li><li><a href="/nn/kikhoste">Nynorsk</a>'
        '</li><li><a href="/uk/kikhoste">Українська</a></li></ul>',
    ),
    (
        '<p>Les på: <a hreflang="en" href="/a">English</a></p>',
        '<p>Les på: <a hreflang="en" href="/a">English</a> <a lang="pl" href="/b">Polski</a></p>',
    ),
]


@pytest.mark.parametrize(("before", "after"), PICKERS)
def test_a_language_added_to_the_picker_is_not_content(before: str, after: str) -> None:
    assert changed(_kikhoste(before), _kikhoste(after)) == []
    # beside it, the guidance is read
    edited = _kikhoste(after, "Gravide i 3. trimester.")
    assert changed(_kikhoste(before), edited) == [
        ("changed", ("Kikhostevaksine", "Kven bør ta vaksinen"))
    ]


def test_a_list_of_a_leaflets_translations_is_read() -> None:
    def leaflets(*names: str) -> str:
        items = "".join(f'<li><a href="/filer/kikhoste-{n[:2]}.pdf">{n}</a></li>' for n in names)
        return _kikhoste(f"<ul>{items}</ul>")

    assert changed(leaflets("English", "Polski"), leaflets("English", "Polski", "Soomaali")) == [
        ("changed", ("Kikhostevaksine", "Kven bør ta vaksinen"))
    ]


# ----------------------------------------------------------------------------- struck text


def _tiltak(item: str) -> str:
    return (
        "<main><h1>Smitteverntiltak i Bergen</h1><p>Tiltak som er strokne gjeld ikkje lenger."
        "</p><h2>Gjeldande tiltak</h2><ul><li>Besøksrestriksjonar på sjukeheimar</li>"
        f"<li>{item}</li><li>Testing ved symptom</li></ul></main>"
    )


@pytest.mark.parametrize("tag", ["s", "strike", "del"])
def test_a_strike_removed_or_added_is_a_change(tag: str) -> None:
    plain = _tiltak("Påbod om munnbind i venterom på legekontor")
    struck = _tiltak(f"<{tag}>Påbod om munnbind i venterom på legekontor</{tag}>")
    where = [("changed", ("Smitteverntiltak i Bergen", "Gjeldande tiltak"))]
    assert changed(struck, plain) == where  # reinstated
    assert changed(plain, struck) == where  # struck


def test_struck_text_is_read_between_marks_and_a_strike_kept_is_no_change() -> None:
    struck = _tiltak("<s>Påbod om <b>munnbind</b> i venterom</s> på legekontor")
    assert "~~Påbod om munnbind i venterom~~ på legekontor" in page(struck).sections[-1].text
    assert changed(struck, struck.replace("<s>", '<s class="x">')) == []
    # beside it, an edit is read
    edited = struck.replace("Testing ved symptom", "Testing ved alvorlege symptom")
    assert changed(struck, edited) == [
        ("changed", ("Smitteverntiltak i Bergen", "Gjeldande tiltak"))
    ]


# ----------------------------------------------------------------------------- history

PAGE_SPEC = SourceSpec(
    key="isolasjon", kind="page", url="https://x.no/i", authority="fhi", name="Isolasjon",
    selector="main",
)  # fmt: skip


def isolasjon(days: str, extra: str = "") -> FetchResult:
    body = (
        "<main><h1>Isolasjon ved sjukdom</h1><h2>Isolasjon</h2><p>Hald deg heime i "
        f"{days} etter at symptoma er borte.</p>{extra}</main>"
    )
    return FetchResult("https://x.no/i", 200, f"<html>{body}</html>".encode())


def steps(*results: FetchResult) -> Detection:
    """Every result through ``detect``, the state stored as a check stores it; the last
    detection."""
    state: SnapshotState | None = None
    d = None
    for result in results:
        d = detect(PAGE_SPEC, result, state)
        if d.state is not None and (d.changes or d.baseline or d.refresh):
            state = state_from_blob(state_to_blob(d.state))
    assert d is not None
    return d


FIVE, THREE = isolasjon("5 dagar"), isolasjon("3 dagar")


@pytest.mark.parametrize(
    "again",
    [
        isolasjon("3 dagar"),  # the same body
        isolasjon("3 dagar", "<!-- other markup -->"),  # another body, the same text
    ],
)
def test_a_return_after_a_version_that_lasted_is_news(again: FetchResult) -> None:
    d = steps(FIVE, THREE, again, FIVE)
    assert [(c.kind, c.section) for c in d.changes] == [
        ("changed", ("Isolasjon ved sjukdom", "Isolasjon"))
    ]


def test_a_flap_stays_silent() -> None:
    assert steps(FIVE, THREE, FIVE).changes == ()
    assert steps(FIVE, THREE, FIVE, THREE, FIVE).changes == ()
    # the first version lasted (seen twice): a variant seen once is still a flap
    assert steps(FIVE, FIVE, THREE, FIVE, THREE).changes == ()


def _change(kind: str, before: str, after: str) -> SectionChange:
    return SectionChange(kind, ("A",), "", "", (), before, after)


def test_seen_before_suppresses_a_return_only_when_the_version_left_did_not_last() -> None:
    assert seen_before({"A": ("a", "b")}, _change("changed", "b", "a"))
    assert not seen_before({"A": ("a", "b", "b")}, _change("changed", "b", "a"))
    assert not seen_before({"A": ("a", "b")}, _change("changed", "b", "c"))
    # a section that comes back after an absence, or leaves again
    assert seen_before({"A": ("a", ABSENT)}, _change("added", "", "a"))
    assert not seen_before({"A": ("a", ABSENT, ABSENT)}, _change("added", "", "a"))
    assert seen_before({"A": (ABSENT, "a")}, _change("removed", "a", ""))
    assert not seen_before({"A": (ABSENT, "a", "a")}, _change("removed", "a", ""))


def test_mark_lasted_records_the_last_version_twice_once() -> None:
    history = {"A": ("a", "b"), "B": ("c", "c"), "C": ("d", ABSENT)}
    marked = mark_lasted(history)
    assert marked == {"A": ("a", "b", "b"), "B": ("c", "c"), "C": ("d", ABSENT, ABSENT)}
    assert mark_lasted(marked) == marked
    assert lasted(marked["A"], "b") and not lasted(history["A"], "b")
    long = {"A": ("a", "b", "c", "d", "e")}
    assert mark_lasted(long) == {"A": ("b", "c", "d", "e", "e")}


async def test_a_return_after_a_confirmed_change_is_told(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    """With confirmation: "skal" confirmed and sent; the page back at "bør" and confirmed
    is told too (the debounce history records the confirmed version as lasted)."""
    setup(ctx, http)
    await baseline(ctx, clock)
    serve(http, html(VAKSINE_B))
    await run(ctx, "side")
    clock.advance(seconds=60)
    assert "1 change(s) confirmed" in (await run(ctx))["side"]
    clock.advance(hours=1)
    serve(http, html())
    assert "pending confirmation" in (await run(ctx, "side"))["side"]
    clock.advance(seconds=60)
    assert "1 change(s) confirmed" in (await run(ctx))["side"]
    assert len(alerted(ctx)) == 2
    assert [c.status for c in changes(ctx)] == ["published", "published"]
