"""Blind rounds 255-262's rules, both ways, bokmål and nynorsk:

- a printout's stamp of when it was fetched ("Dokumentet er hentet fra Lovdata 07.12.2026
  kl. 08:14. Det kan være endret senere.") is furniture (257);
- a sentence offering Lovdata Pro, a tool or a count only a logged-in user gets ("Legg til i
  favoritter (krever innlogging)", "Rettskilder som henviser hit (krever innlogging): 37")
  and "Lagre i Mine dokumenter" are furniture (257);
- a regulation's new § 7 that moves §§ 7-8 up by one, their cross-references ("jf. § 7" ->
  "jf. § 8") with them, and leaves § 12 as it was, is the new § 7 (257);
- a waiting-time widget named for its queue ("queue-status"), an A/B test's banner
  ("ab-banner", data-ab) and a column of the site's navigation ("section-nav") are widgets
  (258, 260);
- the same page of another site at the address ("Legevakt - Voss herad" as "Legevakt - Ulvik
  herad", the text's municipality with it) is held for review (258);
- a generated stamp ("Siden ble generert 07.12.2026 kl. 06:02 fra Sykdomspulsen (versjon
  4.12.02)") and a popularity list under "Mest lest akkurat nå" are furniture (259);
- a citation's read date in digits ("lese 07.12.2026") is furniture (262);
- nynorsk written in its other accepted forms ("me" / "vi", "søkje" / "søke", "vere" /
  "vera", "ikkje" / "ikke") says the same, in a page and in a feed's item (262).
"""

from __future__ import annotations

import pytest

from feeds.detect.detection import OTHER_SITE, Detection
from tests.support.pages import changed, detect_steps, text

LAW = "Forskrift om tuberkulosekontroll"


def law(paragraphs: str, tail: str = "") -> str:
    return f"<main><h1>{LAW}</h1>{paragraphs}{tail}</main>"


def para(number: str, title: str, body: str) -> str:
    return f"<h2>§ {number}. {title}</h2><p>{body}</p>"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Dokumentet er hentet fra Lovdata 07.12.2026 kl. 08:14. Det kan være endret senere.",
         "Dokumentet er hentet fra Lovdata 08.12.2026 kl. 11:47. Det kan være endret senere."),
        ("Dokumentet er henta frå Lovdata 07.12.2026 kl. 08:14. Det kan vere endra seinare.",
         "Dokumentet er henta frå Lovdata 07.12.2026 kl. 13:30. Det kan vere endra seinare."),
        ("Se tidligere versjoner av forskriften og alle endringsforskrifter i Lovdata Pro.",
         "Nyhet: Sammenlign versjoner side om side med Lovdata Pro. Logg inn"),
        ("Rettskilder som henviser hit (krever innlogging): 37",
         "Rettskilder som henviser hit (krever innlogging): 41"),
        ("Legg til i favoritter (krever innlogging)", "Lagre i Mine dokumenter"),
    ],
)  # fmt: skip
def test_lovdatas_stamps_offers_and_tools_are_furniture(before: str, after: str) -> None:
    body = para("4-1", "Ikrafttredelse", "Forskriften trer i kraft 1. juli 2024.")
    assert changed(law(body, f"<p>{before}</p>"), law(body, f"<p>{after}</p>")) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # the stamp's words around a rule: the rule is read
        ("Meldinga skal sendast innan 48 timar. Det kan vere endra seinare.",
         "Meldinga skal sendast innan 24 timar. Det kan vere endra seinare."),
        # a paragraph naming Lovdata without its paid service
        ("Forskriften er kunngjort i Lovdata 1. juli.", "Forskriften er kunngjort i Lovdata 2. juli."),
        # a login named in a rule, not as a tool's note
        ("Legen skal melde i MSIS (krever innlogging) innen 24 timer.",
         "Legen skal melde i MSIS (krever innlogging) innen 48 timer."),
    ],
)  # fmt: skip
def test_the_furniture_rules_leave_a_rule_beside_them(before: str, after: str) -> None:
    assert changed(law(f"<p>{before}</p>"), law(f"<p>{after}</p>")) != []


def test_a_paragraph_inserted_before_others_is_the_news_their_renumbering_is_not() -> None:
    before = law(
        para("1", "Formål", "Forskriften skal forebygge smitte.")
        + para("7", "Isolering", "Den som er smittet, skal holde seg hjemme.")
        + para("8", "Testing", "Nærkontakter bør teste seg, jf. § 7.")
        + para("12", "Kommunale tiltak", "Kommunen kan fastsette tiltak.")
    )
    after = law(
        para("1", "Formål", "Forskriften skal forebygge smitte.")
        + para("7", "Råd ved luftveissymptomer", "Den som er syk, bør holde seg hjemme.")
        + para("8", "Isolering", "Den som er smittet, skal holde seg hjemme.")
        + para("9", "Testing", "Nærkontakter bør teste seg, jf. § 8.")
        + para("12", "Kommunale tiltak", "Kommunen kan fastsette tiltak.")
    )
    assert changed(before, after) == [("added", (LAW, "§ 7. Råd ved luftveissymptomer"))]


def test_a_cross_reference_that_does_not_follow_the_renumbering_is_told() -> None:
    before = law(
        para("7", "Isolering", "Den som er smittet, skal holde seg hjemme.")
        + para("8", "Testing", "Nærkontakter bør teste seg, jf. § 7.")
        + para("12", "Kommunale tiltak", "Kommunen kan fastsette tiltak.")
    )
    after = law(
        para("7", "Råd ved luftveissymptomer", "Den som er syk, bør holde seg hjemme.")
        + para("8", "Isolering", "Den som er smittet, skal holde seg hjemme.")
        + para("9", "Testing", "Nærkontakter bør teste seg, jf. § 12.")
        + para("12", "Kommunale tiltak", "Kommunen kan fastsette tiltak.")
    )
    told = changed(before, after)
    assert ("added", (LAW, "§ 7. Råd ved luftveissymptomer")) in told
    assert len(told) > 1  # the edited reference of § 9 is told too


def test_a_renumbering_that_passes_over_a_kept_number_is_told() -> None:
    # § 8 kept its number while § 7 moved to § 9: no shift by one from a new § 7
    before = law(
        para("7", "Isolering", "Den som er smittet, skal holde seg hjemme.")
        + para("8", "Testing", "Nærkontakter bør teste seg.")
    )
    after = law(
        para("7", "Råd", "Den som er syk, bør holde seg hjemme.")
        + para("8", "Testing", "Nærkontakter bør teste seg.")
        + para("9", "Isolering", "Den som er smittet, skal holde seg hjemme.")
    )
    assert ("moved", (LAW, "§ 9. Isolering")) in changed(before, after)


QUEUE = (
    "<aside class='queue-status' aria-live='polite'><p>Ventetid på legevakten nå: "
    "<strong>ca. {} minutter</strong></p><p>Pasienter som venter: {}</p></aside>"
)
BANNER = "<div class='campaign' data-ab='{}'><p>{}</p><a href='/bestill/?ab={}'>Bestill</a></div>"
NAV = (
    "<nav class='section-nav' aria-label='Meir frå departementet'>"
    "<p class='section-nav__title'>Helse- og omsorgsdepartementet</p>"
    "<ul><li><a href='/om'>Om departementet</a></li><li><a href='/a'>Aktuelt frå HOD</a></li></ul>"
    "<p class='section-nav__title'>Mest lese</p><ol>{}</ol></nav>"
)


def legevakt(widget: str, advice: str = "Ring 116 117 før du kommer.") -> str:
    return f"<main>{widget}<h1>Legevakt</h1><h2>Ring først</h2><p>{advice}</p></main>"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (QUEUE.format(45, 7), QUEUE.format(110, 19)),
        (BANNER.format("A", "Nytt: bestill vaksinetime digitalt!", "A"),
         BANNER.format("B", "Slipp køen – bestill på nett", "B")),
        (NAV.format("<li><a href='/m0'>Ny fastlegeordning</a></li>"),
         NAV.format("<li><a href='/m1'>RSV-vaksine til eldre</a></li>"
                    "<li><a href='/m0'>Ny fastlegeordning</a></li>")),
    ],
)  # fmt: skip
def test_queue_ab_and_navigation_widgets_are_not_read(before: str, after: str) -> None:
    assert changed(legevakt(before), legevakt(after)) == []
    assert changed(legevakt(before), legevakt(after, "Ring 113 før du kommer.")) != []


def test_an_experiments_attribute_on_the_content_drops_nothing() -> None:
    ingress = "<div class='article-ingress' data-experiment='exp-1131' data-ab='B'><p>{}</p></div>"
    before = legevakt(ingress.format("Departementet har fastsatt nye retningslinjer."))
    after = legevakt(ingress.format("Departementet har oppheva retningslinjene."))
    assert "fastsatt nye retningslinjer" in text(before)
    assert changed(before, after) != []


def test_a_box_named_nav_that_holds_text_is_read() -> None:
    box = "<div class='navnotice'><p>Legevakta er stengd {} grunna straumbrot.</p></div>"
    assert changed(legevakt(box.format("i dag")), legevakt(box.format("i morgon"))) != []


URL = "https://www.voss.kommune.no/legevakt/"


def site_page(site: str, town: str, number: str) -> bytes:
    return (
        f"<html><head><title>Legevakt - {site}</title></head><body><main><h1>Legevakt</h1>"
        f"<p>Legevakta i {site} gir hjelp når det hastar.</p><h2>Kontakt legevakta</h2>"
        f"<p>Ring {number}. Legevakta held til i {town}.</p></main></body></html>"
    ).encode()


def run_page(*versions: bytes, kind: str = "page") -> Detection:
    return detect_steps(URL, *versions, kind=kind)


@pytest.mark.parametrize(("old", "new"), [("Voss herad", "Ulvik herad"),
                                          ("Bodø kommune", "Saltdal kommune")])  # fmt: skip
def test_the_same_page_of_another_site_is_held(old: str, new: str) -> None:
    found = run_page(site_page(old, "Voss", "56 53 33 00"), site_page(new, "Ulvik", "56 52 62 50"))
    assert found.changes and found.held_reason == OTHER_SITE


def test_a_site_renamed_in_its_title_only_or_a_new_number_is_not_held() -> None:
    before = site_page("Voss herad", "Voss", "56 53 33 00")
    renamed = before.replace(b"<title>Legevakt - Voss herad", b"<title>Legevakt - Voss kommune")
    edited = renamed.replace(b"56 53 33 00", b"56 53 33 11")
    found = run_page(before, edited)
    assert found.changes and found.held_reason is None
    assert run_page(before, before.replace(b"56 53 33 00", b"56 53 33 11")).held_reason is None


def test_a_week_in_the_titles_last_part_is_no_site() -> None:
    def week(n: int, count: int) -> bytes:
        return (
            f"<html><head><title>Ukerapport - uke {n}</title></head><body><main><h1>Ukerapport"
            f"</h1><p>Uke {n}: {count} tilfelle i uke {n}.</p></main></body></html>"
        ).encode()

    assert run_page(week(48, 12), week(49, 15)).held_reason is None


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Siden ble generert 07.12.2026 kl. 06:02 fra Sykdomspulsen (versjon 4.12.02)",
         "Siden ble generert 07.12.2026 kl. 14:31 fra Sykdomspulsen (versjon 4.12.31)"),
        ("Sida vart generert 07.12.2026 kl. 06:02", "Sida vart generert 08.12.2026 kl. 06:01"),
        ("Tilrådd sitering: Helsedirektoratet (2026). Kikhoste [nettdokument]. Oslo: "
         "Helsedirektoratet (sist fagleg oppdatert 14.03.2026, lese 14.03.2026).",
         "Tilrådd sitering: Helsedirektoratet (2026). Kikhoste [nettdokument]. Oslo: "
         "Helsedirektoratet (sist fagleg oppdatert 14.03.2026, lese 07.12.2026)."),
    ],
)  # fmt: skip
def test_generated_stamps_and_read_dates_are_furniture(before: str, after: str) -> None:
    body = (
        "<main><h1>Ukerapport</h1><h2>Om rapporten</h2><p>Tala kjem frå MSIS.</p><p>{}</p></main>"
    )
    assert changed(body.format(before), body.format(after)) == []
    assert text(body.format(after)) == text(body.format(before))


def test_a_popularity_list_under_mest_lest_akkurat_na_is_furniture() -> None:
    body = (
        "<main><h1>Legionella</h1><h2>Situasjonen</h2><p>{} pasienter er døde.</p>"
        "<h2>Mest lest akkurat nå</h2><p>Influensavaksine ({} visninger)</p></main>"
    )
    assert changed(body.format("To", 1604), body.format("To", 2196)) == []
    assert changed(body.format("To", 1604), body.format("Tre", 2196)) == [
        ("changed", ("Legionella", "Situasjonen"))
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Me minner om at tilsette ikkje skal vere på jobb.",
         "Vi minner om at tilsette ikke skal vera på jobb."),
        ("Kommunar kan søkje om tilskot. Det er ikkje naudsynt å stengje skulen.",
         "Kommunar kan søke om tilskot. Det er ikkje naudsynt å stenge skolen."),
        # a j-form beside a number written otherwise: both spelled one way first
        ("Dei kan ikkje kome før to veker.", "Dei kan ikke kome før 2 veker."),
    ],
)  # fmt: skip
def test_nynorsk_in_its_other_accepted_forms_says_the_same(before: str, after: str) -> None:
    body = "<main><h1>Kikhoste</h1><h2>Råd</h2><p>{}</p></main>"
    assert changed(body.format(before), body.format(after)) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Me minner om at tilsette ikkje skal vere på jobb.",
         "Vi minner om at tilsette skal vera på jobb."),  # "ikkje" gone
        ("Kommunar kan søkje om tilskot.", "Kommunar kan søkje om lån."),
        ("Det er ikkje naudsynt å stengje skulen.", "Det er naudsynt å stenge skolen."),
    ],
)  # fmt: skip
def test_other_forms_hide_no_edit_beside_them(before: str, after: str) -> None:
    body = "<main><h1>Kikhoste</h1><h2>Råd</h2><p>{}</p></main>"
    assert changed(body.format(before), body.format(after)) != []


def feed(summary: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Nyhende"
        "</title><link>https://www.example.no/</link><item><title>Luftvegsinfeksjonar</title>"
        "<link>https://www.example.no/sak/1</link><guid>https://www.example.no/sak/1</guid>"
        "<pubDate>Tue, 01 Dec 2026 13:05:00 +0100</pubDate>"
        f"<description>{summary}</description></item></channel></rss>"
    ).encode()


def test_a_feed_item_in_other_accepted_forms_is_no_edit() -> None:
    before = feed("Me minner om at tilsette ikkje skal vere på jobb. Kommunar kan søkje.")
    same = feed("Vi minner om at tilsette ikke skal vera på jobb. Kommunar kan søke.")
    edited = feed("Vi minner om at tilsette skal vera på jobb. Kommunar kan søke.")
    assert run_page(before, same, kind="feed").changes == ()
    assert [c.kind for c in run_page(before, edited, kind="feed").changes] == ["changed"]


def test_staff_read_why_in_bokmal_and_nynorsk() -> None:
    from notifier.review import HELD_REASONS

    bokmal, nynorsk = HELD_REASONS[OTHER_SITE]
    assert "annet nettsted" in bokmal and "annan nettstad" in nynorsk
