"""A feed's bytes as the XML parser gets them: decoded once, the DTD read by us, never by a
parser.

``feed_document`` decodes the body as an XML parser would (``feed_text``), reads everything
before the root element (``read_prolog``) and hands the parser the root element on, as UTF-8
under a declaration saying so, *without the DOCTYPE*: no parser ever sees a DTD, so none can
fetch one, open a file or expand an entity. What a DOCTYPE may legitimately give a feed is
kept by expanding it ourselves, bounded:

* an internal entity whose value is plain text and character references
  (``<!ENTITY nbsp "&#160;">``, as some CMSs emit): every reference to it in the document
  (outside CDATA sections, comments and processing instructions) is replaced by its value;
* with an external DTD (the Netscape RSS 0.91 DOCTYPE, an XHTML one), the HTML entities such
  a DTD defines (``&nbsp;``, ``&aring;``, ...), as character references; the DTD itself is
  never read.

What cannot be read that way is a source problem, never a partial expansion: an entity whose
value holds markup or refers to another entity (billion laughs), a value longer than
``MAX_ENTITY_VALUE`` characters, a reference to an external or parameter-built entity, an
internal subset longer than ``MAX_SUBSET`` characters, a document that would grow by more
than ``MAX_EXPANSION`` characters, and any markup before the root element other than white
space, comments, processing instructions and one DOCTYPE. Parameter entities and the other
declarations (elements, attributes, notations) are skipped: they say nothing a feed reader
needs. The whole costs one decode, one pass over the prolog and, only for a document that
declares something, one pass over the rest.

The document is then scanned once by expat, fed in ``SCAN_CHUNK`` pieces, before feedparser
sees it (``check_structure``): elements nested more than ``MAX_DEPTH`` deep or more than
``MAX_ELEMENTS`` elements in all are a source problem, found as soon as the limit is passed, so
the scan stops there and never reads the rest. feedparser's strict parser spends about 1.4 s of
CPU a MiB on nested elements (a 10 MiB feed of one nested run: 14 s, holding the GIL), and
nothing a feed needs comes near either limit. A document that is not well-formed is refused at
the first error in the words of feedparser's strict parser (the same expat): feedparser would
otherwise read all of it again with its loose parser (20 s for 10 MiB of nesting behind one
undefined entity) only for the feed to be refused as not well-formed.
"""

from __future__ import annotations

import codecs
import html.entities
import re
import xml.parsers.expat
from collections.abc import Mapping
from dataclasses import dataclass, field

from feeds.errors import SourceProblem
from feeds.read.normalize import utf8_despite

#: an entity's value may be at most this long (a character, a word: what CMSs declare)
MAX_ENTITY_VALUE = 256
#: an internal subset may be at most this long (a CMS's declares a few dozen entities)
MAX_SUBSET = 64 * 1024
#: expanding entities may add at most this many characters to a document
MAX_EXPANSION = 1024 * 1024
#: elements may nest at most this deep (libxml2's default limit; a feed with XHTML content
#: nests a few dozen)
MAX_DEPTH = 256
#: a feed may hold at most this many elements (500 items of 100 elements each; feedparser
#: spends about 12 microseconds an element: this bounds its work to well under a second)
MAX_ELEMENTS = 50_000
#: the structure scan hands expat this many bytes at a time, so a refusal stops it early
SCAN_CHUNK = 64 * 1024

#: byte order marks, UTF-32 first (FF FE 00 00 starts with the UTF-16 mark FF FE)
_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
#: no mark: where the NUL bytes of the first character fall (XML 1.0 appendix F, for any
#: first character: a document in an ASCII-compatible encoding never starts with NUL)
_NUL_PATTERNS = (
    (re.compile(rb"\x00\x00\x00[^\x00]", re.S), "utf-32-be"),
    (re.compile(rb"[^\x00]\x00\x00\x00", re.S), "utf-32-le"),
    (re.compile(rb"\x00[^\x00]", re.S), "utf-16-be"),
    (re.compile(rb"[^\x00]\x00", re.S), "utf-16-le"),
)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
_DECLARED_ENCODING = re.compile(
    rb"<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z][A-Za-z0-9._-]*)[\"']"
)


def feed_text(body: bytes, headers: Mapping[str, str] | None = None) -> str:
    """The document's characters, decoded as an XML parser would: a byte order mark, else
    the NUL bytes of a UTF-16/32 first character, else the HTTP charset, the encoding
    declaration or UTF-8 (the first that decodes to text starting with '<'; a single-byte
    charset declared over bytes that are valid multi-byte UTF-8 reads them as UTF-8), else
    Windows-1252. The mark itself is not part of the text."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    for pattern, encoding in _NUL_PATTERNS:
        if pattern.match(body):
            return body.decode(encoding, errors="replace")
    for encoding in _ascii_compatible_candidates(body, headers or {}):
        try:
            text = body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        if text.lstrip().startswith("<"):
            # a single-byte charset declared over UTF-8 bytes: UTF-8 (the page rule)
            return utf8_despite(body, encoding) or text
    return body.decode("cp1252", errors="replace")


def _ascii_compatible_candidates(body: bytes, headers: Mapping[str, str]) -> list[str]:
    found: list[str] = []
    charset = _HTTP_CHARSET.search(
        next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    )
    if charset:
        found.append(charset.group(1))
    declared = _DECLARED_ENCODING.match(body)
    if declared:
        found.append(declared.group(1).decode("ascii"))
    found.append("utf-8")
    return found


# ----------------------------------------------------------------------------- the prolog

_S = r"[ \t\r\n]"
_NAME = r"(?:[^\W\d]|:)[\w.:-]*+"
_QUOTED = r"(?:\"[^\"]*+\"|'[^']*+')"
#: what may come before the root element and the DOCTYPE: white space, comments and
#: processing instructions (possessive: one pass, no backtracking)
_PROLOG_MISC = re.compile(r"(?:[ \t\r\n]++|<!--.*?-->|<\?.*?\?>)*+", re.S)
#: a DOCTYPE up to its internal subset or its end: the root element's name and an external
#: identifier (SYSTEM "uri" or PUBLIC "id" "uri"), never read
_DOCTYPE = re.compile(
    rf"<!DOCTYPE{_S}++({_NAME})(?:{_S}++(SYSTEM{_S}++{_QUOTED}|PUBLIC{_S}++{_QUOTED}{_S}*+{_QUOTED}))?"
    rf"{_S}*+(\[|>)"
)
#: one declaration of an internal subset (or white space, a comment, an instruction, a
#: parameter-entity reference); declarations are read up to their closing '>' with quoted
#: strings skipped whole (a '>' inside a value does not end them)
_SUBSET_TOKEN = re.compile(
    rf"{_S}++"
    r"|<!--.*?-->"
    r"|<\?.*?\?>"
    rf"|<!ENTITY{_S}++(%{_S}++)?({_NAME}){_S}++((?:{_QUOTED}|[^\"'>])*+)>"
    rf"|<!(?:ELEMENT|ATTLIST|NOTATION){_S}(?:{_QUOTED}|[^\"'>])*+>"
    rf"|%{_NAME};",
    re.S,
)
_SUBSET_END = re.compile(rf"\]{_S}*+>")
#: an internal entity: its value alone (an external one has SYSTEM or PUBLIC, maybe NDATA)
_INTERNAL_VALUE = re.compile(rf"(?:\"([^\"]*+)\"|'([^']*+)'){_S}*+")
#: what an entity's value may refer to: characters, and the five predefined entities
_VALUE_REFERENCE = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);")
_ROOT_START = re.compile(r"<(?:[^\W\d]|:)")
_XML_DECLARATION_AT_START = re.compile(r"<\?xml(?:[ \t\r\n][^>]*?)?\?>")
#: an XML declaration (or any processing instruction named xml) elsewhere than at the start
_MISPLACED_DECLARATION = re.compile(r"<\?xml(?:\s|\?>)", re.I)
_UTF8_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
_UNSAFE = "it cannot be read safely (entity expansion, XXE), so it is not read"


@dataclass(frozen=True)
class Prolog:
    """What stands before a feed's root element, as far as reading the feed goes."""

    #: where the root element starts
    root: int
    #: the simple internal entities declared: name -> replacement (escaped markup-free text)
    entities: Mapping[str, str] = field(default_factory=dict)
    #: the DOCTYPE names an external DTD (never read): the HTML entities count as declared
    external: bool = False
    #: the DOCTYPE declared something (a subset, an external DTD): references are expanded
    declares: bool = False


def read_prolog(text: str) -> Prolog:
    """Where the root element of this decoded document starts, and the entities its DOCTYPE
    declares in a form we expand ourselves. Raises SourceProblem when the prolog (all before
    the root element) holds anything but white space, comments, processing instructions and
    one DOCTYPE we can read: a second DOCTYPE, a declaration outside one, text."""
    declaration = _XML_DECLARATION_AT_START.match(text)
    start = declaration.end() if declaration else 0
    end = _misc_end(text, start)
    entities: dict[str, str] = {}
    external = declares = False
    doctype = _DOCTYPE.match(text, end)
    if doctype:
        external = doctype.group(2) is not None
        declares = external
        end = doctype.end()
        if doctype.group(3) == "[":
            end = _read_subset(text, end, entities)
            declares = True
        end = _misc_end(text, end)
    if _MISPLACED_DECLARATION.search(text, start, end):
        raise SourceProblem("the feed is not well-formed XML: an XML declaration not at its start")
    if _ROOT_START.match(text, end):
        return Prolog(end, entities, external, declares)
    raise SourceProblem(_prolog_problem(text[end : end + 200]))


def _misc_end(text: str, start: int) -> int:
    """Where the white space, comments and processing instructions from ``start`` end."""
    misc = _PROLOG_MISC.match(text, start)
    return misc.end() if misc else start  # the pattern matches the empty string: never None


def _read_subset(text: str, pos: int, entities: dict[str, str]) -> int:
    """Reads an internal subset from ``pos`` (after its '['), keeping the simple internal
    entities (the first declaration of a name binds, as in XML); returns where the DOCTYPE
    ends. One pass, bounded by ``MAX_SUBSET``."""
    limit = pos + MAX_SUBSET
    while True:
        if pos > limit:
            raise SourceProblem(
                f"the feed's DOCTYPE has an internal subset of more than {MAX_SUBSET} "
                f"characters; {_UNSAFE}"
            )
        end = _SUBSET_END.match(text, pos)
        if end:
            return end.end()
        token = _SUBSET_TOKEN.match(text, pos)
        if token is None:
            raise SourceProblem(
                f"the feed's DOCTYPE cannot be read (at «{text[pos : pos + 40]}»); {_UNSAFE}"
            )
        name = token.group(2)
        if name and not token.group(1) and name not in entities:  # a general entity
            value = _simple_value(token.group(3))
            if value is not None:
                entities[name] = value
        pos = token.end()


def _simple_value(definition: str) -> str | None:
    """The replacement of an internal entity whose value is plain text, character references
    and the predefined entities, with its quotes escaped so it reads the same in text and in
    attribute values; None for any other entity (external, with markup, referring to other
    entities or parameter entities, longer than ``MAX_ENTITY_VALUE``)."""
    m = _INTERNAL_VALUE.fullmatch(definition)
    if m is None:
        return None  # SYSTEM / PUBLIC: external, never read
    value = m.group(1) if m.group(1) is not None else m.group(2)
    if len(value) > MAX_ENTITY_VALUE or "<" in value or "%" in value:
        return None
    if "&" in _VALUE_REFERENCE.sub("", value):
        return None  # a reference to another entity: nesting is how expansion blows up
    return value.replace('"', "&quot;").replace("'", "&apos;").replace(">", "&gt;")


def _prolog_problem(at: str) -> str:
    """What stands where the root element should (the first characters of it)."""
    head = at.lstrip()[:12].upper()
    if head.startswith("<!DOCTYPE"):
        return f"the feed has more than one DOCTYPE or one that cannot be read; {_UNSAFE}"
    if head.startswith("<!ENTITY") or (head.startswith("<!") and not head.startswith("<!--")):
        return f"the feed has markup declarations outside a DOCTYPE; {_UNSAFE}"
    if head.startswith("<!--"):
        return "the feed is not well-formed XML: a comment before its root element never ends"
    if not at:
        return "not a readable feed: the document has no root element"
    return "the feed is not well-formed XML: text before its root element"


# ----------------------------------------------------------------------------- references

#: a reference to an entity other than the five predefined ones, and what to skip whole:
#: CDATA sections, comments and instructions hold no references
_REFERENCE_OR_SKIP = re.compile(rf"&(?!(?:amp|lt|gt|quot|apos);)({_NAME});|<!\[CDATA\[|<!--|<\?")
_SKIP_END = {"<![CDATA[": "]]>", "<!--": "-->", "<?": "?>"}
#: the entities of the HTML 4 DTDs (and so of RSS 0.91's), as character references
_HTML_ENTITIES = {name: f"&#{code};" for name, code in html.entities.name2codepoint.items()}


def expand_references(body: str, prolog: Prolog) -> str:
    """``body`` (the root element on) with every reference to an entity the DOCTYPE declared
    replaced by its value (``Prolog.entities``; with an external DTD the HTML entities too,
    as character references). Raises SourceProblem for a reference to any other entity (it
    was external, built by a parameter entity or not simple), and when the document would grow
    by more than ``MAX_EXPANSION`` characters. One pass over the body."""
    out: list[str] = []
    copied = pos = grown = 0  # body[:copied] is in out; the search goes on from pos
    search = _REFERENCE_OR_SKIP.search
    while (m := search(body, pos)) is not None:
        name = m.group(1)
        if name is None:  # a CDATA section, comment or instruction: copied as it is
            closing = _SKIP_END[m.group(0)]
            end = body.find(closing, m.end())
            if end < 0:
                raise SourceProblem(f"the feed is not well-formed XML: a {m.group(0)} never ends")
            pos = end + len(closing)
            continue
        pos = m.end()
        value = prolog.entities.get(name)
        if value is None and prolog.external:
            value = _HTML_ENTITIES.get(name)
        if value is None:
            raise SourceProblem(
                f"the feed refers to the entity &{name}; which its DOCTYPE does not declare as "
                f"plain text; {_UNSAFE}"
            )
        grown += len(value) - len(m.group(0))
        if grown > MAX_EXPANSION:
            raise SourceProblem(
                f"the feed's entities would add more than {MAX_EXPANSION} characters; {_UNSAFE}"
            )
        out.append(body[copied : m.start()])
        out.append(value)
        copied = pos
    if not out:
        return body
    out.append(body[copied:])
    return "".join(out)


# ----------------------------------------------------------------------------- structure


class _Limit(Exception):
    """Raised inside expat's handler to stop the scan at once."""


def check_structure(
    document: bytes, max_depth: int = MAX_DEPTH, max_elements: int = MAX_ELEMENTS
) -> None:
    """Raise SourceProblem when ``document`` is not well-formed or too deep or too large
    (``_malformed``)."""
    problem = _malformed(document, max_depth, max_elements)
    if problem:
        raise SourceProblem(problem)


def _malformed(
    document: bytes, max_depth: int = MAX_DEPTH, max_elements: int = MAX_ELEMENTS
) -> str | None:
    """Scan ``document`` (``feed_document``'s output: no DOCTYPE) with expat, ``SCAN_CHUNK``
    bytes at a time, counting elements and their depth. Raises SourceProblem as soon as an
    element nests deeper than ``max_depth`` or the count passes ``max_elements``: the rest of
    the document is never read; returns the parser's words when it is not well-formed, else
    None. Costs one C-speed pass and two calls a element."""
    parser = xml.parsers.expat.ParserCreate()
    depth = elements = 0

    def start(name: str, attributes: object) -> None:
        nonlocal depth, elements
        depth += 1
        elements += 1
        if depth > max_depth or elements > max_elements:
            raise _Limit

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    read = 0
    try:
        while read < len(document):
            chunk = document[read : read + SCAN_CHUNK]
            read += len(chunk)
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Limit:
        where = f"within the first {read} bytes; it is not read"
        if depth > max_depth:
            raise SourceProblem(
                f"the feed nests elements more than {max_depth} deep ({where})"
            ) from None
        raise SourceProblem(f"the feed has more than {max_elements} elements ({where})") from None
    except xml.parsers.expat.ExpatError as exc:
        # feedparser's strict parser is this expat (with namespaces, which only adds errors)
        # over these bytes: it would stop here too, and its loose parser would then read the
        # whole rest before the feed is refused anyway (``feeds.read.feed``); the words are
        # those of its SAX error
        message = xml.parsers.expat.ErrorString(exc.code)
        return f"the feed is not well-formed XML: <unknown>:{exc.lineno}:{exc.offset}: {message}"
    return None


#: a character XML 1.0 forbids: the C0 controls but tab, line feed and carriage return (a
#: vertical tab pasted from a word processor into one item's description)
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: an ampersand that starts no reference ("helse & omsorg" written raw by a CMS)
_BARE_AMPERSAND = re.compile(r"&(?![A-Za-z_][\w.-]{0,60};|#[0-9]{1,8};|#x[0-9A-Fa-f]{1,8};)")


def _repaired(rest: str) -> str:
    """The document after the prolog with the faults of hand-fed CMS feeds that every feed
    reader recovers from mended: characters XML forbids are left out, a bare "&" is written
    "&amp;" (blind round 41: one stray character or one "helse & omsorg" made the whole feed
    a source problem, check after check), and HTML's named entities are read without a DTD
    (``_html_references``, blind round 218). Applied to a document only when it is
    not well-formed (``feed_document``): a well-formed one, "&" in CDATA included, is read as
    it stands; one still malformed after is refused as before."""
    if "&" in rest:
        rest = _BARE_AMPERSAND.sub("&amp;", _html_references(rest))
    return _FORBIDDEN_CHARS.sub("", rest)


def _html_references(rest: str) -> str:
    """``rest`` with its references to HTML's named entities that no DTD declares ("&nbsp;",
    "&oslash;", "&laquo;" in a feed without a DOCTYPE, blind round 218) written as character
    references, as every feed reader reads them; CDATA sections, comments and instructions
    are left as they are, and a name HTML does not know stays (the feed is refused). One
    pass; a reference never grows."""
    out: list[str] = []
    copied = pos = 0
    search = _REFERENCE_OR_SKIP.search
    while (m := search(rest, pos)) is not None:
        name = m.group(1)
        if name is None:
            end = rest.find(_SKIP_END[m.group(0)], m.end())
            if end < 0:
                break  # never closed: malformed whatever we do
            pos = end + len(_SKIP_END[m.group(0)])
            continue
        pos = m.end()
        value = _HTML_ENTITIES.get(name)
        if value is not None:
            out.append(rest[copied : m.start()])
            out.append(value)
            copied = pos
    if not out:
        return rest
    out.append(rest[copied:])
    return "".join(out)


def feed_document(body: bytes, headers: Mapping[str, str] | None = None) -> bytes:
    """The feed as the XML parser gets it: decoded once (``feed_text``), its prolog read on
    the decoded text (``read_prolog``), the entities its DOCTYPE declares expanded by us
    (``expand_references``), then the root element on, encoded as UTF-8 under a declaration
    saying so. The parser never reads the original bytes, so no encoding (UTF-16 or UTF-32,
    with or without a byte order mark, UTF-7, a declaration that contradicts the HTTP charset)
    can show it a declaration the check did not see; and it never sees a DOCTYPE, so there is
    no entity left for it to expand, internal or external, and nothing for it to fetch. Costs
    one decode and one scan of the prolog (and one of the rest when the DOCTYPE declares
    something); parsing what follows is linear in the size of the document."""
    text = feed_text(body, headers)
    prolog = read_prolog(text)
    rest = text[prolog.root :]
    if prolog.declares:
        rest = expand_references(rest, prolog)
    # The rest of the prolog (white space, comments, instructions, the DOCTYPE) means nothing
    # more to a feed and is left out: feedparser's own DOCTYPE filter runs line-anchored
    # regexes over it whose cost grows with the square of its lines (a 140 KB prolog of blank
    # lines: 13 s of CPU, holding the GIL).
    document = (_UTF8_DECLARATION + "\n" + rest).encode("utf-8", errors="replace")
    problem = _malformed(document)
    if problem:
        # mended only when it is malformed: a "&" inside a CDATA section is the text's own
        mended = _repaired(rest)
        if mended != rest:
            document = (_UTF8_DECLARATION + "\n" + mended).encode("utf-8", errors="replace")
            problem = _malformed(document)
        if problem:
            raise SourceProblem(problem)
    return document
