"""Blind rounds 167 to 186's rules, both ways, bokmål and nynorsk:

- the stamp of a page's last change among the fields of a line ("Brev · Dato: 12. august 2026
  · Sist oppdatert: 19.08.2026 kl. 09:14", a guideline's "Siste faglige endring" beside its
  tools, a live banner's "Oppdatert kl. 04:11" beside "Direkte") is furniture; the other
  fields are read, and a stamp inside a sentence, a list item's or a table cell's fields, or
  a field that is no stamp is content (167 to 169);
- a regulation's "Sist endret" header field, Lovdata's tools bar with its permalink and its
  offer, and an <aside> headed in bold by the site's furniture are furniture; the entry into
  force and an aside of facts are read (171);
- a nynorsk "Visningar" counter, when the figures were fetched from a named register, and the
  calendar's week beside a weekly report are furniture; the report's own week is read (172,
  173);
- a list shared out under new subheadings of its own heading, in another order, says the
  same; a country dropped or added on the way is told (177);
- a live count of the page's readers, a caption's "oppdatert" date after a comma, and a
  feedback widget's thumbs and its note are furniture; a count or a deadline beside such
  words is told (179, 181);
- "lagre PDF" among a page's tools, an embed held back for consent (its placeholder and
  buttons; a figure keeps its caption) and an embedded report's loading and failure are
  furniture; the advice beside them is read (184, 185)."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, changed, kinds, page, text

ROWS = {
    "nb": (
        '<span class="type">Brev</span> <span>Dato: 12. august 2026</span> '
        '<span class="updated">Sist oppdatert: {d}.08.2026 kl. 09:14</span>',
        "<span>Siste faglige endring: {d}. mars 2025</span> <button>Del</button> "
        '<button>Skriv ut</button> <a href="/pdf">Last ned PDF</a>',
        '<span class="label">Direkte</span> <span class="time">Oppdatert kl. 04:{d}</span>',
        '<span>Pressemelding</span> <span class="sep">|</span> <span>Nr: 191/2026</span> '
        '<span class="sep">|</span> <span>Sist oppdatert: {d}.12.2026</span>',
    ),
    "nn": (
        '<span class="type">Brev</span> <span>Dato: 12. august 2026</span> '
        '<span class="updated">Sist endra: {d}.08.2026 kl. 09:14</span>',
        "<span>Siste faglege endring: {d}. mars 2025</span> <button>Del</button> "
        '<button>Skriv ut</button> <a href="/pdf">Last ned PDF</a>',
        '<span class="label">Direkte</span> <span class="time">Oppdatert kl. 04:{d}</span>',
        '<span>Pressemelding</span> <span class="sep">|</span> <span>Nr: 191/2026</span> '
        '<span class="sep">|</span> <span>Sist oppdatert: {d}.12.2026</span>',
    ),
}
CASES = [(lang, i) for lang in ROWS for i in range(len(ROWS["nb"]))]
#: each row's line as read: its other fields, no mark left at its end; None: none left (the
#: page's tools alone, "Del Skriv ut Last ned PDF", are furniture since blind round 203)
KEPT = (
    "Brev Dato: 12. august 2026",
    None,
    "Direkte",
    "Pressemelding | Nr: 191/2026",
)
ADVICE = {"nb": "Alle over 65 år bør ta vaksinen.", "nn": "Alle over 65 år bør ta vaksinen."}


def letter(row: str, advice: str, lang: str) -> PageContent:
    return article(
        "Brev til kommunene om vaksinasjon",
        f'<div class="meta">{row}</div><h2>{"Tilråding" if lang == "nn" else "Anbefaling"}</h2>'
        f"<p>{advice}</p>",
    )


@pytest.mark.parametrize(("lang", "i"), CASES)
def test_a_stamp_among_a_lines_fields_is_furniture(lang: str, i: int) -> None:
    row = ROWS[lang][i]
    assert (
        kinds(
            letter(row.format(d=12), ADVICE[lang], lang),
            letter(row.format(d=19), ADVICE[lang], lang),
        )
        == []
    )


@pytest.mark.parametrize(("lang", "i"), CASES)
def test_the_lines_other_fields_are_read_and_the_advice_told(lang: str, i: int) -> None:
    row = ROWS[lang][i]
    page = letter(row.format(d=12), ADVICE[lang], lang)
    kept = KEPT[i]
    lines = page.sections[0].text.split("\n")
    assert kept in lines if kept else not any("Skriv ut" in line for line in lines)
    changed = ADVICE[lang].replace("65", "75")
    assert kinds(page, letter(row.format(d=19), changed, lang)) == ["changed"]


@pytest.mark.parametrize(
    "body",
    [
        # in a sentence: read
        "<p>Siden ble <span>sist oppdatert {d}.08.2026</span> etter nye råd.</p>",
        "<p>Sida vart <span>sist endra {d}.08.2026</span> etter nye råd.</p>",
        # a list item's fields are the entry's own (a change log's date)
        "<ul><li><span>Endret {d}.08.2026</span> <span>Ny anbefaling om dose</span></li></ul>",
        "<ul><li><span>Endra {d}.08.2026</span> <span>Ny tilråding om dose</span></li></ul>",
        # a field that is no stamp: a deadline beside the letter's type
        "<div><span>Høring</span> <span>Høringsfrist: {d}. mars 2027</span></div>",
        "<div><span>Høyring</span> <span>Høyringsfrist: {d}. mars 2027</span></div>",
    ],
)
def test_a_stamp_that_is_no_field_of_a_line_or_no_stamp_is_read(body: str) -> None:
    before, after = (text(f"<main><h1>T</h1>{body.format(d=d)}</main>") for d in (12, 19))
    assert before != after


# ------------------------------------------------------------ rounds 171 to 173: more furniture


def body(*lines: str, top: str = "") -> PageContent:
    return article("Forskrift om vaksinasjon", "".join(f"<p>{line}</p>" for line in lines), top)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # a view counter in nynorsk as in bokmål (172)
        ("Visningar: 1 204", "Visningar: 4 112"),
        ("Visninger: 1 204", "Visninger: 4 112"),
        # when the figures were fetched, from where, told relative to now (173)
        ("Data hentet fra MSIS for 2 timer siden", "Data hentet fra MSIS for 5 timer siden"),
        ("Data henta frå MSIS for 2 timar sidan", "Data henta frå MSIS for 5 timar sidan"),
        # the calendar's week beside a weekly report (173)
        ("Denne uken: uke 49", "Denne uken: uke 50"),
        ("Denne veka: veke 49", "Denne veka: veke 50"),
    ],
)
def test_counters_fetch_stamps_and_the_calendars_week_are_furniture(
    before: str, after: str
) -> None:
    advice = "Alle over 65 år bør ta vaksinen."
    assert kinds(body(before, advice), body(after, advice)) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Rapporten gjelder uke 49.", "Rapporten gjelder uke 50."),
        ("Rapporten gjeld veke 49.", "Rapporten gjeld veke 50."),
        ("Tall hentet fra MSIS viser 12 tilfeller.", "Tall hentet fra MSIS viser 21 tilfeller."),
        ("Tal henta frå MSIS viser 12 tilfelle.", "Tal henta frå MSIS viser 21 tilfelle."),
    ],
)
def test_a_report_week_or_a_figure_from_a_register_is_told(before: str, after: str) -> None:
    assert kinds(body(before), body(after)) == ["changed"]


LOVDATA_TOOLS = (
    '<div class="document-tools"><a href="?print=1">Skriv ut</a> <a href="#">Del</a> '
    '<a href="/dokument/SF/forskrift/2024-05-14-812?s={s}">Lenke til denne siden</a> '
    '<span class="views">Vist {v} ganger</span>{ad}</div>'
)


def test_lovdatas_tools_bar_with_its_permalink_counter_and_offer_is_furniture() -> None:
    advice = "Kommunen skal tilby vaksiner."
    before = body(advice, top=LOVDATA_TOOLS.format(s="e1", v="1 204", ad=""))
    after = body(
        advice,
        top=LOVDATA_TOOLS.format(
            s="f9", v="1 219", ad=' <a href="/pro/trial">Prøv Lovdata Pro gratis</a>'
        ),
    )
    assert kinds(before, after) == []
    changed = body(
        "Kommunen skal ikke tilby vaksiner.", top=LOVDATA_TOOLS.format(s="f9", v="9", ad="")
    )
    assert kinds(before, changed) == ["changed"]


def header(last: str, in_force: str, label: str = "Sist endret", dl: bool = False) -> str:
    rows = (("Departement", "Helse- og omsorgsdepartementet"), ("Ikrafttredelse", in_force),
            (label, last), ("Endrer", "FOR-2009-06-03-554"))  # fmt: skip
    if dl:
        return "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"
    cells = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in rows)
    return f'<table class="meta">{cells}</table>'


@pytest.mark.parametrize("label", ["Sist endret", "Sist endra"])
@pytest.mark.parametrize("dl", [False, True])
def test_a_regulations_last_change_field_is_furniture_and_its_entry_into_force_told(
    label: str, dl: bool
) -> None:
    """Lovdata's header field of the regulation that last changed it (round 171): the change
    is told in the paragraph it changed; the entry into force is the header's content."""
    advice = "Kommunen skal tilby vaksiner."
    before = body(advice, top=header("FOR-2025-09-02-1711", "01.07.2024", label, dl))
    after = body(advice, top=header("FOR-2026-11-20-2001", "01.07.2024", label, dl))
    assert kinds(before, after) == []
    dated = body(advice, top=header("20.11.2026", "01.07.2024", label, dl))
    assert kinds(before, dated) == []
    later = body(advice, top=header("FOR-2026-11-20-2001", "01.01.2027", label, dl))
    assert kinds(before, later) == ["changed"]


ASIDE = (
    '<aside class="relatert"><p><b>{head}</b></p><ul><li><a href="/a">{a}</a></li>'
    '<li><a href="/b">Helsepersonelloven</a></li></ul>'
    "<p><b>{news}</b></p><p>{teaser}</p></aside>"
)


@pytest.mark.parametrize(
    ("head", "news"),
    [("Populære dokumenter", "Nyheter fra Lovdata"), ("Mest lest", "Nytt frå Lovdata")],
)
def test_an_aside_headed_in_bold_by_the_sites_furniture_is_furniture(head: str, news: str) -> None:
    def page_with(a: str, teaser: str) -> PageContent:  # under a selector: asides read
        return page(
            "<main><h1>Forskrift om vaksinasjon</h1><h2>§ 11. Overgang</h2>"
            "<p>Tilbudet gjelder til 2027.</p>"
            + ASIDE.format(head=head, a=a, news=news, teaser=teaser)
            + "</main>"
        )

    before = page_with("Smittevernloven", "Lovdata Pro lanserer ny søkemotor.")
    after = page_with("Pasientjournalforskriften", "Lovdata Pro får nye kommentarer.")
    assert kinds(before, after) == []


@pytest.mark.parametrize(("head", "lang"), [("Fakta", "nb"), ("Hugs", "nn")])
def test_an_aside_of_facts_is_read(head: str, lang: str) -> None:
    def page_with(days: int) -> PageContent:
        return page(
            "<main><h1>Kikhoste</h1><h2>Råd</h2><p>Ta kontakt med legen.</p>"
            f"<aside><p><b>{head}</b></p><p>Smitteperioden er {days} dager.</p></aside></main>"
        )

    assert kinds(page_with(21), page_with(14)) == ["changed"]


# --------------------------------------------- round 177: a list shared out under subheadings

#: the section's own words, which stay above its new subheadings
INTRO = "Desse landa krev gyldig sertifikat av alle reisande."
COUNTRIES = ["Angola", "Burundi", "Gabon", "Ghana", "Fransk Guyana", "Kongo"]


def shared_out(heads: tuple[str, str], first: list[str], second: list[str], tail: str) -> str:
    items = "".join(f"<li>{c}</li>" for c in first)
    more = "".join(f"<li>{c}</li>" for c in second)
    return (
        f"<main><h1>Gulfeber</h1><h2>Land som krev sertifikat</h2><p>{INTRO}</p><h3>{heads[0]}</h3>"
        f"<ul>{items}</ul><h3>{heads[1]}</h3><ul>{more}</ul><p>{tail}</p></main>"
    )


def listed(countries: list[str], tail: str) -> str:
    items = "".join(f"<li>{c}</li>" for c in countries)
    return (
        f"<main><h1>Gulfeber</h1><h2>Land som krev sertifikat</h2><p>{INTRO}</p><ul>{items}</ul>"
        f"<p>{tail}</p></main>"
    )


TAIL = {"nb": "Sjekk alltid kravene før avreise.", "nn": "Sjekk alltid krava før avreise."}
REGIONS = {"nb": ("Afrika", "Sør-Amerika"), "nn": ("Afrika", "Sør-Amerika")}
AFRICA = [c for c in COUNTRIES if c != "Fransk Guyana"]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_list_shared_out_under_new_subheadings_in_another_order_says_the_same(lang: str) -> None:
    before = listed(COUNTRIES, TAIL[lang])
    after = shared_out(REGIONS[lang], AFRICA, ["Fransk Guyana"], TAIL[lang])
    assert changed(before, after) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_country_dropped_or_added_on_the_way_is_told(lang: str) -> None:
    before = listed(COUNTRIES, TAIL[lang])
    dropped = shared_out(
        REGIONS[lang], [c for c in AFRICA if c != "Ghana"], ["Fransk Guyana"], TAIL[lang]
    )
    assert changed(before, dropped) != []
    added = shared_out(REGIONS[lang], AFRICA, ["Fransk Guyana", "Brasil"], TAIL[lang])
    assert changed(before, added) != []


# ----------------------------------- rounds 179 and 181: live readers, thumbs, a caption's date


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "Akkurat nå: 37 personer ser på denne statistikken",
            "Akkurat nå: 118 personer ser på denne statistikken",
        ),
        ("Akkurat no: 12 personar ser på denne sida", "Akkurat no: 4 personar ser på denne sida"),
        # a feedback widget with thumbs for buttons and its note (181)
        ("Ventetider oppdateres ukentlig.", "Var denne siden nyttig?👍👎"),
        ("Ventetider oppdateres ukentlig.", "Svaret ditt er anonymt."),
        # a caption's date after a comma (179)
        (
            "Venta ventetid i veker, oppdatert 30. november 2026",
            "Venta ventetid i veker, oppdatert 7. desember 2026",
        ),
        (
            "Forventet ventetid i uker, oppdatert 30.11.2026",
            "Forventet ventetid i uker, oppdatert 07.12.2026",
        ),
    ],
)
def test_live_readers_thumbs_and_a_captions_date_are_furniture(before: str, after: str) -> None:
    advice = "Alle pasienter har rett til fritt behandlingsvalg."
    if before.startswith("Ventetider oppdateres"):  # the widget added beside the page's own line
        assert kinds(body(before, advice), body(before, advice, after)) == []
    else:
        assert kinds(body(before, advice), body(after, advice)) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Akkurat nå venter 37 personer på svar.", "Akkurat nå venter 118 personer på svar."),
        ("Ventetida er 12 veker, oppdatert plan.", "Ventetida er 21 veker, oppdatert plan."),
        (
            "Fristen er 1. mars 2027, oppdatert 7. desember.",
            "Fristen er 15. mars 2027, oppdatert 7. desember.",
        ),
    ],
)
def test_a_count_or_a_deadline_beside_such_words_is_told(before: str, after: str) -> None:
    assert kinds(body(before), body(after)) == ["changed"]


# ------------------------ rounds 184 and 185: a tools bar's PDF, embeds held back for consent


def embedded(inner: str, advice: str = "Alle helsearbeidarar bør vaksinerast.") -> PageContent:
    return page(f"<main><h1>Vaksinasjon</h1><h2>Kven</h2><p>{advice}</p>{inner}</main>")


VIDEO = (
    '<figure class="video-embed"><iframe src="https://www.youtube-nocookie.com/embed/x" '
    'title="HLR"></iframe><figcaption>Video: Slik gjer du HLR (4:12)</figcaption></figure>'
)
HELD = {
    "nb": (
        '<figure class="video-embed consent-placeholder"><div class="cc-placeholder"><p>Denne '
        "videoen vises ikke fordi du ikke har godtatt informasjonskapsler fra YouTube.</p>"
        "<button>Endre samtykke</button></div><figcaption>Video: Slik gjer du HLR (4:12)"
        "</figcaption></figure>"
    ),
    "nn": (
        '<div class="embed"><div class="embed__placeholder"><p>Innhaldet er skjult. Du må godta '
        "informasjonskapslar frå Vimeo for å sjå denne videoen.</p><button>Vis innhald</button>"
        '</div></div><p class="caption">Video: Slik gjer du HLR (4:12)</p>'
    ),
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_embed_held_back_for_consent_says_the_same_and_keeps_its_caption(lang: str) -> None:
    shown = VIDEO if lang == "nb" else '<p class="caption">Video: Slik gjer du HLR (4:12)</p>'
    assert kinds(embedded(shown), embedded(HELD[lang])) == []
    assert "Video: Slik gjer du HLR (4:12)" in embedded(HELD[lang]).sections[-1].text
    changed_advice = embedded(HELD[lang], "Alle helsearbeidarar skal vaksinerast.")
    assert kinds(embedded(shown), changed_advice) == ["changed"]


@pytest.mark.parametrize(
    ("loading", "failed"),
    [
        ("Laster rapport …", "Rapporten kunne ikke lastes. Prøv å laste siden på nytt."),
        ("Lastar rapport …", "Rapporten kunne ikkje lastast."),
    ],
)
def test_an_embedded_reports_loading_and_failure_are_furniture(loading: str, failed: str) -> None:
    report = '<h2>Interaktiv rapport</h2><div class="powerbi"><p>{}</p></div>'
    assert kinds(embedded(report.format(loading)), embedded(report.format(failed))) == []


def test_a_tools_bar_with_save_as_pdf_is_furniture() -> None:
    bar = '<div class="tools">{}</div>'
    before = embedded(bar.format("Skriv ut"))
    after = embedded(bar.format("Del denne siden: <a href='#'>LinkedIn</a> Skriv ut / lagre PDF"))
    assert kinds(before, after) == []
