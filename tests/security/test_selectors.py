"""Issue 8, class 5: a selector in the catalogue is CSS or a plain XPath that looks only at the
fetched page. Every selector that could read a file, an address or the environment is refused
when the catalogue is loaded, in every field that takes one (``selector``, ``drop``,
``link_selector``), whatever its spelling."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree
from lxml.cssselect import CSSSelector

from feeds.catalogue import parse_catalogue
from feeds.errors import CatalogueError, SelectorError
from feeds.read.selectors import (
    MAX_SELECTOR_LENGTH,
    check_selector,
    compile_selector,
    roles,
    tokenize,
)

#: selectors that read (or would, in an XPath 2+/XSLT engine) files, addresses or the
#: environment, or reach outside the XPath 1.0 core library
HOSTILE = [
    "unparsed-text('/etc/passwd')",
    "//a[unparsed-text('file:///etc/passwd')]",
    "unparsed-text-lines('/etc/passwd')",
    "//a[unparsed-text-available('/etc/passwd')]",
    "doc('http://127.0.0.1/')//a",
    "//main[doc-available('http://169.254.169.254/')]",
    "document('/etc/passwd')",
    "//a[string(document(''))]",
    "collection('file:///etc')",
    "uri-collection('file:///etc')",
    "environment-variable('HOME')",
    "//a[available-environment-variables()]",
    "json-doc('http://example.invalid/')",
    "system-property('xsl:vendor')",
    "fn:doc('x')",  # a prefixed spelling
    "Q{http://www.w3.org/2005/xpath-functions}doc('x')",  # an EQName (XPath 3)
    "'/etc/passwd' => unparsed-text()",  # the arrow operator (XPath 3.1)
    "//p ! doc(.)",  # the simple map operator (XPath 3)
    "doc ('x')",  # white space before the parenthesis
    "doc\n('x')",
    "doc(: a comment :)('x')",
    "DOC('x')",  # function names are case-sensitive: no such function
    "//a | doc('x')",
    "//a[1], doc('x')",
    "main:has(doc('x'))",
    "//a[exsl:node-set(.)]",  # EXSLT, an extension namespace
    "//a[re:test(., 'x')]",
    "php:function('system', 'id')",
    "//a[$secret]",  # variables
    "//a[foo()]",  # unknown functions
    "//a[lower-case(.)]",  # XPath 2: not in the allowlist
    "let $x := doc('x') return $x",
    "for $f in collection('.') return $f",
    "//a[.=unparsed-text('x')]",
    "ns|div",  # a CSS namespace prefix (we configure none)
    "//svg:a",
    "x" * (MAX_SELECTOR_LENGTH + 1),
    "   ",
]

#: CSS the extractor runs today, and plain XPath paths; all accepted
ACCEPTED_CSS = [
    "main",
    "main article",
    "nav.toc a",
    "article.t-body-text, div.b-article-intro",
    "dl.data-document-key-info, main.documentBody",
    "a[href^='https://']",
    "a[href|='en']",
    "div:not(.cookie-banner) > p:nth-child(2n+1)",
    'a:contains("Kapittel")',
    "p:lang(no)",
    "a:has(b)",
    # strings that spell a call are strings: cssselect quotes them in the translation
    "a[href=\"x') or doc('y') or ('\"]",
    "a[title=\"unparsed-text('/etc/passwd')\"]",
]
ACCEPTED_XPATH = [
    "//main",
    "(//main)[1]",
    "//div[@class='content']//article",
    "//a[contains(@href, '/kapittel/')]",
    "//h2/following-sibling::p[position() < 3]",
    "//*[local-name()='main']",
    "//div[not(@hidden) and string-length(normalize-space(.)) > 0]",
    "//*[self::h2 or self::h3]",
    "//x[a and (b)]",  # 'and' before '(' is the operator here, not a function
    "//x[a or(b)]",
    "//x[count(*) mod (2) = 0]",
    "//div[. = 'doc(']",  # inside a string literal
    "//and",  # an element named like an operator
    "//text()",
]


def entry(**fields: Any) -> dict[str, Any]:
    return {
        "key": "kilde",
        "kind": "page",
        "url": "https://www.fhi.no/",
        "authority": "fhi",
    } | fields


@pytest.mark.parametrize("selector", HOSTILE)
def test_hostile_selectors_are_refused(selector: str) -> None:
    with pytest.raises(SelectorError):
        check_selector(selector)


@pytest.mark.parametrize("selector", HOSTILE)
@pytest.mark.parametrize("field", ["selector", "drop", "link_selector"])
def test_the_catalogue_refuses_hostile_selectors_at_load(selector: str, field: str) -> None:
    value: Any = [".cookie-banner", selector] if field == "drop" else selector
    with pytest.raises(CatalogueError, match=rf"test\.toml: source #1 \(kilde\): {field}\b"):
        parse_catalogue([entry(**{field: value})], origin="test.toml")


@pytest.mark.parametrize(
    ("selector", "reason"),
    [
        ("unparsed-text('/etc/passwd')", "reads files, addresses or the environment"),
        ("//a[document('x')]", "reads files, addresses or the environment"),
        ("fn:doc('x')", "reads files, addresses or the environment"),
        ("//a[environment-variable('HOME')]", "reads files, addresses or the environment"),
        ("//a[foo()]", "not an XPath 1.0 function a selector may use"),
        ("//a[$x]", "take no variables"),
        ("//svg:a", "namespaces are not supported"),
        ("ns|div", "namespace prefixes"),
        ("count(//a)", "does not select elements"),
        ("main >", "neither CSS"),
    ],
)
def test_refusals_say_why_and_what_to_do(selector: str, reason: str) -> None:
    with pytest.raises(SelectorError, match=reason):
        check_selector(selector)


@pytest.mark.parametrize("selector", ACCEPTED_CSS)
def test_css_is_accepted_and_compiles_as_the_extractor_compiles_it(selector: str) -> None:
    assert check_selector(selector) == "css"
    assert compile_selector(selector).path == CSSSelector(selector).path
    (spec,) = parse_catalogue([entry(selector=selector, drop=[selector])])
    assert spec.selector == selector and spec.drop == (selector,)


@pytest.mark.parametrize("selector", ACCEPTED_XPATH)
def test_plain_xpath_is_accepted(selector: str) -> None:
    assert check_selector(selector) == "xpath"
    (spec,) = parse_catalogue([entry(selector=selector)])
    assert spec.selector == selector


def test_an_accepted_xpath_selects_from_the_page() -> None:
    page = etree.fromstring(
        "<html><body><main><h2>Råd</h2><p>en</p><p>to</p><p>tre</p><p>fire</p></main></body></html>"
    )
    found = compile_selector("//h2/following-sibling::p[position() < 3]")(page)
    assert isinstance(found, list)
    assert [el.text for el in found] == ["en", "to"]


def test_a_string_that_spells_a_call_stays_a_string() -> None:
    tokens = tokenize(CSSSelector("a[href=\"x') or doc('y') or ('\"]").path)
    calls = [t.text for t, role in zip(tokens, roles(tokens), strict=True) if role == "call"]
    assert "doc" not in calls
    assert all(t.kind == "literal" for t in tokens if "doc" in t.text)


def test_the_bundled_catalogue_selectors_are_all_css() -> None:
    from feeds.catalogue import load_catalogue

    for spec in load_catalogue():
        for selector in (spec.selector, spec.link_selector, *spec.drop):
            if selector is not None:
                assert check_selector(selector) == "css", (spec.key, selector)
