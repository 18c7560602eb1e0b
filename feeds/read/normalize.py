"""Text normalisation: the same words must hash the same, whatever the markup, encoding or noise.

Pure functions on strings. What is removed here never reaches a diff, so a changed read-date,
a cookie banner or a non-breaking space cannot raise a change.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date

#: the soft hyphen, zero-width spaces and joiners, the word joiner and the invisible
#: operators (function application, times, separator, plus), the grapheme joiner, the BOM
#: ... and the marks that tell right-to-left text (Arabic, Hebrew) which way a neutral
#: character runs: LRM, RLM and the Arabic letter mark, set by editors and CMSes at will; and
#: the left-to-right and first-strong isolates, the left-to-right embedding and the marks that
#: close them (LRI, FSI, PDI, LRE, PDF: blind round 145), which leave left-to-right text as it
#: is shown. The right-to-left isolate and embedding and the overrides (RLI, RLE, LRO, RLO)
#: stay: they turn the groups of a phone number round as they are shown, which is a change of
#: what readers see
_INVISIBLE_CHARS = (
    "\u00ad\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\u034f\ufeff\u200e\u200f\u061c"
    "\u2066\u2068\u2069\u202a\u202c"
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
#: The Latin ligatures of Unicode's Alphabetic Presentation Forms (U+FB00-FB06: "ﬀ", "ﬁ", "ﬂ",
#: "ﬃ", "ﬄ", "ﬅ", "ﬆ"), which text pasted from a PDF carries: the same letters ("Deﬁnisjon"
#: is "Definisjon"). Folded to their letters, and no other compatibility character (full
#: NFKC would also turn "m²" into "m2" and "½" into "1/2").
_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
     "\ufb05": "st", "\ufb06": "st",
     # fullwidth ASCII ("０,４ ｍｌ" of a table pasted from an East Asian editor) as ASCII
     **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
     # Arabic-Indic and Persian digits ("١٥ مارس ٢٠٢٧") as the digits they are (blind round
     # 83): the same date, and a changed one is seen in the figures
     **{chr(0x0660 + d): str(d) for d in range(10)},
     **{chr(0x06F0 + d): str(d) for d in range(10)},
     # Arabic letters stored in their presentation forms (an old encoding of the shapes a
     # letter takes in a word) as the letters themselves: the same text, shown alike
     **{chr(c): unicodedata.normalize("NFKC", chr(c))
        for c in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFF)]
        if unicodedata.normalize("NFKC", chr(c)) != chr(c)}}
)  # fmt: skip
_LIGATURE = re.compile(
    "[\ufb00-\ufb06\uff01-\uff5e\u0660-\u0669\u06f0-\u06f9\ufb50-\ufdff\ufe70-\ufefe]"
)
_SPACE = re.compile(r"\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_\-]+)["']""")
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_\-]+)", re.I)

_MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4,
    "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "desember": 12, "des": 12,
}  # fmt: skip
#: the months' names and their abbreviations (bokmål and nynorsk write them alike), by number
MONTHS: Mapping[str, int] = _MONTHS
#: a weekday before a date ("torsdag 12. mars 2026", nynorsk "måndag", "tor.")
_WEEKDAY = (
    r"(?:(?:mandag|måndag|tirsdag|tysdag|onsdag|torsdag|fredag|lørdag|laurdag|søndag|sundag"
    r"|man|tir|tys|ons|tor|fre|lør|lau|søn|sun)\.?,?\s+)?"
)
#: '12. mars 2026', '12.03.2026', '12/03/2026', with a weekday before and a time after
#: ('kl. 10.15', 'klokka 10:15')
_DATE = (
    rf"{_WEEKDAY}(?:\d{{1,2}}\.\s*(?:\d{{1,2}}\.|[a-zæøå]+\.?)\s*\d{{4}}"
    r"|\d{1,2}/\d{1,2}/\d{4}"
    # an English page's date ("Last updated 3 November 2026"): the month's English name
    r"|\d{1,2} (?:january|february|march|april|may|june|july|august|september|october"
    r"|november|december) \d{4}"
    # ... or with the month first ("Updated Dec 3, 2026", "December 3, 2026": blind round 122)
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april"
    r"|june|july|august|september|october|november|december)\.? \d{1,2},? \d{4})"
    r"(?:,?\s*(?:(?:kl\.?|klokka|klokken)\s*)?\d{1,2}[:.]\d{2})?"
)
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_ANY_DATE = rf"(?:{_DATE}|{_ISO_DATE})"
#: a time of day ("kl. 09.15", "klokka 9:15", "kl. 16")
_CLOCK = r"(?:kl\.?|klokka|klokken)\s*+\d{1,2}(?:[:.]\d{2})?+"
#: the stamp of a page updated through the day, without a year ("Sist oppdatert 6. desember
#: kl. 09.15", "Oppdatert kl. 11.40", blind round 71): a live log's furniture, as a dated
#: stamp is, never a change signal (its year is not given). Only a month's name, not any word
#: after a number ("Endret 5. ledd" is read), and only after a stamp's label.
_YEARLESS_STAMP = (
    rf"(?:{_WEEKDAY}\d{{1,2}}\.\s*+(?:{'|'.join(sorted(_MONTHS, key=len, reverse=True))})\b\.?+"
    rf"(?:,?+\s*+{_CLOCK})?+|{_CLOCK})"
)
_DATE_PARTS = re.compile(
    r"(\d{1,2})\.\s*(?:(\d{1,2})\.|([a-zæøå]+)\.?)\s*(\d{4})|(\d{4})-(\d{2})-(\d{2})"
    r"|(\d{1,2})/(\d{1,2})/(\d{4})",
    re.I,
)
#: what stands between the label-and-date pairs of a date line ('Publisert ... – Oppdatert')
_DATE_SEPARATOR = r"[|·•,/–—-]"
#: a feedback widget's count of its answers on a line of its own ("412 personar har svart på
#: dette.", "41 personer har svart."): it follows the readers
FEEDBACK_TALLY = re.compile(
    r"^\d{1,3}(?:[ \u202f\u2009]?\d{3})*+ (?:personer|personar|brukere|brukarar) har svart"
    r"(?: på (?:dette|spørsmålet|spørsmålet over|denne|sida|siden))?\.?$",
    re.I,
)
#: when a page's figures were fetched ("Tallene er hentet", nynorsk "Tala er henta", "Data
#: hentet", blind round 152; "Datagrunnlag hentet", "Tala vart henta ut", blind round 198)
_FETCHED = (
    r"(?:tallene|tall|tala|tal|dataene|data|dataa|datagrunnlaget|datagrunnlag)"
    r" (?:er |ble |vart |blei )?(?:sist )?(?:hentet|henta)(?: inn| ut)?"
)
#: The publisher's own date labels (bokmål, nynorsk, English). A line made only of such labels
#: and dates is noise for the text, and read as a publisher signal (``signal_dates``).
SIGNAL_LABELS = (
    r"sist oppdatert|sist endret|sist endra|sist faglig oppdatert|sist fagleg oppdatert"
    r"|siste faglige endring|siste faglege endring|sist faglig endret|sist fagleg endra"
    r"|først publisert|fyrst publisert|publisert|oppdatert|endret|endra|last updated"
    r"|first published|published|updated|siste endring|sist revidert|revidert"
    r"|sist gjennomgått|sist kontrollert|sist vurdert|sist sjekket|sist sjekka|dato"
    # a review date ("Fagleg gjennomgått 15. mai 2026", "Faglig gjennomgått", "Gjennomgått"):
    # the publisher vouching for the text anew, as "Sist sjekket" does
    r"|faglig gjennomgått|fagleg gjennomgått|gjennomgått"
    # when the page was printed or exported ("Utskrift fra Lovdata - 05.12.2026 19:27",
    # nynorsk "Skrive ut 04.12.2026 kl. 09.12"): each print or export dates it anew
    r"|utskrift (?:fra|frå)(?: lovdata)?(?:\s*[-–])?|utskriftsdato|skrive ut|skriv ut"
    # ... and when the printed copy was fetched ("Sist henta 04.12.2026", blind round 60)
    r"|sist henta|sist hentet"
    # ... and a part of the page's own stamp ("Sjekkliste oppdatert 3.12.2026", "Tabellen
    # oppdatert", "Kapittel sist oppdatert", blind round 221)
    r"|(?:sjekkliste|sjekklista|sjekklisten|tabell|tabellen|tabellen er|kapittel|kapitlet"
    r"|kapittelet|skjema|skjemaet|veileder|veilederen|rettleiar|rettleiaren|oversikt"
    r"|oversikta|oversikten|siden|sida)(?: sist)? (?:oppdatert|endret|endra|revidert)"
    # ... or its copy says it was fetched from Lovdata ("Dokumentet er hentet fra Lovdata
    # 06.12.2026 kl. 21:47", blind round 128)
    r"|dokumentet er (?:hentet|henta) (?:fra|frå) lovdata"
    # ... also without "Dokumentet er" ("Hentet fra Lovdata 07.12.2026 kl. 08:14", nynorsk
    # "Henta frå Lovdata …", blind round 300)
    r"|(?:hentet|henta) (?:fra|frå) lovdata"
    r"|generert|generated|printed"
    # when a statistics page's figures were last updated ("Tall oppdatert 4. desember 2026 kl.
    # 13.00", nynorsk "Tala vart sist oppdaterte 6. desember 2026", blind round 51)
    r"|tall(?:ene)? (?:ble )?(?:er )?(?:sist )?oppdatert"
    r"|tala (?:vart )?(?:er )?(?:sist )?oppdaterte?"
    r"|tal (?:vart )?(?:er )?(?:sist )?oppdaterte?"
    # ... or fetched from their source ("Tallene er hentet mandag 7. mars 2022 kl. 13:00",
    # nynorsk "Tala er henta ...", "Data hentet ...", blind round 152)
    rf"|{_FETCHED}"
    # ... and where from, in a word or two ("Data hentet fra MSIS for 2 timer siden", blind
    # round 173)
    r"(?: (?:fra|frå) [\w-]{2,30}(?: [\w-]{2,30})?)?"
    r"|data(?:ene)? (?:ble )?(?:vart )?(?:er )?(?:sist )?oppdaterte?"
)
#: "Se tidligere versjoner" (nynorsk "Sjå tidlegare versjonar"), after a chain of dates
_EARLIER_VERSIONS = r"(?:se|sjå) (?:tidligare|tidligere|tidlegare) versjon(?:er|ar)"
#: a count of a page's readers or shares, its digits grouped or not ("1 204", "48213"), and
#: such a count of times ("Delt 214 gonger", "Lest 1 204 ganger")
_COUNT = r"\d{1,3}(?:[ \u202f\u2009\xa0]?\d{3})*+"
#: the word after a page's view count: bokmål, and nynorsk's two spellings (blind round 172)
_VIEWS = r"visninger|visningar|visingar"
_TIMES_COUNTED = rf"(?:delt|lest|lese|vist) {_COUNT} g[ao]ng(?:er|ar)?"
#: The page furniture printed on the line of the dates: print and share links, a reading time
#: ("Publisert 12.03.2026 Sist oppdatert 14.03.2026 Skriv ut Del", "... · Lesetid: 4 minutt")
_FURNITURE_AFTER_DATES = (
    r"(?:skriv ut(?: ?/ ?lag pdf)?|del(?: denne sid(?:en|a)| på (?:facebook|twitter|x|linkedin"
    r"|e-post))?|facebook|twitter|linkedin|e-post|lesetid\s*+:?+\s*+\d++\s*+min(?:utt|utter)?"
    r"|\d+\s*min(?:utt|utter)?\.?\s*(?:lesing|lesetid)"
    # ... and the page's share or view counter ("Delt 214 gonger", "Lest 1 204 ganger", blind
    # round 114)
    rf"|{_TIMES_COUNTED})"
)
#: A reading time as a line of its own ("Lesetid: 4 min", "Lesetid 4 minutter", "4 min
#: lesetid", "Lesetid: ca. 4 minutt"): an estimate computed anew by the site's tool. A
#: sentence that mentions it ("Lesetida er om lag 4 minutt.") is read.
_READING_TIME = (
    r"^(?:lesetid\s*+:?+\s*+(?:ca\.?\s*+|cirka\s++|om lag\s++)?\d++\s*+min(?:utt|utter)?"
    r"|(?:ca\.?\s*+)?\d++\s*+min(?:utt|utter)?\.?\s*+(?:lesing|lesetid))\.?$"
)
#: A time told relative to now ("for 2 timer siden", "3 dagar sidan", "i går kl. 08.15"), or
#: ahead of now ("om 13 dagar", "i morgon": an events list's countdown, blind round 49): a
#: listing's or an article's publication furniture, which reads differently at every check
#: while the page stays the same. Never a change signal (it names no date).
_RELATIVE_UNITS = (
    r"(?:\d+|en|ett|ein|eitt|ei|et)\s+(?:sekund(?:er|ar)?|minutt(?:er|ar)?|min"
    r"|time|timer|timar|timen|dag(?:er|ar)?|døgn|uke(?:r)?|veke(?:r)?|måned(?:er)?|månad(?:er)?"
    r"|år)"
)
#: a badge of an event's booking state (``NOISE_LINES``)
_BOOKING = (
    r"(?:(?:åpen|åpent|ope|open) for påmelding|påmelding(?:a|en)? (?:er )?(?:åpen|open|ope)"
    r"|få plass(?:er|ar) (?:igjen|att)|(?:bare|berre|kun) \d{1,4} (?:ledige? )?plass(?:er|ar)?"
    r" (?:igjen|att)|\d{1,3}(?:[ \u202f\u2009]\d{3})*+ (?:ledige?|ledig) plass(?:er|ar)?"
    r"|\d{1,3}(?:[ \u202f\u2009]\d{3})*+ påmeldte?|snart|fullt|fullteikna|fulltegnet"
    r"|venteliste|(?:starter|startar|start) (?:om \d{1,4} (?:dager|dagar|døgn|uker|veker)"
    r"|i dag|i morgen|i morgon)|om \d{1,4} (?:dager|dagar)|i dag|i morgen|i morgon)"
)
_RELATIVE_TIME = (
    rf"(?:(?:for\s+)?{_RELATIVE_UNITS}\s+(?:siden|sidan)|om\s+{_RELATIVE_UNITS}"
    r"|(?:i dag|i går|i forgårs|i morgen|i morgon|i overmorgen|i overmorgon)"
    r"(?:,?\s*(?:(?:kl\.?|klokka|klokken)\s*)?\d{1,2}[:.]\d{2})?|nettopp|akkurat nå|akkurat no)"
)
#: (The white space and separators between the parts are matched possessively, ``*+`` and
#: ``?+``: no part starts with them, so the matches are the same, and a line that almost
#: matches cannot be tried in every way of sharing its spaces among the repeated parts: a
#: hostile line of 10 label-date pairs and an "x" took 2.5 s, of 20 hours.)
#: A version stamp as a date's label ("Versjon 4 – 01.12.2026", "Versjon 2.1: 1. desember
#: 2026", "Version 3 - 2026-12-01"): a circular's or a guide's revision line, furniture as
#: "Sist oppdatert" is, and its date a change signal (``_CHANGE_LABELS``). Only with its date:
#: "Versjon 4" alone, or a sentence about a version, is read.
_VERSION_LABEL = r"(?:versjon|version)\s++\d{1,3}(?:\.\d{1,3}){0,2}\s*+[–—-]?+"
#: a count of the readers who found a page useful ("1 204 personer synes denne siden var
#: nyttig", nynorsk "87 personar synest sida var nyttig", blind round 57)
_USEFUL_COUNT = (
    # ... or their share, with the number of answers ("87 % syntes denne siden var nyttig (231
    # svar)", blind round 95)
    r"(?:\d{1,3}(?:,\d)? ?%"
    # ... of how many answered ("87 % av 213 syntes siden var nyttig"), or the readers' number
    # alone ("212 syntes siden var nyttig", blind rounds 139 and 142)
    r"(?: av \d[\d ]{0,12})?|\d[\d ]{0,12}(?: (?:personer|personar|brukere|brukarar|lesere"
    r"|lesarar))?)"
    r" (?:synes|syntes"
    r"|synest|syntest|mente|meinte) (?:at )?(?:denne |dette )?(?:siden|sida|artikkelen|svaret"
    r"|innholdet|innhaldet) var (?:nyttig|nyttigt|nyttige)\.?(?: \(\d[\d ]{0,12} svar\))?"
)
#: a page's view count in a sentence ("Denne siden er lest 1 204 ganger", nynorsk "Sida er
#: lesen 4 377 gonger")
_VIEW_COUNT = (
    r"(?:denne |dette )?(?:sid(?:en|a)|artikkelen|saken|saka|innholdet|innhaldet) (?:er|har"
    r" (?:vært|vore|blitt|vorte)) (?:lest|lesen|lese|vist|sett) \d[\d ]{0,12} g[ao]ng(?:er|ar)?\.?"
)
#: When the publisher says the page will be updated next ("Neste oppdatering: onsdag 10.
#: desember 2026", "Neste oppdatering 8. desember", nynorsk alike, "Neste planlagte
#: publisering: 14.12.2026"), with a reason for a delay in brackets or not ("... (forsinket
#: på grunn av teknisk feil)"): a weekly report's furniture, as "Sist oppdatert" is, its date
#: often without a year. Never a change signal: it names no change made (``_CHANGE_LABELS``).
_NEXT_UPDATE = (
    r"neste (?:planlagte |planlagde )?(?:oppdatering|publisering|rapport)\s*+:?+\s*+"
    rf"(?:{_WEEKDAY}\d{{1,2}}\.\s*+(?:\d{{1,2}}\.|[a-zæøå]+\.?)(?:\s*+\d{{4}})?|{_ISO_DATE}"
    # ... or at a time of the day ("Neste oppdatering kl. 16", blind round 71)
    rf"|{_CLOCK})"
    r"(?:\s*+\([^()]{0,100}\))?+"
)
#: Lovdata's record of its corrections to the consolidated text ("Rettet 05.12.2026 (§ 6)",
#: "Rettet: 26.05.2021 (kapittel 2 overskrift), 04.12.2026 (note til § 1-2)", nynorsk
#: "Retta"): the editor's bookkeeping, each date with what was corrected in brackets; what was
#: corrected in the text is reported where it stands. Never a change signal.
_CORRECTED = (
    rf"(?:rettet|retta)\s*+:?+\s*+{_ANY_DATE}(?:\s*+\([^()]{{0,120}}\))?+"
    rf"(?:\s*+,\s*+{_ANY_DATE}(?:\s*+\([^()]{{0,120}}\))?+)*+"
)
#: the publisher named after a stamp ("Oppdatert 6. desember kl. 14.30 · Helse- og
#: omsorgsdepartementet", "Publisert 01.12.2026 · Statsforvaltaren i Vestland", blind round 71):
#: a ministry, a directorate, an institute, a county governor's office or a municipality, by
#: the form of its name alone, and only as the end of the line
_PUBLISHER = (
    r"(?:[a-zæøå]+- og )?[a-zæøå]+(?:departementet|direktoratet|instituttet|tilsynet|etaten)"
    r"|statsforvalt(?:eren|aren) i [a-zæøå]+(?: og [a-zæøå]+)?"
    r"|[a-zæøå]+(?:-[a-zæøå]+)? (?:kommune|kommunne|herad)"
)
#: a stamp's time of day before its date ("Oppdatert kl. 14.35 mandag 7. august 2023", a live
#: crisis page's stamp, blind round 142)
_CLOCK_FIRST = rf"(?:{_CLOCK},?+\s++)"
#: when the page was generated, in brackets after a stamp's date ("Sist oppdatert: 14.10.2025
#: 09:12 (generert 05.02.2026 03:00)", blind round 157): each build dates it anew
_GENERATED = rf"(?:\s*+\((?:generert|generated|utskrift|printed)\s*+:?+\s*+{_ANY_DATE}\))"
_SIGNAL_LINE = re.compile(
    rf"^(?:(?:(?:{SIGNAL_LABELS}|{_VERSION_LABEL})\s*+:?+\s*+"
    rf"(?:{_CLOCK_FIRST}?+{_ANY_DATE}{_GENERATED}?+|{_RELATIVE_TIME}|{_YEARLESS_STAMP})"
    rf"|{_NEXT_UPDATE}|{_CORRECTED})\.?+\s*+{_DATE_SEPARATOR}?+\s*+)+"
    rf"(?:{_EARLIER_VERSIONS}\.?)?(?:\s*+{_DATE_SEPARATOR}?+\s*+{_FURNITURE_AFTER_DATES}\.?+)*"
    rf"(?:\s*+{_DATE_SEPARATOR}?+\s*+{_PUBLISHER}\.?)?$",
    re.I,
)
#: Labels whose date is a *content* signal (a professional change), as opposed to publication.
_CHANGE_LABELS = re.compile(
    rf"(sist oppdatert|sist endret|sist endra|siste faglige endring|siste faglege endring"
    rf"|sist faglig oppdatert|sist fagleg oppdatert|sist faglig endret|sist fagleg endra"
    rf"|oppdatert|endret|endra|last updated|updated|siste endring|sist revidert|revidert"
    rf"|{_VERSION_LABEL})\s*:?\s*{_CLOCK_FIRST}?({_ANY_DATE})",
    re.I,
)

#: The label of a control (an accordion's toggle, a "show more" link): no content is ever
#: worded so. A line of it alone is noise (``NOISE_LINES``), and an element of it alone
#: inside a heading or a button is dropped before the page is read (``feeds.read.html``).
CONTROL_LABEL = re.compile(
    r"^(?:(?:vis|les|se|sjå|show|read) (?:mer|meir|mindre|alle|flere|fleire|hele|heile|more"
    r"|less|all)|(?:lukk|åpne|opne|skjul|utvid|fold ut|minimer|expand|collapse|close|open)"
    r"(?: alle| all)?"
    # ... a toggle between two renderings of the same content ("Vis lettlest versjon",
    # "Skjul lettlest versjon", "Vis som tabell", nynorsk "Vis lettlesen utgåve")
    r"|(?:vis|skjul|lukk|åpne|opne) (?:lettlest|lettlesen|utskriftsvennlig|utskriftsvennleg)"
    r"(?: versjon| utgave| utgåve| tekst)?|(?:vis|skjul) (?:som )?(?:tabell|figur|graf|kart)"
    # ... a FAQ's control over all its answers ("Vis alle svar", "Lukk alle spørsmåla", blind
    # round 57)
    r"|(?:vis|skjul|lukk|åpne|opne|utvid|ekspander) alle (?:svar|svara|svarene|spørsmål"
    r"|spørsmåla|spørsmålene|avsnitt|avsnitta|avsnittene|punkt|punkta|punktene))"
    # ... with the count of what it shows ("Vis flere (7 av 214)", "Vis alle (12)", blind
    # round 138): a pager's, which follows the list
    rf"(?: ?\((?:{_COUNT} (?:av|of) )?{_COUNT}\))?$",
    re.I,
)

#: The label of a button that answers, consents or sends: a feedback widget's "Ja" and "Nei",
#: a consent's "Godta", a sign-up's "Meld på". Only a <button>'s own text is read so
#: (``feeds.read.html``): as a line of text, "Ja" or "Nei" is content (a table's cell).
#: "Kopier lenke" (to the page, the document, a paragraph): a button, or a link on a line alone
_COPY_LINK = (
    r"kopier (?:lenke|lenken|lenkja|lenkje|adressen)"
    r"(?: til (?:dokumentet|dokument|siden|sida|artikkelen|paragrafen|kapittelet))?"
)
BUTTON_LABEL = re.compile(
    r"^(?:ja|nei|yes|no|ok|godta|godkjenn|godkjenn alle|godta alle|aksepter|aksepter alle"
    r"|avvis|avvis alle|avslå|tillat alle|meld på|meld deg på|meld meg på|abonner|send"
    r"|send inn|søk|lagre|avbryt|tilbakemelding"
    # a cookie notice's choices ("Bare nødvendige", nynorsk "Berre naudsynte")
    r"|(?:bare|kun|berre|godta|tillat) (?:nødvendige|naudsynte|nødvendig|naudsynt)"
    r"(?: (?:informasjonskapsler|informasjonskapslar|cookies))?"
    # text-size and contrast controls ("A+", "A++", "A-", "Høy kontrast", "Tekststørrelse",
    # nynorsk "Tekststorleik"); a plain "A" or "Kontrast" only in a toolbar (``feeds.read.html``)
    r"|a\+{1,2}|a-{1,2}|(?:høy|høg) kontrast|(?:endre )?(?:tekst|skrift)(?:størrelse|storleik)"
    r"|(?:større|mindre) (?:tekst|skrift)"
    r"|(?:vis|skjul|sjå) (?:innholdsfortegnelsen?|innhaldslista?|innhaldsoversikta?)"
    rf"|{_COPY_LINK})[.!]?$",
    re.I,
)

#: A "new" badge on a link or heading ("Ny", "Nyheit"): it only says how recent something
#: is, and goes away by itself. Dropped where it stands alone in an element inside a link, a
#: heading or a button (``feeds.read.html``); an "Oppdatert" or "Utgått" label stays, content,
#: but for an "Oppdatert" ("Endra", "Endret") badge of a badge's class in a heading
#: (``feeds.read.html._is_badge``).
NEW_BADGE = re.compile(r"^(?:ny|nytt|nyhet|nyheit|new)!?$", re.I)

#: what may end a copyright line ("Alle rettigheter reservert", nynorsk "Alle rettar reserverte")
_RIGHTS = (
    r"(?:\.?\s*+(?:all rights reserved|alle rettigheter (?:er )?reservert"
    r"|alle rettar (?:er )?reserverte?))?\.?"
)

# Lines that are noise as a whole (after whitespace normalisation), bokmål, nynorsk and English:
# the rules' patterns, in lower case, matched all at once (``_NOISE_LINE``)
NOISE_LINES: tuple[str, ...] = (
    _SIGNAL_LINE.pattern,
    r"^(hopp|gå) til (hoved|hovud)?(innhold|innhald)(et)?$",
    r"^skriv ut( ?/ ?lag pdf)?$",
    r"^(del|dele)( på| denne sid(en|a)| sida)?( (facebook|twitter|x|linkedin|e-post))?$",
    # ... its label alone, its links gone as share links ("Del:", "Del siden:", blind round
    # 159)
    r"^(?:del|dele)(?: denne)?(?: siden| sida| artikkelen| saken| saka)?\s*:$",
    # a share button's count, one button or several on a line ("Del på Facebook (187) Del
    # på X", "Del (12)"): it follows the readers. Only a count in brackets after a button's
    # own words: "Del 2" (a part's number) and a sentence with a number are read
    r"^(?=del)(?=[^(]*+\(\d)(?:(?:del|dele)(?: på| denne sid(?:en|a)| sida)?"
    r"(?: (?:facebook|twitter|x|linkedin|e-post|messenger))?"
    r"(?: \(\d[\d ]{0,12}\))?\s*+[|·/•]?+\s*+)+$",
    r"^(innhold på denne sid(en|a)|innhald på denne sida)$",
    # a breadcrumb trail written as a line ("Du er her: Framsida / Tenester / Helse", with
    # " > ", " › " or " » "), bokmål and nynorsk alike: navigation. A sentence after "Du er
    # her:" without a trail of short parts (each at most 80 characters: a page's title) is
    # read ("Du er her: på legevakta ...")
    r"^(?:du er her|you are here)\s*:?\s*[^/>›»\s][^/>›»]{0,79}"
    r"(?:\s[/>›»]\s+[^/>›»\s][^/>›»]{0,79}){1,12}$",
    r"^til (innholdsfortegnelsen?|innhaldsliste|innhaldsoversikt|innhaldsoversikta)$",
    # (with an arrow before or after it: "Tilbake til toppen ↑", blind round 268)
    r"^(?:[↑⬆▲^]\s*+)?(?:(?:tilbake|gå) )?til toppen(?: av sid(?:en|a))?(?:\s*+[↑⬆▲^])?$"
    r"|^back to top$",
    r"^få varsel ved oppdatering(er|ar)? (av|på|om) .{0,200}$",
    r"^abonner på (nytt|endret|endra|nytt eller oppdatert) (innhold|innhald).{0,80}$",
    # ... worded otherwise ("Abonner på endringer", nynorsk "Abonner på endringar", blind
    # round 158), after a print link on its line or not, and of the page named by its title
    # in quotes ("Abonner på endringar i «Risikovurdering: kikhoste i Noreg»", blind round 212)
    r"^(?:skriv ut(?: ?/ ?lag pdf)? )?abonner på (?:endringer|endringar|oppdateringer"
    r"|oppdateringar)(?: (?:på|av|i|for) (?:(?:denne |dette )?(?:siden|sida|innholdet"
    r"|innhaldet)|«[^»]{1,200}»|\"[^\"]{1,200}\"))?$",
    # a wide table's hint to swipe ("Sveip sidelengs for å sjå heile tabellen →", "Scroll
    # horisontalt for å se hele tabellen", blind round 164): the widget's, not the table's
    r"^(?:sveip|swipe|scroll|skroll|rull|dra|bla)(?: (?:sidelengs|sidelens|til sides|til sida"
    r"|horisontalt|til høyre|til høgre))?(?: for å (?:se|sjå) (?:hele|heile|resten av) "
    r"tabellen\.?)?\s*[→›>⟶]*$",
    # a countdown to a deadline in words ("Det er 9 dagar att til søknadsfristen", "12 dager
    # igjen til fristen", blind round 160): it ticks over every day while the deadline it
    # counts to stands where it is
    r"^(?:det er |berre |bare |kun )?(?:\d{1,3}|ein|en|eitt|ett|ei) (?:dag|dagar|dager|døgn"
    r"|veke|veker|uke|uker) (?:att|igjen) (?:til|før) [^.!?\d]{1,60}[.!]?$",
    # a live waiting time on the phone and the calls answered today ("Forventa ventetid på
    # telefon no: om lag 4 minutt", "Samtalar svara i dag: 187", blind round 158): they
    # follow the queue. Only the time "now": "Ventetid til første samtale: 8 veker" is read
    r"^(?:forventet|forventa|beregnet|berekna|estimert)? ?ventetid(?: på telefon(?:en)?)?"
    r" (?:nå|no|akkurat nå|akkurat no)\s*:?\s*(?:ca\.|om lag|cirka|rundt)?\s*\d{1,3}"
    r" (?:min|minutt|minutter|sekund|sekunder)\.?$",
    r"^(?:samtaler|samtalar|anrop) (?:besvart|svart|svara|besvarte|svarte) i dag\s*:?\s*"
    rf"{_COUNT}$",
    r"^(nett-tv|se sendingen her|sjå sendinga her|(se|sjå) opptak(et)? her)$",
    # ... the recording's link named for what it records, and its length ("Sjå opptak av
    # pressekonferansen her", "Varighet: 38:12"): the player's furniture (blind round 50)
    r"^(?:se|sjå) opptak(?:et)? (?:av|fra|frå) (?:pressekonferansen|sendingen|sendinga"
    r"|direktesendingen|direktesendinga|webinaret|seminaret|møtet|innlegget)(?: her)?$",
    r"^(?:varighet|varigheit|lengde|lengd|spilletid|speletid)\s*:?\s*\d{1,2}(?::\d{2}){1,2}$",
    # who wrote a news item ("Skrevet av: Kari Holm, seniorrådgiver", nynorsk "Skrive av:"):
    # the byline, not what it says (blind round 50)
    r"^(?:skrevet av|skrive av|skriven av|skrevet og publisert av)\s*:\s*[^.!?]{2,160}$",
    # the page's own tools and feedback links, as a line of their own: "Gi tilbakemelding
    # på denne siden", "Meld frå om feil", "Lytt", "Les på nynorsk", "Endre
    # tekststørrelse", "Kopier lenke", a toolbar of several ("Skriv ut Last ned som PDF"),
    # and who saved the page last ("Sist endret av: Kari Nordmann")
    r"^(?:gi|gje) (?:oss )?tilbakemelding(?: (?:på|om) (?:denne )?sid(?:en|a))?\.?$",
    r"^(?:meld (?:fra|frå)|si (?:fra|frå)|rapporter|gi beskjed) om (?:en |ein )?feil"
    r"(?: (?:på|i) (?:denne )?(?:sid(?:en|a)|innholdet|innhaldet))?\.?$",
    r"^(?:lytt|lytt til (?:artikkelen|teksten|sid(?:en|a)|denne sid(?:en|a))|les opp"
    r"|høyr(?: artikkelen)?)$",
    # ... also naming the English page's title ("English version: Letter to the
    # municipalities on ...", "Read the letter in English")
    r"^(?:(?:english version|in english)\s*:\s*[^.]{1,200}"
    r"|read (?:the|this) (?:letter|press release|article|page) in english)$",
    r"^(?:read (?:this page )?in english|english version|les (?:denne sid(?:en|a) )?på"
    r" (?:nynorsk|bokmål|engelsk|samisk)|(?:se|sjå) (?:denne )?sid(?:en|a) på"
    r" (?:nynorsk|bokmål|engelsk))$",
    r"^(?:a[+-]\s*)*(?:endre|større|mindre) (?:tekst|skrift)(?:størrelse|storleik)?"
    r"(?:\s*a[+-])*$",
    rf"^(?:{_COPY_LINK}|lenke kopiert|lenkja er kopiert)$",
    # ... with a subscription link and the share buttons by name ("Skriv ut | Del |
    # Abonner", "Del på Facebook Del på X Kopier lenkja"), a button's count of shares
    # after it ("Del (41)": it follows the readers)
    # ... "PDF" alone among them, the page's own copy ("Skriv ut PDF Lenke til denne siden",
    # Lovdata's tools, blind round 203)
    # ... "Skriv ut / lagre som PDF", "Skriv ut dokumentet", and a link to the document by
    # name ("Lenke til dokumentet (FOR-2005-06-17-610)", blind round 300)
    r"^(?:(?:skriv ut(?: dokumentet| ?/ ?lagre som pdf)?|last ned som pdf|last ned pdf|lag pdf"
    r"|lagre som pdf|lagre pdf|pdf|(?:lenke|lenkje) til dokumentet"
    r"|del(?: denne sid(?:en|a)| sid(?:en|a))?:?"
    r"|kopier lenke|lytt(?: til (?:teksten|artikkelen|sid(?:en|a)))?|tips en venn|send på e-post"
    r"|e-post|facebook|twitter|linkedin|x"
    # ... and following the page ("Følg siden", nynorsk "Følg sida", blind round 222)
    r"|følg (?:denne )?sid(?:en|a)"
    r"|abonner på (?:nytt|endret|endra|nytt eller oppdatert) (?:innhold|innhald)|abonner"
    rf"|print|share|del på (?:facebook|twitter|x|linkedin|e-post|messenger)|{_COPY_LINK}"
    r"|lenkja er kopiert"
    # ... a permanent link to the page with the document's id after it, and the site's offer
    # of its paid service ("Lenke til denne siden (FOR-2024-05-14-812)", "Prøv Lovdata Pro
    # gratis", blind round 171)
    r"|lenke til denne sid(?:en|a)(?: \((?:for|lov)-\d{4}-\d{2}-\d{2}-\d+\))?"
    r"|prøv lovdata pro(?: gratis)?"
    # ... and the page's view or share count among them ("Del på e-post 3 655 visninger",
    # "Del 14 delinger")
    rf"|\d{{1,3}}(?:[ \u202f\u2009]\d{{3}})*+ (?:{_VIEWS}|views|delinger|delingar)"
    # ... or its share count in words ("Del Delt 187 ganger", blind round 123)
    rf"|{_TIMES_COUNTED})"
    # ... a count after a tool ("Del (41)"), the size of the page's PDF ("Last ned PDF
    # (1,2 MB)", blind round 296), or the document's id ("Del (FOR-2005-06-17-610)", 300)
    r"(?:\s*+\((?:\d[\d ]{0,9}|\d{1,4}(?:[,.]\d{1,2})? ?[km]b|(?:for|lov)-\d{4}-\d\d-\d\d-\d{1,6})"
    r"\))?+\s*+[|·/•]?+\s*+){2,}$",
    # ... and what is left of such a bar where its other tools were read as controls ("| |
    # Abonner": its print link and share button dropped, blind round 100)
    r"^(?:[|·/]\s*+)++(?:abonner|skriv ut|del|e-post|facebook|twitter|linkedin|x|print|share)"
    r"(?:\s*+[|·/])*+$",
    r"^sist (?:endret|endra|oppdatert|redigert) av\s*+:?+\s*+[^.]{1,80}$",
    # a press release's press contact on a line of its own ("Pressekontakt: Pressevakten i
    # Helse- og omsorgsdepartementet, tlf. 22 24 90 90, e-post presse@hod.dep.no", blind round
    # 213), as a section under such a heading is (``NOISE_HEADINGS``): for journalists
    r"^(?:pressekontakt(?:er|ar)?|kontaktperson(?:er|ar)? for (?:media|presse)|pressevakt(?:en)?)"
    # (one sentence: a point only in an address or before a number, "tlf. 22 24 90 90"; a
    # sentence for patients after it is read)
    r"\s*+:\s*+(?:[^.\n]|\.(?!\s)|\.(?=\s\d)){1,300}$",
    # a situation report's running number alone on its line ("Situasjonsrapport nr. 13", blind
    # round 234): a new report is told by what it says
    r"^(?:situasjonsrapport|statusrapport|situasjonsoppdatering|oppdatering) nr\.? ?\d{1,4}"
    # ... or with the page's stamp after it on the line ("· Sist oppdatert: 7. desember 2026
    # kl. 07.00")
    r"(?:\s*+[·|•]\s*+(?:sist oppdatert|oppdatert|publisert|sist endra|sist endret)\s*+:?"
    r"\s*+[^·|•]{1,60})?$",
    # following the page, alone on its line ("Følg sida og få varsel", blind round 224)
    r"^følg (?:denne )?sid(?:en|a)(?: og få varsel(?: om endring(?:ar|er))?)?$",
    # a page's stamp of when it was generated, with its source and version ("Siden ble
    # generert 07.12.2026 kl. 06:02 fra Sykdomspulsen (versjon 4.12.02)", blind round 259)
    r"^(?:siden|sida|rapporten|tabellen) (?:ble |vart |blei |er )?generert"
    r" (?:den )?\d{1,2}\.\d{1,2}\.\d{4}(?:,? kl\.? \d{1,2}[.:]\d{2})?"
    r"(?: (?:fra|frå) [^()]{1,40}?)?(?: \((?:versjon|versjonsnummer|v\.) [\w.-]{1,20}\))?\.?$",
    # a page's date labels left without their dates ("Publisert Sist oppdatert
    # Helsedirektoratet": a shell whose script fills them, blind round 274), with the
    # publisher's name after them or not
    r"^(?:først )?publisert(?:\s*+:)?\s++sist (?:oppdatert|endret|endra)(?:\s*+:)?"
    r"(?:\s++[^\d\s.:][^\d.:]{0,60})?$",
    # a feedback widget's counts of its answers ("Ja (412) Nei (37)", blind round 272): they
    # follow the readers
    r"^ja\s*+\(\d{1,7}\)\s*+nei\s*+\(\d{1,7}\)$",
    # a count of views by its label ("Visningar siste veke: 1 204", blind round 278): it
    # follows the readers
    r"^(?:visninger|visningar|visingar)(?: (?:siste|denne) (?:uke|veke|måned|månad|døgn|døgnet))?"
    r"\s*+:\s*+\d[\d \u00a0]{0,11}$",
    # a listing's button for more with what is left ("Vis flere (308 gjenstår)", blind round
    # 277)
    r"^(?:vis|last|hent) (?:flere|fleire|mer|meir)(?: (?:saker|nyheter|nyheiter|treff))?"
    r"(?:\s*+\(\d{1,6}(?: (?:gjenstår|att|igjen|til))?\))?$",
    # a toolbar's bookmark for logged-in users ("Lagre i Mine dokumenter", blind round 257)
    r"^lagre i mine dokument(?:er)?$",
    # a live page's countdown to its next refresh ("Siden oppdateres automatisk om 47
    # sekunder", blind round 293): it ticks at every load
    r"^(?:siden|sida) (?:oppdateres|oppdaterast|blir oppdatert|vert oppdatert) automatisk"
    r" om \d{1,4} (?:sekunder|sekund|sek\.|minutter|minutt)\.?$",
    # a speech's note that the spoken words count ("Sjekkes mot fremføring", "Det talte ord
    # gjelder", blind round 223): set on a speech and taken down after, its text the same
    r"^\(?(?:sjekkes|sjekkast|kontrolleres|kontrollerast) mot (?:fremføring|framføring)(?:en)?"
    r"\.?\)?$|^det talte ord? gjeld(?:er)?\.?$",
    # Lovdata's offer beside a paragraph of what its paid service holds on it ("PRO 3
    # avgjørelser og 1 kommentar viser til § 3. Logg inn i Lovdata Pro for å lese mer.", blind
    # round 214): never the regulation's words
    # (its badge first, "PRO": a pattern free at the start of every line cost 14 % of a page)
    # (its second sentence may be gone already: a sentence naming Lovdata Pro is a phrase of
    # its own, ``NOISE_PHRASES``)
    r"^pro \d[^.]{0,120}\bviser til §[^.]{0,40}\.?(?:\s*+logg inn i lovdata pro\b[^.]{0,60}\.?)?$"
    r"|^logg inn i lovdata pro\b[^.]{0,60}\.?$",
    # a letter's note that it was approved electronically, in the words of any office
    # ("Dokumentet er elektronisk godkjent og har difor ikkje handskrivne signaturar", blind
    # round 110): the same for every letter of the office
    r"^(?:dokumentet|brevet) er (?:elektronisk|digitalt) (?:godkjent|godkjend|signert|godkjent"
    r" og signert)(?: (?:og|,) (?:har|er) (?:derfor|difor|dermed) (?:ingen|ikkje|ikke|ikkje med)"
    r" (?:håndskrevne|handskrivne|handskrevne) (?:signaturer|signaturar|underskrifter"
    r"|underskrifter|underskrifta?r?))?\.?$"
    # ... with the approval and the means the other way round ("Dokumentet er godkjent
    # elektronisk.", blind round 250)
    r"|^(?:dokumentet|brevet) er (?:godkjent|godkjend|signert) (?:elektronisk|digitalt)\.?$",
    # a translation's note of who translated it and that the Norwegian text applies
    # ("Translated by Semantix on 14.03.2026. The Norwegian version applies.", "Oversatt av
    # Tolketjenesten, 2026. Ved tvil gjelder den norske teksten.", blind round 247)
    r"^(?:translated by|translation by|oversatt av|omsett av|omsatt av) [^.]{1,80}(?:\.\d{1,2}"
    r"\.\d{4})?\. (?:the norwegian (?:version|text) (?:applies|prevails)|(?:ved tvil )?"
    r"(?:gjelder|gjeld) den norske (?:teksten|versjonen)|den norske (?:teksten|versjonen)"
    r" (?:gjelder|gjeld))\.?$",
    # a relative time standing alone ("2 timer siden"), and a placeholder shown while a
    # part of the page loads ("Laster inn …", nynorsk "Lastar …")
    rf"^{_RELATIVE_TIME}\.?$",
    _READING_TIME,
    r"^(?:laster|lastar|henter|hentar)(?: inn)?(?: (?:innhold|innhald|data|siden|sida))?"
    r"\s*(?:\.{2,}|…)?$|^(?:laster|lastar|henter|hentar)(?: inn)?(?: [a-zæøå]+){1,2}"
    # ... asking the reader to wait ("Lastar inn kartet, vent litt …", "Laster, vennligst vent")
    r"(?:,? (?:vent litt|vennligst vent|vennlegst vent|ver venleg og vent|vent eit augneblink"
    r"|vent et øyeblikk))?\s*(?:\.{2,}|…)$|^(?:laster|lastar|henter|hentar)(?: inn)?"
    r"(?: [a-zæøå]+){0,2},? (?:vent litt|vennligst vent|vennlegst vent|ver venleg og vent"
    r"|vent eit augneblink|vent et øyeblikk)\s*(?:\.{2,}|…)?$|^loading\s*(?:\.{2,}|…)?$",
    # a countdown to a date ("46 dager igjen av høringsfristen", nynorsk "3 dagar att til
    # søknadsfristen", "12 dager igjen"): computed from today's date at every visit. Only as
    # a line of its own; a sentence that counts days ("Du må vente 14 dager til ny test.") is
    # read
    r"^(?:\d{1,4}|en|ein|ett|eitt|ei) (?:dag|dager|dagar|døgn|time|timer|timar|uke|uker|veke"
    r"|veker) (?:igjen|att|til)(?: (?:av|til|på|før) [^.]{1,60})?\.?$",
    # the calendar's week beside a weekly report ("Denne uken: uke 49", nynorsk "Denne veka:
    # veke 49", blind round 173): it follows the calendar, not the figures. Only as a line of
    # its own; "Rapporten gjeld veke 49" is read
    r"^(?:denne uken|denne uka|denne veka|denne veke|inneværende uke|inneverande veke)"
    r"\s*:?\s*(?:er\s+)?(?:uke|veke|veka)\s*\d{1,2}$",
    r"^nett-tv ?/ ?se sendingen her$",
    r"^historisk arkiv: .{0,200}$",
    # regjeringen.no's label of a page kept in its historical archive, under the government
    # that published it ("Historisk arkiv", "Publisert under: Regjeringen Solberg",
    # "Utgiver: Helse- og omsorgsdepartementet"): set when a government leaves office, the
    # text as it was
    r"^historisk arkiv$|^publisert under\s*:\s*regjeringen [a-zæøå]+(?:[- ][a-zæøå]+)?$"
    r"|^utgiver\s*:\s*[a-zæøå -]{2,60}departementet$",
    # a stock photo's credit on a line of its own ("Illustrasjonsfoto: Colourbox", a figure's
    # caption in a feed item's text, blind round 116): "Foto: Utslett ved meslingar" says what
    # it shows, and is read (blind rounds 8 and 20)
    r"^illustrasjons(?:foto|bilde|bilete)\s?:\s?[^.:!?]{2,60}$",
    r"^var denne sid(en|a) nyttig\??( ja nei| ?👍 ?👎)?"
    # ... with the count of answers ("41 personer har svart.", blind round 117)
    r"(?: \d{1,3}(?:[ \u202f\u2009]?\d{3})*+ (?:personer|personar|brukere|brukarar)"
    # ... or of those who found it useful ("Var denne siden nyttig? 212 syntes siden var
    # nyttig", blind round 142)
    rf" har svart\.?| {_USEFUL_COUNT})?$",
    # ... or that count on a line of its own ("412 personar har svart på dette.", blind round
    # 195): it follows the readers
    FEEDBACK_TALLY.pattern,
    # the page's readers counted in a sentence of the count first ("587 har lese denne sida",
    # "1 204 personer har lest denne siden", blind round 207): it follows the readers
    r"^\d{1,3}(?:[ \u202f\u2009]?\d{3})*+ (?:personer |personar |lesere |lesarar )?har"
    r" (?:lest|lese|lesen|sett) (?:denne|dette) (?:siden|sida|artikkelen|saken|saka)\.?$",
    # ... and its tally as a share ("87 % svarte ja (1 204 svar)", blind round 118)
    r"^\d{1,3}(?:,\d)? ?% (?:svarte|svara|svarde) (?:ja|nei)"
    r"(?: \(\d{1,3}(?:[ \u202f\u2009]?\d{3})*+ svar\))?\.?$",
    # ... and its count of the answers ("1 204 personer synes denne siden var nyttig",
    # nynorsk "87 personar synest sida var nyttig", blind round 57): it follows the readers
    rf"^{_USEFUL_COUNT}$",
    # ... both counters as sentences on one line ("Denne sida er vist 1 284 gonger. 37
    # personar synest sida var nyttig.", blind round 61)
    rf"^(?:{_VIEW_COUNT}|{_USEFUL_COUNT})(?:\s+(?:{_VIEW_COUNT}|{_USEFUL_COUNT})){{1,2}}$",
    r"^(fant|fann) du (det|informasjonen) du (lette|leita|leitte|leter|leitar) etter\??"
    r"( ja nei| ?👍 ?👎)?$",
    # an embed held back until its cookies are accepted: the placeholder's sentence and its
    # buttons ("Denne videoen vises ikke fordi du ikke har godtatt informasjonskapsler fra
    # YouTube.", nynorsk "Innhaldet er skjult. Du må godta informasjonskapslar frå Vimeo for
    # å sjå denne videoen.", "Vis innhald", "Endre samtykke", blind round 185): the fetcher's
    # consent, not the page
    r"^(?:denne videoen|dette innholdet|dette innhaldet|kartet|dette kartet|videoen)"
    r" (?:vises ikke|blir ikke vist|vert ikkje vist|blir ikkje vist) fordi du ikk(?:e|je) har"
    r" (?:godtatt|godteke|godkjent) informasjonskapsl(?:er|ar)(?: (?:fra|frå) [\w .-]{2,30})?\.?$"
    r"|^(?:(?:innhaldet|innholdet) er skjult\.\s*)?du må (?:godta|godkjenne)"
    r" informasjonskapsl(?:er|ar)(?: (?:fra|frå) [\w .-]{2,30})? for å (?:se|sjå)"
    r" (?:denne videoen|dette innholdet|dette innhaldet|innholdet|innhaldet|kartet|videoen)\.?$"
    r"|^(?:vis innhold|vis innhald|endre samtykke|endre samtykket)$",
    # ... and an embedded report's message that it did not load ("Rapporten kunne ikke
    # lastes. Prøv å laste siden på nytt.", nynorsk "Rapporten kunne ikkje lastast", blind
    # round 185): as its "Laster rapport …", a state of the fetch
    r"^(?:rapporten|kartet|videoen|innholdet|innhaldet|dashbordet|grafen) kunne ikk(?:e|je)"
    r" (?:lastes|lastast|vises|visast)(?: inn)?\.?"
    r"(?: prøv (?:å laste|å lasta|igjen)[^.]{0,40}\.?)?$",
    # ... its thumbs as its buttons, and its note that answers are anonymous ("Svaret ditt er
    # anonymt.", blind round 181)
    r"^(?:svaret ditt er anonymt|svara dine er anonyme|du svarer anonymt|du svarar anonymt)\.?$",
    # a live count of the readers on the page ("Akkurat nå: 37 personer ser på denne
    # statistikken", nynorsk "Akkurat no: 12 personar ser på denne sida", blind round 179)
    r"^(?:akkurat nå|akkurat no|nå|no)\s*:?\s*\d{1,3}(?:[ \u202f\u2009]?\d{3})*+"
    r" (?:personer|personar|lesere|lesarar|besøkende|besøkjande) (?:ser på|les|leser|er inne"
    r" på) (?:denne|dette) [a-zæøå]+$",
    # ... its digits grouped as Norwegian writes them ("3 655 visninger", a thin space too)
    r"^\d{1,3}(?:[ \u202f\u2009]\d{3})*+"
    rf" ({_VIEWS}|treff|kommentarer|views|delinger)"
    # ... over a period ("1 204 visninger siste 30 dager", blind round 210)
    r"(?: (?:siste|dei siste|de siste) \d{1,3} (?:dager|dagar|døgn|timer|timar))?$",
    # the counters of a post or an embed, alone or several on a line ("1 204 liker · 87
    # delinger", nynorsk "12 kommentarar", "3 reaksjonar"): they follow the readers
    r"^(?:\d[\d ]*+ ?+(?:liker|likes?|likerklikk|delinger|delingar|deling|shares?"
    r"|kommentarer|kommentarar|kommentar|comments?|reaksjoner|reaksjonar|reactions?"
    rf"|{_VIEWS}|views|retweets?)\s*+[·•|,]?+\s*+)+$",
    # a copyright line alone ("© Helse- og omsorgsdepartementet 2026", "Copyright © 2019-2026
    # Helsedirektoratet. Alle rettigheter reservert."): its year rolls over on every page of
    # a site at New Year. Only a line without a sentence in it: a "©" line holding a full
    # stop before its end, or a "Copyright" line without a year, is read.
    rf"^(?:©|\(c\)|copyright(?=[\s©(]))(?:\s*+(?:©|\(c\)))?\s*+(?:[^\s.!?][^.!?]{{0,100}}?\s)?"
    rf"(?:19|20)\d\d(?:\s*+[-–]\s*+(?:19|20)\d\d)?(?:\s[^.!?]{{0,100}})?{_RIGHTS}$"
    rf"|^©\s*+[^\s.!?\d][^.!?\d]{{0,100}}{_RIGHTS}$",
    # a page's counter in words ("Lest 1 204 ganger", nynorsk "Lese 1 204 gonger", "Lesen
    # 3 gonger", "Sidevisningar: 88")
    r"^(?:lest|vist|lese|lesen|sett|delt) \d[\d ]* g[ao]ng(?:er|ar)?"
    # ... with today's count beside it ("Vist 48 213 ganger · 312 i dag", blind round 94)
    r"(?: ?[·•|,] ?\d[\d ]* i (?:dag|går))?$",
    # ... or in a sentence ("Denne siden er lest 1 204 ganger", nynorsk "Sida er lesen 4 377
    # gonger")
    rf"^{_VIEW_COUNT}$",
    rf"^(?:sidevisninger|sidevisningar|{_VIEWS}|antall visninger)"
    # ... over a period ("Sidevisninger siste 30 dager: 12 804", blind round 51)
    r"(?: (?:siste|dei siste|de siste) \d{1,3} (?:dager|dagar|døgn|timer|timar))?\s*:?\s*\d[\d ]*$",
    # the label of a table's sort control ("Sortert etter: Fylke (A–Å)", "Sorter etter
    # antall"): the visitor's choice, or the page's, of an order the rows are compared
    # without (blind round 51)
    r"^(?:sortert|sorter|sortering)(?: etter| på|\s*:)\s*:?\s*[^.:]{0,60}$",
    # ... with what it counts ("Viser 6 av 318 nyheter", nynorsk "Viser 6 av 57 nyheiter",
    # blind round 232)
    r"^(viser|vis) \d+(\s*[-–]\s*\d+)? (av|til) \d+(?:[ \u202f\u2009]\d{3})*"
    r"( treff| resultater| resultat| nyheter| nyheiter| saker| artikler| artiklar| dokumenter"
    r"| dokument| brev| høringer| høyringar)?$",
    # a converted document's page number ("Side 3 av 12", "Side 3 / 12", "s. 3 av 12", blind
    # round 58): it moves with the page breaks
    r"^(?:side|sida|s\.|page) \d{1,4} ?(?:av|\/|of) ?\d{1,4}$",
    r"^(antall treff|treff): ?\d+$",
    rf"^{_EARLIER_VERSIONS}$|^(tidligere|tidlegare) versjon(er|ar)$",
    # live furniture of booking, queue and duty widgets, each a line of its own (blind round
    # 36): today's duty doctor ("Vakthavande lege i dag: Kari Nordheim"), an open/closed pill
    # ("Status: Stengt nå", "Åpent nå – ventetid ca. 2 t"), a free-slot counter ("Ledige
    # timer: 37"), a waiting time and queue ("Forventa ventetid: 25 min", "Det er 4 personar
    # i kø", "Du er nummer 3 i køen"), a slot's places ("09:20 1 ledige", "10:00 Fullt").
    # Sentences about them ("Det kan bli ventetid.") are read.
    r"^(?:vakthavende|vakthavande)(?: (?:lege|kommuneoverlege|sykepleier|sjukepleiar))? i dag"
    r"\s*:\s*.{1,80}$",
    r"^(?:status\s*:\s*)?(?:åpent|åpen|ope|open|opent|stengt|stengd) (?:nå|no)"
    r"(?:\s*[–-]\s*ventetid (?:ca\.?\s*)?\d[^.]{0,25})?$",
    r"^ledige (?:timer|tider|tidspunkt|plasser|plassar)\s*:\s*\d+$",
    # ... an event's booking state, its badges side by side on one line ("Åpen for påmelding
    # Starter om 58 dager 57 påmeldte", "Berre 3 plassar igjen", "I morgen Starter i morgen",
    # blind round 104): it follows the sign-ups and the calendar. "Avlyst" and a new date are
    # no such badge, and are read
    rf"^(?:{_BOOKING}\s*+[·|•,]?+\s*+){{1,6}}$",
    r"^(?:forventet|forventa) ventetid(?: nå| no)?\s*:\s*(?:ca\.?\s*)?\d[^.]{0,25}$",
    # ... in other words and with the time it was read ("Venta ventetid no: ca. 15 min (kl.
    # 12.40)", "Estimert ventetid nå: ca. 45 min", blind round 123)
    r"^(?:forventet|forventa|venta|estimert|antatt|antatt) ventetid(?: nå| no)?\s*:\s*"
    r"(?:ca\.?\s*)?\d{1,3}\s*(?:min(?:utt|utter|uttar)?|t|timer|timar)\.?"
    r"(?:\s*\((?:kl\.?\s*)?\d{1,2}[.:]\d{2}\))?$",
    r"^det er \d+ person(?:er|ar)? i kø(?:en)?\.?$",
    r"^du er nummer \d+ i køen\.?(?: sid(?:en|a) (?:oppdateres|oppdaterast|blir oppdatert)"
    r" automatisk\.?)?$",
    r"^\d{1,2}[:.]\d{2} (?:\d+ ledige?|fullt|full|ingen ledige)$",
    CONTROL_LABEL.pattern,
)

#: the labels of a page's last change ("Sist oppdatert", nynorsk "Sist endra"), for a label and
#: its date beside a sentence on one line (``NOISE_PHRASES``)
_LAST_CHANGED = (
    r"sist (?:oppdatert|endret|endra|revidert|faglig oppdatert|fagleg oppdatert"
    r"|faglig endret|fagleg endra)"
    # ... and when it was published, after an issue's number ("Nr. 11 – 2026. Publisert 27.
    # november 2026.", blind round 66)
    r"|publisert|først publisert|fyrst publisert"
    # ... and when its figures were fetched ("Oversikt over RS-virus i Noreg. Tala vart henta
    # ut 30.11.2026.", blind round 198)
    rf"|{_FETCHED}"
)

#: A date label after a sentence of the line's own, or before it ("Tallene oppdateres hver
#: mandag. Sist oppdatert: 07.12.2026", "Sist endra 01.12.2026. Tala er førebelse."): the label
#: and its date, as on a line of their own (``strip_noise``). Only a label that names the
#: page's last change or its publication, and only at the line's edge, beside a sentence's
#: end: "Forskrifta vart sist endra 1. desember 2026 og gjeld ..." is read. Looked for only
#: in a line that ends in a date or starts with "Sist" (``strip_noise``), so a page's
#: paragraphs cost nothing.
_LAST_CHANGED_BESIDE = re.compile(
    rf"(?<=[.!?])\s+(?:{_LAST_CHANGED})\s*:?\s*{_ANY_DATE}\.?$"
    rf"|^(?:{_LAST_CHANGED})\s*:?\s*{_ANY_DATE}\.\s+(?=[A-ZÆØÅ])",
    re.I,
)


#: ... or after a comma, as a table's caption ends ("Venta ventetid i veker, oppdatert 30.
#: november 2026", blind round 179): the caption read without it. Looked for only in a line
#: that holds ", " and such a label's letters (``_AFTER_COMMA_WORDS``): searched from every
#: comma of every line that ends in a digit, it cost 12 % of a bench page's extraction
_LAST_CHANGED_AFTER_COMMA = re.compile(
    rf"(?<=[^\W\d_]),\s+(?:{_LAST_CHANGED}|oppdatert|oppdaterte)\s*:?\s*{_ANY_DATE}\.?$", re.I
)
#: the letters of every label ``_LAST_CHANGED_AFTER_COMMA`` reads, the first left out for its case
_AFTER_COMMA_WORDS = ("ppdater", "ndret", "ndra", "evider", "ubliser")


#: ... or after a labelled field of a line of fields, its own capital letter starting a field
#: ("Dokumentansvarlig: kommuneoverlegen Sist oppdatert 5. desember 2026", blind round 99):
#: only in a line that starts with a field's label ("Dokumentansvarlig:"); "vart sist
#: oppdatert 1. desember" in a sentence is read
_LAST_CHANGED_AFTER_FIELD = re.compile(
    rf"^(?=[^:.!?]{{1,40}}:\s)[^.!?]{{1,160}}?(?<=[^\W_])(\s+(?=(?-i:[SPF]))(?:{_LAST_CHANGED})"
    rf"\s*:?\s*{_ANY_DATE}\.?)$",
    re.I,
)


#: ... all of them at once, matched on the line in lower case and without IGNORECASE: every
#: rule is written in lower case (tested), and SRE compares each character case-folded under
#: IGNORECASE, ~45 % of the cost of a line (a bench page: 470 -> 260 us)
_NOISE_LINE = re.compile("|".join(f"(?:{p})" for p in NOISE_LINES))
#: no whole-line noise rule matches a longer line (the longest allow ~200 free characters)
_NOISE_LINE_MAX = 400


# A banner's second sentence ("Sjekk dato ...", "Informasjonen kan være utdatert", "Bytt
# nettleser ...") goes with it.
_FOLLOW = (
    r"(\s*[^.]{0,120}(sjekk dato|utdatert|nettleser|nettlesar|oppdatert informasjon"
    r"|gjeldande|gjeldende)[^.]{0,120}\.)?"
)

# Phrases removed wherever they stand (banners that sit inside the main content on some pages).
# Each pattern is guarded by a literal that must occur in the lower-cased line first, so the
# regular expression (which may scan back to a sentence start) only runs on the rare lines
# that can match: strip_noise stays linear on long paragraphs.
NOISE_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (guard, re.compile(p + _FOLLOW, re.I) if follow else re.compile(p, re.I))
    for guard, p, follow in (
        # a citation's read date ("(siste faglige endring 03.03.2023, lest 23. november 2026)",
        # nynorsk "..., lese 6. desember 2026)"), today's on every fetch. Guarded by "les",
        # what both forms hold: each guard is looked for in a page's whole text (~55 us per
        # 100 KB), one for "lest" and one for "lese" cost two
        (
            "les",
            r"\s?\(sist(e)? fagl[ie]ge? (endring|oppdatert|endret|endra) [^)]{0,80}?,? les[te] "
            # (the read date in digits too: "lese 07.12.2026", blind round 262)
            r"(?:\d{1,2}\.\s*\w+\s*\d{4}|\d{1,2}\.\d{1,2}\.\d{4})\)",
            False,
        ),
        ("les", r"\blest (?:\d{1,2}\.\s*[a-zæøå]+\.?\s*\d{4}|\d{1,2}\.\d{1,2}\.\d{4})\b", False),
        # ... or the citation's date of the last professional change alone ("Oslo:
        # Helsedirektoratet (sist faglig oppdatert 14. mars 2025). Tilgjengelig fra ...",
        # blind round 195), which the page's stamp gives: the parenthesis of label and date
        (
            "fagl",
            r"\s?\(sist(?:e)? fagl[ie]ge? (?:endring|oppdatert|endret|endra) "
            # (its read date taken out before it: "(siste faglige endring 05.12.2026, )",
            # blind round 222)
            r"(?:\d{1,2}\.\s*[a-zæøå]+\.?\s*\d{4}|\d{1,2}\.\d{1,2}\.\d{4})(?:,\s*)?\)",
            False,
        ),
        # ... and a stamp of its own in brackets ("Gjeldende versjon (sist kontrollert
        # 07.12.2026)", "Tabellen (sist oppdatert 7. desember 2026)", blind round 239)
        (
            "(sist ",
            r"\s?\(sist (?:oppdatert|endret|endra|kontrollert|revidert|gjennomgått|vurdert"
            r"|sjekket|sjekka) (?:den )?"
            r"(?:\d{1,2}\.\s*[a-zæøå]+\.?\s*\d{4}|\d{1,2}\.\d{1,2}\.\d{4})(?:,\s*)?\)",
            False,
        ),
        # a countdown to an event in words ("Pressekonferansen startar om 3 timar og 12
        # minutt", blind round 234): it ticks while the event's time stays
        (
            " om ",
            r"\s(?:startar|starter|begynner|byrjar|byrjer|sendes|blir sendt|vert sendt) om "
            r"\d{1,3} (?:timar|timer|time|minutt|minutter|minuttar)"
            r"(?: og \d{1,2} (?:minutt|minutter|minuttar))?(?=[.!,]|$)",
            False,
        ),
        # ... the same stamp said in a sentence of its own ("Kapitlet vart sist fagleg
        # oppdatert 2. september 2025.", "Siden ble sist faglig oppdatert 6.12.2026.", blind
        # round 217): the page's stamp in small print, not the advice
        (
            "fagl",
            r"\b(?:kapitlet|kapittelet|sida|siden|artikkelen|innhaldet|innholdet|teksten"
            r"|veilederen|rettleiaren|rådet|rådene|råda)\s++(?:vart|ble|blei|er)\s++sist\s++"
            r"fagl[ie]ge?\s++(?:oppdatert|endra|endret|revidert|gjennomgått|vurdert)\s++"
            rf"(?:den\s++)?{_ANY_DATE}(?:\.(?=\s|$)|$)",
            False,
        ),
        # ... the day a citation says the page was fetched ("Lasta ned 05.12.2026 frå fhi.no",
        # "(lastet ned 5. desember 2026)", "Hentet 05.12.2026 fra"): today's on every fetch.
        # Only before "fra"/"frå" or a closing parenthesis: "må vere henta 05.12.2026." is a
        # deadline
        (
            "ned",
            r"\b(?:lasta|lastet) ned (?:\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2}\.\s*[a-zæøå]+\.?\s*\d{4})"
            r"(?=\s+(?:fra|frå)\b|\))",
            False,
        ),
        # ... a file's download counter at the end of its line ("Influensavaksine per kommune
        # (CSV) Lastet ned 1 482 ganger", nynorsk "Lasta ned 611 gonger"): it follows the
        # readers (blind round 51). Only as a field of its own, after a bracket or with a
        # capital letter: a sentence that counts downloads ("Skjemaet er lastet ned 40
        # ganger", blind round 23) is read
        (
            "ned",
            r"(?:(?<=[)\]])\s+l|\s(?-i:L))ast(?:et|a) ned \d{1,3}(?:[ \u202f\u2009\xa0]?\d{3})*+"
            r" g[ao]ng(?:er|ar)$",
            False,
        ),
        # the size of the page's own PDF, a download not named by its title ("Last ned PDF
        # (PDF, 2,1 MB)", blind round 196): the document's copy, whose size moves with every
        # chapter's edit, told where it is made. The link is read; a file named by its title
        # ("Veileder for ... (PDF, 2,1 MB)") is read with its size
        (
            "ned",
            r"(?<=\blast ned pdf)\s\(pdf,? \d{1,4}(?:,\d{1,2})? ?[kmg]b\)"
            r"|(?<=\blast ned som pdf)\s\(pdf,? \d{1,4}(?:,\d{1,2})? ?[kmg]b\)",
            False,
        ),
        (
            "hent",
            r"\b(?:hentet|henta) (?:\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2}\.\s*[a-zæøå]+\.?\s*\d{4})"
            r"(?=\s+(?:fra|frå)\b|\))",
            False,
        ),
        (
            "informasjonskapsl",
            # from a sentence's start only: searched from every position, the leading
            # [^.]{0,300} read 300 characters at each of them (a 40 KB line: 0.65 s)
            # a dot inside a word is no sentence's end ("Regjeringen.no bruker ..."): a
            # sentence starts at the line's start or after a dot and a space
            r"(?:^|(?<=\.)(?=\s))(?:[^.]|\.(?=\w)){0,300}(?:benytter|bruker|nytter|nyttar|brukar)"
            r" informasjonskapsl(?:er|ar)(?:[^.]|\.(?=\w)){0,300}\."
            r"(?:\s*(?:[^.]|\.(?=\w)){0,120}(?:personvern|personopplysning"
            r"|(?:endre|endra|trekke|trekkje) (?:tilbake )?(?:valget|valet|samtykke|samtykket"
            r"|innstilling))(?:[^.]|\.(?=\w)){0,120}\.)?",
            False,
        ),
        ("nettleser vi ikke", r"du benytter en nettleser vi ikke støtter[^.]{0,200}\.?", True),
        ("nettlesar vi ikkje", r"du nyttar ein nettlesar vi ikkje støttar[^.]{0,200}\.?", True),
        (
            "koronasituasjonen",
            r"(?:informasjon om koronasituasjonen endr(er|ar) seg raskt[^.]{0,300}\."
            # ... and the banner's second line ("Sjekk temasida Koronasituasjonen for siste
            # nytt frå regjeringa, eller Helsenorge.no for ...", blind round 155)
            r"|(?:sjekk|se|sjå) temasid(?:en|a) koronasituasjonen(?:[^.]|\.(?=\w)){0,300}\.)",
            True,
        ),
        ("enn ett år gammel", r"dette innholdet er mer enn ett år gammelt[^.]{0,200}\.?", True),
        ("enn eitt år gammal", r"dette innhaldet er meir enn eitt år gammalt[^.]{0,200}\.?", True),
        (
            "historisk arkiv",
            r"historisk arkiv: [^.]{0,200}\.(\s*[^.]{0,120}ikke oppdatert\.)?",
            False,
        ),
        ("få varsel ved", r"få varsel ved oppdatering(er|ar)? (av|på|om) [^.]{0,150}$", False),
        # a notice that the page's translations lag behind ("Oversettelsene er ikke oppdatert
        # med endringene fra 26. september. Les den norske teksten for gjeldende råd.",
        # nynorsk "Omsetjingane er ikkje oppdaterte ..."), or when a translation was last
        # updated ("(oversettelsen er sist oppdatert 12.03.2024; den er ikke offisiell)"): for
        # the readers of the translations; the Norwegian text is what is read
        (
            "oversettels",
            r"(?:oversettelsene|oversettelsen) er ikke (?:oppdatert|oppdaterte)"
            r"(?:[^.]|\.(?=\s*+[a-zæøå0-9])){0,200}\."
            r"(?:\s*+les den norske teksten[^.]{0,100}\.)?"
            rf"|\(oversettelsen er sist oppdatert {_ANY_DATE}[^()]{{0,120}}\)",
            False,
        ),
        (
            "omsetjing",
            r"(?:omsetjingane|omsetjinga) er ikkje (?:oppdatert|oppdaterte)"
            r"(?:[^.]|\.(?=\s*+[a-zæøå0-9])){0,200}\."
            r"(?:\s*+les den norske teksten[^.]{0,100}\.)?"
            rf"|\(omsetjinga er sist oppdatert {_ANY_DATE}[^()]{{0,120}}\)",
            False,
        ),
        # regjeringen.no's label of a page in its historical archive, as a sentence ("Denne
        # siden er en del av regjeringens historiske arkiv. Innholdet kan være utdatert.",
        # nynorsk "Denne sida er ein del av det historiske arkivet til regjeringa. Innhaldet
        # kan vere utdatert."): set when a government leaves office, the text as it was
        (
            "historisk",
            r"(?:denne sid(?:en|a)|dette innhold(?:et)?|dette innhaldet|denne artikkelen) er "
            r"(?:en |ein )?del av (?:regjeringens historiske arkiv|det historiske arkivet til "
            r"regjeringa|regjeringa sitt historiske arkiv)\.?(?:\s*+(?:innholdet|innhaldet) kan "
            r"v(?:æ|e)re utdatert\.?)?",
            False,
        ),
        # a printout's stamp of when the text was fetched ("Dokumentet er hentet fra Lovdata
        # 07.12.2026 kl. 08:14. Det kan være endret senere.", blind round 257): the time of
        # every fetch, set after the regulation's last paragraph
        (
            "hent",
            r"(?:dokumentet|teksten|sid(?:en|a)) er (?:hentet|henta) (?:fra|frå) [\w.-]{2,30}"
            r" (?:den )?\d{1,2}\.\d{1,2}\.\d{4}(?:,? kl\.? \d{1,2}[.:]\d{2})?\.?"
            r"(?:\s*+det kan v(?:æ|e)re (?:endret|endra) (?:senere|seinare)\.?)?",
            False,
        ),
        # Lovdata's offer of its paid service in a sentence of its own ("Se tidligere
        # versjoner av forskriften og alle endringsforskrifter i Lovdata Pro.", "Nyhet:
        # Sammenlign versjoner side om side ... med Lovdata Pro. Logg inn", blind round 257):
        # never the regulation's words
        (
            "lovdata",
            r"(?:^|(?<=[.!?] ))[^.!?]{0,200}\blovdata pro\b[^.!?]{0,80}(?:[.!?]|$)"
            r"(?:\s*+logg inn\.?$)?",
            False,
        ),
        # a tool or a count that only a logged-in user gets, alone on its line ("Legg til i
        # favoritter (krever innlogging)", "Rettskilder som henviser hit (krever innlogging):
        # 37", blind round 257): the count follows the site's other documents
        (
            "innlogging)",
            r"^[^().:]{1,60} \((?:krever|krev) innlogging\)(?:\s*+:\s*+\d[\d ]{0,8})?$",
            False,
        ),
    )
)

#: Headings whose whole section is noise: press contacts, related links and news cards.
NOISE_HEADINGS = re.compile(
    r"^(innhold på denne sid(en|a)|innhald på denne sida|pressekontakt(er|ar)?"
    r"|kontaktperson(er|ar)? for (media|presse)|relatert(e)? (innhold|innhald|nyheter|nyheiter"
    r"|nyhende|artikler|artiklar|lenker|lenkjer)|relevante (lenker|lenkjer|nyheter|nyheiter)"
    r"|les også|les òg|andre (leste|har lest|har lese)"
    # a popularity list said to be of the moment ("Mest lest akkurat nå", "Mest lese no",
    # blind round 259): its order and counts follow the readers (a plain "Mest lest" over
    # the article's text is read: blind round 5)
    r"|mest (lest|lese|besøkt) (akkurat )?(nå|no|i dag|siste (uke|veke|døgn|døgnet))"
    r"|(aktuelt|nyheter|nyheiter|nyhende) (fra|frå) .{0,60}|del (denne )?sid(en|a)"
    # Lovdata's log of its consolidation ("Endringer i den konsoliderte teksten") and the
    # list of a text's earlier versions: bookkeeping; the changes stand in the text
    r"|endring(er|ar) i den konsoliderte teksten|(tidligere|tidlegare) versjon(er|ar))$",
    re.I,
)


#: the right-to-left override (U+202E): a browser shows what follows it, up to the end of the
#: embedding (U+202C) or of the paragraph, in reverse order ("\u202e21" shows "12")
_RTL_OVERRIDE = "\u202e"
_OVERRIDDEN = re.compile("\u202e([^\u202c\n\x00]*)\u202c?")


def _read_overrides(text: str) -> str:
    """``text`` as a reader sees it where a right-to-left override reverses it (blind round
    226: "\u202e21" is shown as "12"): each overridden run in its shown order, the marks
    gone."""
    return _OVERRIDDEN.sub(lambda m: m[1][::-1], text)


#: a right-to-left isolate or embedding (U+2067, U+202B) and what it holds, to its end
_RTL_RUN = re.compile("[\u2067\u202b]([^\u2069\u202c\n\x00]*)[\u2069\u202c]?")
#: a letter or digit written left to right: its order is turned round in a right-to-left run
_LTR_CHAR = re.compile(r"[0-9A-Za-zÀ-ɏ]")


def _read_rtl_runs(text: str) -> str:
    """``text`` without the right-to-left isolates and embeddings that hold right-to-left
    writing only (an Arabic or Urdu name, blind round 226): they show it as it reads.
    Around digits or Latin letters they turn the groups round ("22 10 00 00" shown "00 00
    10 22", blind round 140), and are left for the text to differ."""
    return _RTL_RUN.sub(lambda m: m[0] if _LTR_CHAR.search(m[1]) else m[1], text)


def clean_text(text: str) -> str:
    """NFC, invisible characters out, Latin ligatures as their letters (``_LIGATURES``), every
    run of white space to one space, trimmed. NUL goes too: no database text column can hold
    it (PostgreSQL refuses the whole row)."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if _RTL_OVERRIDE in text:
            text = _read_overrides(text)
        if "\u2067" in text or "\u202b" in text:
            text = _read_rtl_runs(text)
        # substring tests are much cheaper than the regex search on clean text
        if any(c in text for c in _INVISIBLE_CHARS):
            text = _INVISIBLE.sub("", text)
        if _LIGATURE.search(text):
            text = text.translate(_LIGATURES)
    return " ".join(text.split())


def clean_lines(texts: Sequence[str]) -> list[str]:
    """``clean_text`` of each text, with the per-text work done once on all of them
    (``clean_joined``)."""
    joined = "\x00".join(texts)
    return clean_joined(texts, joined, latin1(joined))


def clean_joined(texts: Sequence[str], joined: str, latin: bytes | None) -> list[str]:
    """``clean_lines`` of ``texts`` given them joined by NUL and ``latin1`` of that (the
    section builder has both already): NUL is a starter no character composes with, so NFC
    of the joined text is the joined NFC of its parts; it is normalised and cleared of
    invisible characters in one call each, then split again. Texts that hold a NUL
    themselves are cleaned one by one."""
    if joined.count("\x00") != len(texts) - 1:
        return [clean_text(t) for t in texts]
    if latin is not None:
        # Latin-1 text (Norwegian prose without typographic dashes or quotes) is NFC as it
        # stands (no character below U+0100 decomposes or combines: a check of each one
        # costs ~1.5 ns a character), its one invisible character is the soft hyphen, and
        # whether every line is printable is one table look-up of its bytes
        if b"\xad" in latin:
            joined = joined.replace("\u00ad", "")
            latin = latin.replace(b"\xad", b"")
        if latin.translate(None, _PRINTABLE_LATIN1) == b"\x00" * (len(texts) - 1):
            return [
                t if "  " not in t and t[:1] != " " and t[-1:] != " " else " ".join(t.split())
                for t in joined.split("\x00")
            ]
    elif not joined.isascii():
        if not unicodedata.is_normalized("NFC", joined):
            joined = unicodedata.normalize("NFC", joined)
        if _RTL_OVERRIDE in joined:
            joined = _read_overrides(joined)
        if "\u2067" in joined or "\u202b" in joined:
            joined = _read_rtl_runs(joined)
        if any(c in joined for c in _INVISIBLE_CHARS):
            joined = _INVISIBLE.sub("", joined)
        if _LIGATURE.search(joined):
            joined = joined.translate(_LIGATURES)
    # text whose only white space is single inner ASCII spaces is clean already: printable
    # text has no white space but the ASCII space (every other kind is a control character
    # or a separator), and a check of it is ~10x cheaper than splitting it into words
    return [
        t
        if t.isprintable() and "  " not in t and t[:1] != " " and t[-1:] != " "
        else " ".join(t.split())
        for t in joined.split("\x00")
    ]


#: the printable characters of Latin-1 (``str.isprintable``), as the bytes that encode them
_PRINTABLE_LATIN1 = bytes(i for i in range(256) if chr(i).isprintable())


def latin1(text: str) -> bytes | None:
    """``text`` encoded as Latin-1 (a copy of its characters when it is stored one byte a
    character, as CPython keeps any text below U+0100); None when it holds another."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return None


#: each noise phrase's guard without its first letter, in lower and in upper case
#: (``strip_noise``)
_GUARD_TAILS = {g: (g[1:], g[1:].upper()) for g, _ in NOISE_PHRASES}
#: each noise phrase's guard as bytes: its longest run of ASCII characters (``noise_phrases``)
_GUARD_KEYS = tuple(max(re.split(r"[^\x00-\x7f]+", g), key=len).encode() for g, _ in NOISE_PHRASES)
_KEYS = frozenset(_GUARD_KEYS)
#: the only characters outside ASCII whose lower case holds an ASCII one (İ, the Kelvin sign)
_LOWER_TO_ASCII = ("\u0130", "\u212a")


def noise_phrases(text: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The ``NOISE_PHRASES`` that ``strip_noise`` may find in a line of ``text`` (cleaned
    lines, joined): all but those whose guard cannot occur in it (``strip_noise``'s
    ``phrases``). Lower-casing non-ASCII text costs ~10 ns a character, so the text is
    looked at as UTF-8 with its ASCII letters lower-cased, for each guard's longest ASCII run:
    where a guard occurs in a line lower-cased, that run occurs there too, made of ASCII
    characters (no other character lower-cases to ASCII but the two of ``_LOWER_TO_ASCII``;
    text holding one of them is lower-cased as ``strip_noise`` does)."""
    if not text.isascii() and any(c in text for c in _LOWER_TO_ASCII):
        lowered = text.lower()
        return tuple(p for p in NOISE_PHRASES if p[0] in lowered)
    # Latin-1 text as its Latin-1 bytes (a copy; UTF-8 must encode each character): its
    # ASCII letters are the same bytes either way, and no other character of it lower-cases
    # to ASCII
    low = (latin1(text) or text.encode()).lower()
    found = {key for key in _KEYS if key in low}
    return tuple(p for p, key in zip(NOISE_PHRASES, _GUARD_KEYS, strict=True) if key in found)


#: the words a view counter that ends a line ends in, and the counter (``strip_noise``)
_VIEWS_END = tuple(w for word in _VIEWS.split("|") for w in (word, word.capitalize()))
#: ... looked for in the line's last characters only (a counter is short: a line of 1 MB of
#: digit groups before "x visninger" must not be searched from every space)
_VIEWS_CHARS = 40
_VIEWS_AT_END = re.compile(rf"(?:^|\s){_COUNT} (?:{_VIEWS})$", re.I)


def _without_stamp(line: str) -> str | None:
    """``line`` without the stamp of the page's last change beside its text
    (``_LAST_CHANGED_BESIDE``, ``_LAST_CHANGED_AFTER_COMMA``, ``_LAST_CHANGED_AFTER_FIELD``);
    None: it has none. Looked for only where a line ends in a date's digit or starts with
    "Sist"."""
    last = line[-1:]
    if (
        last.isdigit() or (last == "." and line[-2:-1].isdigit()) or line[:4].lower() == "sist"
    ) and _LAST_CHANGED_BESIDE.search(line):
        return _LAST_CHANGED_BESIDE.sub("", line)
    if not last.isdigit():
        return None
    if (
        ", " in line
        and any(word in line for word in _AFTER_COMMA_WORDS)
        and (comma := _LAST_CHANGED_AFTER_COMMA.search(line))
    ):
        return line[: comma.start()]
    if ":" in line[:42] and (field := _LAST_CHANGED_AFTER_FIELD.match(line)):
        return line[: field.start(1)]
    return None


def strip_noise(
    line: str,
    extra: re.Pattern[str] | None = None,
    phrases: Sequence[tuple[str, re.Pattern[str]]] = NOISE_PHRASES,
) -> str:
    """Remove noise phrases from a cleaned line; '' if the whole line is noise. ``extra`` is a
    source's own noise (the catalogue's ``noise`` regexes, combined by ``compile_noise``).
    ``phrases``: the noise phrases to look for (``noise_phrases`` of a text holding the line
    leaves out those that cannot occur in it)."""
    touched = False
    lowered = ""
    if phrases:
        for guard, pattern in phrases:
            # a guard's letters after its first, as they stand in a line in lower or in upper
            # case ("ist " of "Sist oppdatert"), looked for before the line is lower-cased: a
            # long paragraph without them costs two searches, not a copy of itself
            tail, upper = _GUARD_TAILS[guard]
            if tail not in line and upper not in line:
                continue
            lowered = lowered or line.lower()
            if guard in lowered:
                line, n = pattern.subn("", line)
                touched = touched or n > 0
    if extra is not None:
        line, n = extra.subn("", line)
        touched = touched or n > 0
    cut = _without_stamp(line)
    if cut is not None:
        line, touched = cut, True
    # a view counter that ends a listing's line ("... uke 47 26.11.2026 1 203 visninger",
    # blind round 97): it follows the readers. Only at the line's end, after a number: a
    # sentence ends in its full stop
    if (
        line[-1:] == "r"
        and line.endswith(_VIEWS_END)
        and (counter := _VIEWS_AT_END.search(line, max(0, len(line) - _VIEWS_CHARS)))
    ):
        line = line[: counter.start()]
        touched = True
    if touched:
        line = " ".join(line.split())
        lowered = ""
    # the line lower-cased once: for the phrases' guards and for the whole-line rules
    if len(line) <= _NOISE_LINE_MAX and _NOISE_LINE.match(lowered or line.lower()):
        return ""
    # a ticking countdown, looked for only in a line that ends in a clock's seconds
    if (line[-3:-2] == ":" or line[-4:-3] == ":") and _COUNTDOWN.fullmatch(line):
        return ""
    return line


#: a ticking countdown with its seconds ("Neste pressebrifing om 02:14:32", "Sendinga startar
#: om 00:09:05", blind round 71): a widget's clock. Only with the seconds, and only after a few
#: words on a line of its own: a sentence with a time of day is read
_COUNTDOWN = re.compile(r"[^.!?:]{1,80}\bom \d{1,2}:\d{2}:\d{2}\.?", re.I)


@functools.lru_cache(maxsize=256)
def compile_noise(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One case-insensitive regex of a source's noise phrases; None when it has none."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I | re.M)


_LABEL_ONLY = re.compile(rf"^(?:{SIGNAL_LABELS}|rettet|retta)\s*:?$", re.I)
#: every signal label starts with one of these: other lines skip the regular expressions
_SIGNAL_STARTS = frozenset(label[:4] for label in SIGNAL_LABELS.split("|")) | {
    "vers",
    "nest",
    "rett",
}


def is_signal_label(line: str) -> bool:
    """A line that is only a date label ('Sist endret' in a <dt>, its date in the <dd>)."""
    return line[:4].lower() in _SIGNAL_STARTS and bool(_LABEL_ONLY.match(line))


def is_signal_line(line: str) -> bool:
    """A line made only of publisher date labels ('Sist oppdatert: 3. mars 2024')."""
    return line[:4].lower() in _SIGNAL_STARTS and bool(_SIGNAL_LINE.match(line))


#: a print or export time as one field of a line of fields ("Kunngjort 01.03.2026 · Utskrift
#: 05.12.2026 kl. 14.22", nynorsk "Utskrive", "Skrive ut"): every print dates it anew
_PRINT_FIELD = re.compile(
    rf"(?:utskrift|utskrive|utskriven|skrive ut|skriv ut|generert|generated|printed"
    # ... or when the version was shown ("Gjeldende versjon – vist 06.12.2026 kl. 07:12",
    # nynorsk "Gjeldande versjon", blind round 190): every view dates it anew
    rf"|(?:(?:gjeldende|gjeldande) versjon\s*[-–,]?\s*)?vist)"
    rf"\s*:?\s*{_ANY_DATE}\.?",
    re.I,
)
#: a field of such a line that is a label of a word or two and its date ("Kunngjort
#: 01.03.2026", "Ikraft: 1. januar 2027")
_DATED_FIELD = re.compile(rf"[^\W\d][\w-]*(?: [\w-]+)?\s?:?\s?{_ANY_DATE}\.?", re.I)


#: a date alone, with a weekday before it and a time after it or not ("12.03.2026",
#: "torsdag 12. mars 2026 kl. 10.15", "2026-03-12")
_DATE_ONLY = re.compile(rf"{_ANY_DATE}\.?", re.I)


def is_date_only(text: str) -> bool:
    """Whether a (cleaned) text is a date and nothing else."""
    return bool(_DATE_ONLY.fullmatch(text))


def starts_with_date(text: str) -> bool:
    """Whether a (cleaned) text begins with a date ("01.12.2026", "1. desember 2026 kl. 10")."""
    return bool(_DATE_ONLY.match(text))


#: a relative time as one field of a line of fields ("Kommuneoverlegen · for 3 timar sidan")
_RELATIVE_FIELD = re.compile(rf"{_RELATIVE_TIME}\.?", re.I)


def is_relative_time_field(part: str) -> bool:
    """A field of a line of fields that tells a time relative to now ("for 2 timer siden",
    "i går"): it reads differently at every check."""
    return bool(_RELATIVE_FIELD.fullmatch(part))


def is_print_field(part: str) -> bool:
    """A field of a line of fields that tells when the page was printed or exported, or that
    is a page's own counter or tool beside its stamp ("Delt 128 ganger", "Lest 1 204 gonger",
    "Gi tilbakemelding på siden", blind round 108)."""
    return bool(_PRINT_FIELD.fullmatch(part) or _TOOL_FIELD.fullmatch(part))


#: a page's counter or tool as a field of a line of fields (``is_print_field``)
_TOOL_FIELD = re.compile(
    rf"{_TIMES_COUNTED}|sett {_COUNT} g[ao]ng(?:er|ar)?"
    rf"|{_COUNT} (?:delingar|delinger|{_VIEWS})"
    r"|gi tilbakemelding(?: på (?:siden|sida|artikkelen|innhaldet|innholdet))?|skriv ut|del"
    # ... and a visit counter ("Besøkende: 48213", blind round 120)
    rf"|(?:besøkende|besøkjande|besøk|sidevisninger|sidevisningar)"
    # ... over a period, and the page's PDF ("Sidevisninger siste 30 dager: 12 916 · Last ned
    # som PDF · Skriv ut", blind round 157)
    r"(?: (?:siste|dei siste|de siste) \d{1,3} (?:dager|dagar|døgn))?"
    rf"\s*:?\s*{_COUNT}|last ned(?: som)? pdf",
    re.I,
)


def is_dated_field(part: str) -> bool:
    """A field of a line of fields that is a short label and its date."""
    return bool(_DATED_FIELD.fullmatch(part))


def signal_dates(line: str) -> list[date]:
    """The content-change dates a line announces ('Sist oppdatert', 'Siste faglige endring',
    'Sist endra'); publication dates are not change signals."""
    found = []
    for m in _CHANGE_LABELS.finditer(line):
        parsed = parse_date(m.group(2))
        if parsed is not None:
            found.append(parsed)
    return found


def parse_date(text: str) -> date | None:
    """'3. mars 2024', '03.03.2024', '03/03/2024' or '2024-03-03' as a date; None when it is
    not one."""
    m = _DATE_PARTS.search(text)
    if m is None:
        return None
    if m.group(5):
        y, mo, d = int(m.group(5)), int(m.group(6)), int(m.group(7))
    elif m.group(8):
        d, mo, y = int(m.group(8)), int(m.group(9)), int(m.group(10))
    else:
        d, y = int(m.group(1)), int(m.group(4))
        mo = int(m.group(2)) if m.group(2) else _MONTHS.get(m.group(3).lower().rstrip("."), 0)
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def decode_body(body: bytes, headers: Mapping[str, str] | None = None) -> str:
    """Bytes to text: BOM, then the HTTP charset, then a <meta>/XML declaration, then UTF-8,
    then Windows-1252, so the same text served in another encoding compares equal."""
    return decode_body_utf8(body, headers)[0]


def decode_body_utf8(body: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, bool]:
    """``decode_body``, and whether the text is the whole body decoded as UTF-8 with no error
    (no BOM, nothing replaced): then a parser given the bytes as UTF-8 reads the same text."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace"), False
    for encoding in _declared_encodings(body, headers or {}):
        try:
            text = body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        if (utf8 := utf8_despite(body, encoding)) is not None:
            return utf8, True
        return text, _is_utf8(encoding)
    try:
        return body.decode("utf-8"), True
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace"), False


def utf8_despite(body: bytes, declared: str) -> str | None:
    """The text of bytes declared (HTTP header, <meta> or XML declaration) in a single-byte
    charset (Windows-1252, ISO-8859-x, ...) that are UTF-8 all the same: they hold a
    non-ASCII byte (so a multi-byte sequence) and decode strictly as UTF-8; None for any
    other. Text really written in a single-byte charset practically never does (it would
    need "Ã" followed by a byte 0x80-0xBF after every non-ASCII letter); the same declaration
    over UTF-8 bytes (a CMS upgrade, a template copied) would turn every "ø" into "Ã¸".
    Shared by pages (``decode_body``) and feeds (``feedxml.feed_text``)."""
    if body.isascii() or not _is_single_byte(declared):
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


@functools.lru_cache(maxsize=64)
def _is_single_byte(encoding: str) -> bool:
    """Whether a charset name is a known single-byte ASCII-compatible one (cp125x,
    ISO-8859-x, KOI8, Mac Roman ...): one byte a character, so any bytes decode."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        return False
    name = info.name
    return name.startswith(("cp125", "iso8859", "koi8", "mac-")) or name in (
        "cp437",
        "cp850",
        "cp865",
    )


@functools.lru_cache(maxsize=64)
def _is_utf8(encoding: str) -> bool:
    """Whether a (declared, so known to decode) encoding name is UTF-8 ("UTF8", "utf_8" ...)."""
    return codecs.lookup(encoding).name == "utf-8"


def _declared_encodings(body: bytes, headers: Mapping[str, str]) -> list[str]:
    found: list[str] = []
    match = _HEADER_CHARSET.search(headers.get("content-type", ""))
    if match:
        found.append(match.group(1))
    head = body[:4096]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        m = pattern.search(head)
        if m:
            declared = m.group(1).decode("ascii")
            # a declaration read as ASCII cannot be in UTF-16: UTF-8 (the WHATWG rule;
            # decoded as UTF-16, ASCII markup of an even length turns into CJK characters)
            found.append("utf-8" if declared.lower().startswith("utf-16") else declared)
    # ISO-8859-1 declared is in practice Windows-1252 (the WHATWG rule).
    return ["cp1252" if e.lower() in ("iso-8859-1", "latin-1", "latin1") else e for e in found]
