"""The page walk and the section builder's batched normalisation (issue 13): what they yield
and build, pinned on the markup corners the cheaper forms must keep (comments, nested
headings, list items, empty blocks, an inline content element), and the batched cleaning
equal to the per-line one on the text that could tell them apart."""

from __future__ import annotations

import unicodedata

import pytest
from lxml import etree

from feeds.read import html
from feeds.read.html import extract_page
from feeds.read.normalize import NOISE_PHRASES, clean_lines, clean_text, noise_phrases, strip_noise


def walked(markup: str, selector: str = "main") -> list[tuple[int, str]]:
    root = etree.fromstring(f"<html><body>{markup}</body></html>", etree.HTMLParser())
    [main] = html.select(root, selector)
    return list(html._walk(main))


def test_the_walk_yields_headings_and_block_lines_in_document_order() -> None:
    assert walked(
        "<main>lead<h1>Tittel <b>her</b><h2>inne</h2>ute</h1>etter<p>a <em>b</em> c</p>"
        "<ul><li>punkt<ol><li>nr</li></ol>rest</li></ul><p></p><p> </p>slutt</main>"
    ) == [
        (0, "lead"),
        (1, "Tittel herinneute"),  # a heading's text whole, a heading inside it too
        (0, "etter"),  # the heading's tail starts the next line
        (0, "a b c"),
        (0, ""),  # the <ul>'s own (empty) text: an empty line counts (the raw digest) ...
        (-1, "punkt"),
        (-1, ""),
        (0, "nr"),
        (-1, "rest"),  # back in the <ul> item when the <ol> closed
        (0, ""),  # ... white space alone does not
        (0, "slutt"),
    ]


def test_an_inline_content_element_ends_its_own_last_line() -> None:
    assert walked("<main><span id='x'>a<b>b</b>c</span>tail</main>", "#x") == [(0, "abc")]
    assert walked("<main><h2 id='x'>Bare</h2>tail</main>", "#x") == [(2, "Bare")]


def test_a_list_item_as_the_content_has_its_lists_kind() -> None:
    assert walked("<main><ul><li id='x'>a<p>b</p></li></ul></main>", "#x") == [
        (-1, "a"),
        (-1, "b"),
    ]


@pytest.mark.parametrize(
    "texts",
    [
        ["e\u0301cole", "\u0301start", "caf\u00e9", ""],  # NFC within a text, none across
        ["a\u00a0\u00a0b\tc", "\u2028d\u3000e\x1cf", " lead", "trail ", "double  space"],
        ["x\u200by\u00adz\ufeff", "plain text", "æøå ÆØÅ"],
        ["a\x00b", "c"],  # a text holding NUL itself: cleaned one by one
        ["Ω\u0345\u0301", "\u1e9b\u0323"],
        [],
    ],
)
def test_clean_lines_is_clean_text_of_each(texts: list[str]) -> None:
    assert clean_lines(texts) == [clean_text(t) for t in texts]


def test_every_printable_latin_1_pair_is_clean_as_it_stands() -> None:
    """``clean_lines`` keeps printable text without double or outer spaces as it stands; NFC
    is asked of the joined text (Latin-1 text is NFC whatever its characters)."""
    for i in range(32, 256):
        for j in range(32, 256):
            s = chr(i) + chr(j)
            assert unicodedata.is_normalized("NFC", s)
            assert clean_lines([s, s]) == [clean_text(s)] * 2


@pytest.mark.parametrize(
    "line",
    [
        "Informasjon om \u212aoronasituasjonen endrer seg raskt. Sjekk dato.",
        "\u0130nformasjon: Vi benytter \u0130NFORMASJONSKAPSLER her. Mer.",
        "FÅ VARSEL VED OPPDATERINGER AV denne siden",
        "Tekst (SIST FAGLIG OPPDATERT 3. MARS 2024, LEST 4. MARS 2024) slutt",
        "DETTE INNHOLDET ER MER ENN ETT ÅR GAMMELT. Sjekk dato.",
        "Dette innhaldet er meir enn eitt år gammalt. Bytt nettlesar.",
        "Historisk arkiv: Publisert under regjeringen Solberg. Innholdet er ikke oppdatert.",
        "Du benytter en nettleser vi ikke støtter. Bytt nettleser.",
        "Vanlig tekst uten støy.",
    ],
)
def test_the_noise_phrases_of_a_section_are_every_one_its_lines_can_hold(line: str) -> None:
    text = "\x00".join(["Annen linje", line, "ÆØÅ"])
    phrases = noise_phrases(text)
    lowered = line.lower()
    for guard, pattern in NOISE_PHRASES:
        if guard in lowered:
            assert (guard, pattern) in phrases
    assert strip_noise(line, None, phrases) == strip_noise(line)


def test_a_page_built_in_batches_is_the_page_built_line_by_line() -> None:
    body = (
        "<html><head><title>Veileder</title></head><body><main><h1>Testing</h1>"
        "<p>Alle med  symptomer\n<b>bør</b> teste seg.</p><p>Sist oppdatert: 12.03.2021</p>"
        "<dl><dt>Sist endret</dt><dd>3. mars 2024</dd><dt>Publisert</dt></dl>"
        "<p>Vi benytter informasjonskapsler for statistikk. Les mer.</p>"
        "<h2>Hurtigtest</h2><ul><li>Første punkt</li><li>Andre punkt</li></ul>"
        "<p>En lang linje som gjentas to ganger i samme seksjon her.</p>"
        "<p>En lang linje som gjentas to ganger i samme seksjon her.</p>"
        "<h2>Les også</h2><p>lenker</p><h2>PCR</h2><p>PCR brukes.</p></main></body></html>"
    ).encode()
    page = extract_page(body)
    assert [(s.path, s.text, s.signals) for s in page.sections] == [
        (
            ("Testing",),
            "Alle med symptomer bør teste seg.\nPublisert\nLes mer.",
            ("2021-03-12", "2024-03-03"),
        ),
        (
            ("Testing", "Hurtigtest"),
            "• Første punkt\n• Andre punkt\nEn lang linje som gjentas to ganger i samme seksjon her.",
            (),
        ),
        (("Testing", "PCR"), "PCR brukes.", ()),
    ]
    assert page.updated == "2024-03-03"
    # the same page again, its sections taken over as they are
    again = extract_page(body, reuse=page.sections)
    assert [s is t for s, t in zip(page.sections, again.sections, strict=True)] == [True] * 3


NOISY = (
    "<p class='cookie-banner'>a</p><p id='cookies'>b</p><p class='Cookie'>c</p>"
    "<div role='dialog'><p>d</p></div><div role='Dialog'>e</div><p data-x='cookie'>f</p>"
    "<p class='consent survey'>g</p><ul class='related-links'><li class='share-bar'>h</li></ul>"
    "<a class='skip-link'>i</a><a class='print-button'>j</a><p class='share'>k</p>"
    "<p id='consent'>l</p><p class='x' id='y' role='note'>m</p><p>n</p>"
)


@pytest.mark.parametrize("copies", [1, 2, 20])
def test_noise_found_in_python_is_noise_found_by_xpath(copies: int) -> None:
    """Few elements with attributes: the noise test in Python; many: by XPath. Either way
    the elements of ``_NOISE_XPATH``, in document order."""
    root = etree.fromstring(
        f"<html><body><main class='cookie-free'>{NOISY * copies}</main></body></html>",
        etree.HTMLParser(),
    )
    [main] = html.select(root, "main")
    expected = html._NOISE_XPATH(main)
    assert isinstance(expected, list)
    assert len(expected) == 1 + 8 * copies  # <main> itself ("cookie-free"), 8 in each copy
    assert html._noise_of(main) == expected
