"""The fifteenth outside check's cases met after the round (tests/fixtures/detect_open/OPEN.md):
a box of the site's news teasers ("Aktuelt", "Nyheiter", "Siste nytt") beside the text as
furniture, a tab list whose tabs repeat their panels' headings as controls, and a short page
that says the site is down for maintenance as a source problem, in bokmål and nynorsk. Each
rule with a guard that content of a similar form is still read."""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from tests.support.pages import changed, page, text

# ----------------------------------------------------------------------------- news teasers

LEGEVAKT = (
    "<main><div class='layout'><article><h1>Legevakt</h1>"
    "<p>Legevakta er open heile døgnet for akutt sjukdom og skade.</p>"
    "<h2>Kontakt</h2><p>{contact}</p></article>{aside}</div></main>"
)
CONTACT = "Ring legevakta på 116 117. Ved livstrugande situasjonar, ring 113."
TEASERS = (
    "<aside class='sidebar'><h2>{h}</h2><ul>"
    + "".join(
        f"<li><a href='/aktuelt/{{s}}{i}/'>{{t}} {i}</a><span class='date'>0{i}.12.2026</span></li>"
        for i in (1, 2, 3)
    )
    + "</ul><a href='/aktuelt/'>Sjå alle nyhende</a></aside>"
)


def _teasers(heading: str, slug: str, title: str) -> str:
    return TEASERS.replace("{h}", heading).replace("{s}", slug).replace("{t}", title)


@pytest.mark.parametrize(
    "heading",
    ["Aktuelt", "Nyheiter", "Nyheter", "Nyhende", "Siste nytt", "Siste nyheter",
     "Nyheiter frå kommunen", "Aktuelt fra Helsedirektoratet", "Aktuelle saker"],
)  # fmt: skip
def test_a_box_of_news_teasers_beside_the_text_is_furniture(heading: str) -> None:
    before = LEGEVAKT.format(contact=CONTACT, aside=_teasers(heading, "brann", "Brannøving"))
    after = LEGEVAKT.format(contact=CONTACT, aside=_teasers(heading, "kultur", "Kulturprisen"))
    assert changed(before, after) == []
    assert "Brannøving" not in text(before)
    # the text beside it is read as ever
    edited = LEGEVAKT.format(contact="Ring 116 117.", aside=_teasers(heading, "kultur", "Kultur"))
    assert changed(before, edited) == [("changed", ("Legevakt", "Kontakt"))]


def test_a_teasers_date_counts_with_its_link_but_text_beside_the_links_is_read() -> None:
    box = (
        "<aside><h2>Aktuelt</h2><p>Frå 1. januar 2027 har legevakta nytt nummer, og "
        "sentralbordet er stengt i romjula. Ring 116 117 for akutt hjelp om natta.</p>"
        "<ul><li><a href='/a/'>Nytt nummer</a><span>01.12.2026</span></li></ul></aside>"
    )
    body = LEGEVAKT.format(contact=CONTACT, aside=box)
    assert "sentralbordet er stengt i romjula" in text(body)
    after = body.replace("i romjula", "i romjula og nyttårsaftan")
    assert changed(body, after) == [("changed", ("Legevakt", "Aktuelt"))]


@pytest.mark.parametrize(
    "heading",
    ["Forskrifter", "Aktuelle forskrifter", "Vedlegg", "Relevant regelverk", "Skjema",
     "Nyttige lenkjer"],
)  # fmt: skip
def test_a_box_of_links_that_names_what_they_are_is_content(heading: str) -> None:
    box = (
        f"<aside><h2>{heading}</h2><ul>"
        "<li><a href='/lov/smittevernloven/'>Smittevernloven</a><span>01.12.2026</span></li>"
        "<li><a href='/forskrift/msis/'>MSIS-forskrifta</a></li></ul></aside>"
    )
    before = LEGEVAKT.format(contact=CONTACT, aside=box)
    after = before.replace("MSIS-forskrifta", "Forskrift om smittevern i helsetenesta")
    assert "MSIS-forskrifta" in text(before)
    assert changed(before, after) == [("changed", ("Legevakt", heading))]


def test_news_headed_text_in_the_article_itself_is_read() -> None:
    # "Aktuelt" straight in the article (its parent holds the <h1>): read, links and all
    body = (
        "<main><article><h1>Influensavaksine</h1><p>Vaksinen er gratis for risikogrupper.</p>"
        "<h2>Aktuelt</h2><ul><li><a href='/a/'>Vaksinasjonen startar veke 42</a></li></ul>"
        "</article></main>"
    )
    after = body.replace("veke 42", "veke 43")
    assert changed(body, after) == [("changed", ("Influensavaksine", "Aktuelt"))]


def test_a_newsletter_heading_still_goes_its_own_way() -> None:
    box = (
        "<div><h2>Nyhetsbrev</h2><p>Få nyheter fra oss.</p>"
        "<a href='/nyhetsbrev/'>Abonner på nyhetsbrevet</a></div>"
    )
    assert "Abonner" not in text(LEGEVAKT.format(contact=CONTACT, aside=box))


# ----------------------------------------------------------------------------- tab lists

LINEAR = "<main><h1>{h1}</h1><p>{lead}</p><h2>{a}</h2><p>{ta}</p><h2>{b}</h2><p>{tb}</p></main>"
TABBED = (
    "<main><h1>{h1}</h1><p>{lead}</p><div class='tabs'><div role='tablist'>"
    "<button role='tab' aria-controls='p1' aria-selected='true'>{a}</button>"
    "<button role='tab' aria-controls='p2' tabindex='-1'>{b}</button></div>"
    "<div role='tabpanel' id='p1'><h2>{a}</h2><p>{ta}</p></div>"
    "<div role='tabpanel' id='p2' hidden><h2>{b}</h2><p>{tb}</p></div></div></main>"
)
BOKMAL = {
    "h1": "Skogflåttencefalitt",
    "lead": "Skogflåttencefalitt er en virusinfeksjon som smitter ved flåttbitt.",
    "a": "Symptomer",
    "ta": "Først influensalignende symptomer, deretter hodepine hos noen.",
    "b": "Vaksine",
    "tb": "Grunnvaksinasjon er tre doser.",
}
NYNORSK = {
    "h1": "Skabb",
    "lead": "Skabb er ein hudsjukdom som smittar ved hudkontakt.",
    "a": "Symptom",
    "ta": "Kløe som er verst om natta.",
    "b": "Behandling",
    "tb": "Permetrinkrem blir smurt på heile kroppen og vaska av etter 8–12 timar.",
}


@pytest.mark.parametrize("words", [BOKMAL, NYNORSK])
def test_sections_moved_into_tab_panels_change_nothing(words: dict[str, str]) -> None:
    assert changed(LINEAR.format(**words), TABBED.format(**words)) == []
    # tabs that link to their panels ("#p1") are the same controls
    linked = TABBED.format(**words).replace(
        "<button role='tab' aria-controls='p", "<a role='tab' href='#p"
    )
    linked = linked.replace("</button>", "</a>")
    assert changed(LINEAR.format(**words), linked) == []


@pytest.mark.parametrize("words", [BOKMAL, NYNORSK])
def test_a_tab_panels_own_text_edited_is_a_change(words: dict[str, str]) -> None:
    edited = {**words, "tb": words["tb"].replace("tre", "to").replace("8–12", "6–8")}
    assert edited["tb"] != words["tb"]
    assert changed(TABBED.format(**words), TABBED.format(**edited)) == [
        ("changed", (words["h1"], words["b"]))
    ]


def test_tabs_that_are_their_panels_only_titles_are_read() -> None:
    body = (
        "<main><h1>Influensavaksine til helsepersonell</h1><div role='tablist'>"
        "<button role='tab' aria-controls='p1'>Praktisk</button>"
        "<button role='tab' aria-controls='p2'>Begrunnelse</button></div>"
        "<div role='tabpanel' id='p1'><p>Tilby vaksine i oktober.</p></div>"
        "<div role='tabpanel' id='p2'><p>Vaksinen reduserer sykefravær.</p></div></main>"
    )
    assert "Praktisk" in text(body)
    after = body.replace(">Begrunnelse<", ">Dokumentasjon<")
    assert changed(body, after) == [("changed", ("Influensavaksine til helsepersonell",))]


def test_a_tab_whose_label_is_no_heading_of_its_panel_is_read() -> None:
    words = {**BOKMAL}
    body = TABBED.format(**words).replace(">Vaksine</button>", ">Vaksine for barn</button>")
    assert "Vaksine for barn" in text(body)


# ----------------------------------------------------------------------------- maintenance


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Planlagt vedlikehald",
            "<h1>Planlagt vedlikehald</h1><p>Statsforvaltaren sine nettsider er "
            "utilgjengelege på grunn av planlagt vedlikehald frå laurdag kl. 22.00 til søndag "
            "kl. 06.00.</p><p>Vi beklagar ulempene. Ved akutte saker, ring 57 64 30 00.</p>",
        ),
        (
            "Legemiddelhandtering i kommunane",  # the page's own title, kept by a cache
            "<h1>Vedlikehald</h1><p>Nettsidene våre er utilgjengelege i natt medan vi "
            "oppgraderer. Planlagt vedlikehald held fram til kl. 06.00.</p>",
        ),
        (
            "Vedlikehold pågår - Statsforvalteren",
            "<h1>Planlagt vedlikehold</h1><p>Sidene våre vil være utilgjengelige "
            "til søndag kl. 06.00.</p><p>Ved akutte saker, ring sentralbordet på 22 00 35 00. "
            "Spørsmål om tilskudd kan sendes på e-post til postmottak@statsforvalteren.no, og "
            "vi svarer så snart vi kan etter at arbeidet er ferdig. Vi beklager ulempene dette "
            "medfører for kommunene og innbyggerne.</p>",
        ),
        (
            "Fastlege",
            "<p>Nettsiden er dessverre utilgjengelig på grunn av planlagt vedlikehold.</p>"
            "<p>Beklager ulempen.</p>",
        ),
    ],
)
def test_a_short_page_that_says_the_site_is_down_for_maintenance_is_a_problem(
    title: str, body: str
) -> None:
    with pytest.raises(SourceProblem, match="site's page of maintenance"):
        page(f"<main>{body}</main>", title=title)


CONTENT = "<h1>{h1}</h1><p>{p1}</p><h2>{h2}</h2><p>{p2}</p><p>{p3}</p>"
RUTINAR = {
    "h1": "Legemiddelhandtering i kommunane",
    "p1": "Kommunen skal ha skriftlege rutinar for legemiddelhandtering i alle tenester som "
    "gir helsehjelp, og rutinane skal vere kjende for dei tilsette.",
    "h2": "Krav til rutinar",
    "p2": "Rutinane skal omfatte bestilling, mottak, oppbevaring, tilverking, utdeling og "
    "kassasjon av legemiddel, og kven som har ansvar for kvar oppgåve.",
    "p3": "Verksemdsleiar skal sørgje for at rutinane blir gjennomgått minst ein gong i året, "
    "og at avvik blir meldt og følgt opp.",
}


@pytest.mark.parametrize(
    "notice",
    [
        "<div class='info'><h2>Planlagt vedlikehald</h2><p>Nettsidene er utilgjengelege "
        "laurdag 12. desember kl. 22–06 på grunn av planlagt vedlikehald.</p></div>",
        "<div class='info'><p><strong>Planlagt vedlikehold:</strong> Nettsidene våre vil være "
        "utilgjengelige lørdag 12. desember kl. 22–06 på grunn av vedlikehold.</p></div>",
    ],
)
def test_a_maintenance_notice_on_a_page_of_its_content_is_read(notice: str) -> None:
    body = "<main>" + notice + CONTENT.format(**RUTINAR) + "</main>"
    assert "utilgjengelege" in text(body) or "utilgjengelige" in text(body)
    after = body.replace("minst ein gong i året", "minst to gonger i året")
    assert changed(body, after) == [("changed", (RUTINAR["h1"], RUTINAR["h2"]))]


def test_a_guide_on_maintenance_of_ventilation_is_content() -> None:
    guide = {
        "h1": "Vedlikehold av ventilasjonsanlegg på sykehjem",
        "p1": "Ventilasjonsanlegget skal ha planlagt vedlikehold to ganger i året.",
        "h2": "Under vedlikehold",
        "p2": "Siden anlegget er stengt under vedlikehold, skal beboerne flyttes fra rom uten "
        "vinduer som kan åpnes.",
        "p3": "Filter skiftes ved hvert vedlikehold.",
    }
    body = "<main>" + CONTENT.format(**guide) + "</main>"
    assert "to ganger i året" in text(body)
    after = body.replace("to ganger", "fire ganger")
    assert changed(body, after) == [("changed", (guide["h1"],))]
    # "Vedlikehold" as its title, and a short text: content still, the site is not said down
    short = "<main><h1>Vedlikehold</h1><p>Heisen har vedlikehold kvar måndag.</p></main>"
    assert "Heisen" in "\n".join(s.text for s in page(short, title="Vedlikehold").sections)
