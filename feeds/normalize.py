"""Text normalisation: the same words must hash the same, whatever the markup, encoding or noise.

Pure functions on strings. What is removed here never reaches a diff, so a changed read-date,
a cookie banner or a non-breaking space cannot raise a change.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Mapping

_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SPACE = re.compile(r"\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_\-]+)["']""")
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_\-]+)", re.I)

_DATE = r"\d{1,2}\.\s*(?:\d{1,2}\.|[a-zæøå]+)\s*\d{4}(?:\s*(?:kl\.?\s*)?\d{1,2}[:.]\d{2})?"

# Lines that are noise as a whole (after whitespace normalisation), bokmål, nynorsk and English.
NOISE_LINES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.I)
    for p in (
        rf"^(sist|siste) (oppdatert|endret|endra|faglige endring)\s*:?\s*{_DATE}\.?$",
        rf"^(publisert|oppdatert|først publisert|fyrst publisert)\s*:?\s*{_DATE}\.?$",
        rf"^(last updated|updated|published)\s*:?\s*{_DATE}\.?$",
        r"^hopp til (hoved)?innhold(et)?$",
        r"^gå til hovedinnhold$",
        r"^skriv ut( ?/ ?lag pdf)?$",
        r"^del( på)? (facebook|twitter|linkedin|e-post)$",
        r"^innhold på denne siden$",
        r"^til innholdsfortegnelse$",
    )
)

_NOISE_LINE = re.compile("|".join(f"(?:{p.pattern})" for p in NOISE_LINES), re.I)

# Phrases removed wherever they stand (banners that sit inside the main content on some pages).
# Each pattern is guarded by a literal that must occur in the lower-cased line first, so the
# regular expression (which may scan back to a sentence start) only runs on the rare lines
# that can match: strip_noise stays linear on long paragraphs.
NOISE_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (guard, re.compile(p, re.I))
    for guard, p in (
        ("lest", r"\(siste faglige endring [^)]{0,80}?,? lest \d{1,2}\.\s*\w+\s*\d{4}\)"),
        ("lest", r"\blest \d{1,2}\.\s*[a-zæøå]+\.?\s*\d{4}\b"),
        ("informasjonskapsl", r"[^.]{0,300}benytter informasjonskapsler[^.]{0,300}\."),
        ("informasjonskapsl", r"[^.]{0,300}nyttar informasjonskapslar[^.]{0,300}\."),
        ("nettleser vi ikke", r"du benytter en nettleser vi ikke støtter[^.]{0,200}\.?"),
        (
            "koronasituasjonen",
            r"informasjon om koronasituasjonen endr(er|ar) seg raskt[^.]{0,300}\.",
        ),
    )
)


def clean_text(text: str) -> str:
    """NFC, invisible characters out, every run of white space to one space, trimmed."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return _SPACE.sub(" ", text).strip()


def strip_noise(line: str) -> str:
    """Remove noise phrases from a cleaned line; '' if the whole line is noise."""
    lowered = line.lower()
    for guard, pattern in NOISE_PHRASES:
        if guard in lowered:
            line = pattern.sub("", line)
    line = _SPACE.sub(" ", line).strip()
    if _NOISE_LINE.match(line):
        return ""
    return line


def decode_body(body: bytes, headers: Mapping[str, str] | None = None) -> str:
    """Bytes to text: BOM, then the HTTP charset, then a <meta>/XML declaration, then UTF-8,
    then Windows-1252, so the same text served in another encoding compares equal."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    for encoding in _declared_encodings(body, headers or {}):
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def _declared_encodings(body: bytes, headers: Mapping[str, str]) -> list[str]:
    found: list[str] = []
    match = _HEADER_CHARSET.search(headers.get("content-type", ""))
    if match:
        found.append(match.group(1))
    head = body[:4096]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        m = pattern.search(head)
        if m:
            found.append(m.group(1).decode("ascii"))
    # ISO-8859-1 declared is in practice Windows-1252 (the WHATWG rule).
    return ["cp1252" if e.lower() in ("iso-8859-1", "latin-1", "latin1") else e for e in found]
