"""The same words in another notation: what a publisher's template or editor writes one way
one day and another way the next, saying the same (``same_notation``).

``feeds.types.fold`` folds typography a character at a time (quotation marks, dashes, case,
digit groups). The forms here change a text's length and need a look at both versions: a
file's format and size noted in a link's text ("Høringsnotat (PDF, 1,2 MB)") is no news
when it is added or dropped, but a size that changes where both versions give one is (a
new file). Compared line by line, each version's lines folded; a text with another number
of lines is never the same here.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from feeds.read.normalize import MONTHS, parse_date
from feeds.types import first_group, fold

_FORMAT = r"(?:pdf|docx?|xlsx?|pptx?|odt|ods|rtf|csv|zip|word|excel)"
_SIZE = r"\d+(?:[.,]\d+)?\s?(?:[kmg]i?b|bytes?|kilobytes?|megabytes?)"
_PAGES = r"\d+\s?(?:sider|side|s\.|pages?)"
_PART = rf"(?:{_FORMAT}|{_SIZE}|{_PAGES})(?![\w-])"
#: a file note in brackets ("(pdf, 1,2 mb)", "[pdf 345 kb]", "(230 kb)"), or after a comma or
#: dash at the end of a line ("rettleiar - pdf, 12 sider"; or before the file's name that ends
#: it, ``feeds.read.html.attachment_name``: "rettleiar - pdf, 12 sider (rettleiar.pdf)"), with
#: the space before it
_FILE_NOTE = re.compile(
    rf"\s*[(\[]\s*{_PART}(?:\s*[,;/]?\s*{_PART})*\s*[)\]]"
    rf"|\s*[,|-]\s*{_PART}(?:\s*[,;/]?\s*{_PART})*(?:\s*$|(?=\s\([^()]*\.{_FORMAT}\)$))"
)
#: a file's size or page count in a note: what must agree where both versions give one
_MEASURE = re.compile(rf"{_SIZE}|{_PAGES}")
#: the characters a line must hold for a file note to be in it
_NOTE_HINT = re.compile(r"pdf|docx?|xlsx?|pptx?|odt|ods|rtf|csv|zip|word|excel|\db|\ds|kb|mb")


#: a time of day in four digits after "kl." ("kl. 1200", "kl 0830": blind round 286), as
#: "kl. 12.00"
_FOUR_DIGIT_HOUR = re.compile(r"\b((?:kl\.?|klokka|klokken) ?)([01]\d|2[0-3])([0-5]\d)(?![.:,]?\d)")
#: a time of day after "kl." or "klokka", in whole hours or not, with a leading zero or not
#: ("kl. 12", "klokka 09.00"): "kl. 12.00", "klokka 9.00" (``fold`` has put a "." between
#: hours and minutes already)
_WHOLE_HOUR = re.compile(r"\b((?:kl\.?|klokka|klokken) ?)0?(\d{1,2})(?:\.(\d{2}))?(?![.:,]?\d)")
#: a range of times of day after "kl." or "klokka" ("kl. 08.00-16.00", "kl. 08-16"; ``fold``
#: has made the dash a hyphen and may have set the end's point as a decimal comma): both ends
#: with their minutes, as ``_WHOLE_HOUR`` writes one time
_HOUR_RANGE = re.compile(
    r"\b((?:kl\.?|klokka|klokken) ?)0?(\d{1,2})(?:[.:,](\d{2}))? ?- ?0?(\d{1,2})(?:[.:,](\d{2}))?"
    r"(?![.:,]?\d)"
)
#: ... the same range in words, "from" before it or not ("frå klokka 9 til 15", "fra kl. 8 til
#: kl. 16", blind round 265): written as the range
_HOUR_FROM_TO = re.compile(
    r"(?:\b(?:fra|frå) )?\b((?:kl\.?|klokka|klokken) ?)0?(\d{1,2})(?:[.:,](\d{2}))? til "
    r"(?:(?:kl\.?|klokka|klokken) ?)?0?(\d{1,2})(?:[.:,](\d{2}))?(?![.:,]?\d)"
)
#: a range of times of day without "kl.", both ends with their minutes ("10.00–22.00" in an
#: opening-hours table, folded "10,00-22,00"; blind round 318: "kl. 10:00 - 22:00" the next
#: day): written after "kl." as ``_HOUR_RANGE`` writes one. Without minutes ("10-22") it may
#: be a count of anything and stays as it is
_BARE_HOUR_RANGE = re.compile(
    r"(?<![\w.,:/-])(?<!kl\. )(?<!kl )(?<!klokka )(?<!klokken )()"  # no "kl.": group 1 empty
    r"0?(1?\d|2[0-4])[.,:]([0-5]\d) ?- ?0?(1?\d|2[0-4])[.,:]([0-5]\d)(?![\w.,:/-]|[.,:]\d)"
)
#: a season of two years with the second written short ("2026/27"): written out when it is
#: the next year ("2026/2027"); "2026/28" is no season and stays as it is
_SEASON = re.compile(r"(?<![\w./-])((?:19|20)\d\d)/(\d\d)(?![\w/]|[.,]\d)")
#: "til og med" and "fra og med" abbreviated ("t.o.m.", "f.o.m.", "f.o.m"), and the nynorsk
#: "frå og med": written out in one form
_FROM_TO = re.compile(r"(?<![\w.])(?:(t)\. ?o\. ?m\.?|(f)\. ?o\. ?m\.?|(fr)å(?= og med\b))(?!\w)")
#: two consecutive counts as a range before a word ("1-2 doser", folded from "1–2"): the one
#: or the other ("1 eller 2 doser"); a wider range ("1-3 doser") says more than two
#: alternatives, and a number of three digits or more may be a year ("2026-2027 sesongen")
_TWO_COUNTS = re.compile(r"(?<![\w.,:/-])(\d{1,2}) ?- ?(\d{1,2})(?= [^\W\d_])")
#: Norway's country code before a Norwegian eight-digit number, grouped or not ("+47 21 07 63
#: 48", "0047 210 76 348")
_COUNTRY_CODE = re.compile(
    r"(?<![\w+])(?:\+|00) ?47 ?(?=(?:\d{2} ?\d{2} ?\d{2} ?\d{2}|\d{3} ?\d{2} ?\d{3})(?![\d]))"
)
#: an e-mail address's "@" written out against harvesters ("post (at) fhi.no", "post[at]fhi.no")
_AT = re.compile(r"(?<=[\w.-])\s*(?:\(at\)|\[at\]|\{at\})\s*(?=[\w-]+(?:\.[\w-]+)*\.[a-z]{2,})")
#: a full stop that ends a line after a word (not after a number: "3." is an ordinal)
_FINAL_STOP = re.compile(r"(?<=[^\W\d_])\.$")
#: a weekday before a date ("fredag 15. januar 2027", "fre. 15.01.2027"): dropped when it is
#: that date's weekday
_WEEKDAYS = {
    "mandag": 0, "måndag": 0, "tirsdag": 1, "tysdag": 1, "onsdag": 2, "torsdag": 3,
    "fredag": 4, "lørdag": 5, "laurdag": 5, "søndag": 6, "sundag": 6,
}  # fmt: skip
#: the weekdays' names (bokmål and nynorsk), as a regular expression's alternatives
_WEEKDAY_WORDS = "|".join(_WEEKDAYS)
_WEEKDAY_DATE = re.compile(
    rf"\b({_WEEKDAY_WORDS}),? (?=(\d{{1,2}}\. ?(?:\d{{1,2}}\.|[a-zæøå]+\.?) ?\d{{4}}))"
)
#: a decimal comma followed by zeros only ("12,0 %", "4,00 mg", blind round 51): the whole
#: number; not in a number grouped by points ("1.000,0" stays), nor before another digit
_ZERO_DECIMALS = re.compile(r"(?<![\d.,])(\d+),0+(?![\d,.]?\d)")
#: a share in words after its number ("95 prosent"): "95 %"
_PERCENT = re.compile(r"(\d) ?(?:%|prosent(?!\w))")
#: the number words zero to twenty (bokmål and nynorsk), written as digits when a word
#: follows them ("fem dager", "ti dagar"); never "en", "ei", "ein", "eit", "et" (articles),
#: but the numeral's own forms ("én", "éin", "éi", "eitt", "ett")
_NUMBER_WORDS = {
    "null": 0, "én": 1, "éi": 1, "éin": 1, "eitt": 1, "ett": 1, "to": 2, "tre": 3, "fire": 4,
    "fem": 5, "seks": 6, "sju": 7, "syv": 7,
    "åtte": 8, "ni": 9, "ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14,
    "femten": 15, "seksten": 16, "sytten": 17, "søtten": 17, "atten": 18, "nitten": 19,
    "tjue": 20, "tjuge": 20,
}  # fmt: skip
#: ... and the tens and the numbers between them, in the new way of counting ("tjuefire",
#: "tjugefire") and in the old one that nynorsk keeps ("fireogtjue", blind round 230)
_TENS = {
    "tjue": 20, "tjuge": 20, "tretti": 30, "førti": 40, "femti": 50, "seksti": 60, "sytti": 70,
    "søtti": 70, "åtti": 80, "nitti": 90,
}  # fmt: skip
_UNITS = {
    "en": 1, "ein": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7,
    "åtte": 8, "ni": 9,
}  # fmt: skip
_NUMBER_WORDS.update(_TENS)
_NUMBER_WORDS.update({f"{t}{u}": n + m for t, n in _TENS.items() for u, m in _UNITS.items()})
_NUMBER_WORDS.update({f"{u}og{t}": n + m for t, n in _TENS.items() for u, m in _UNITS.items()})
_NUMBER_WORDS["hundre"] = 100
#: ordinal words, written "N." when a word follows ("tredje dose": "3. dose"); not "andre"
#: ("other" as often as "second")
_ORDINAL_WORDS = {
    "første": 1, "fyrste": 1, "tredje": 3, "fjerde": 4, "femte": 5, "sjette": 6,
    "sjuende": 7, "syvende": 7, "åttende": 8, "niende": 9, "tiende": 10, "ellevte": 11,
    "tolvte": 12,
}  # fmt: skip
#: a date in running text ("15. januar 2027", "15. jan. 2027", "15.01.2027", "15.1.2027"),
#: folded (``fold``, which leaves a number with two points as it is): day, month (a number
#: or a month's name, bokmål and nynorsk alike, or its abbreviation) and year; not inside a
#: longer number ("3.1.2027.1") nor after a number, a point or a comma ("1.15.01.2027")
_FULL_DATE = re.compile(
    r"(?<![\w.,])(\d{1,2})\. ?(?:(\d{1,2})\.|([a-zæøå]+)\.? )(\d{4})(?!\w|[.,]\d)"
)
#: a date with the month's name and no point after the day, as Lovdata writes amendments
#: ("Endra ved forskrift 22 des 2021", blind round 94): as ``_FULL_DATE`` writes a date
_DAY_NAME_YEAR = re.compile(r"(?<![\w.,])(\d{1,2}) ([a-zæøå]+)\.? (\d{4})(?!\w|[.,]\d)")
#: a date in ISO form ("2027-01-15"), written as ``_FULL_DATE`` writes a date ("15.1.2027"):
#: a template that sets its dates so says the same; not inside a longer run of numbers and
#: dashes ("2027-01-15-3") nor after a word ("id2027-01-15")
_ISO_DATE = re.compile(r"(?<![\w.,-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w-]|[.,]\d)")
#: a day and a month's name without a year ("15. januar", "15. jan."): the name written out
_DAY_MONTH = re.compile(r"(?<![\w.,])(\d{1,2})\. ?([a-zæøå]+)\.?(?![\w.,]?\d|\w)")
#: the months' names written out, by number
_MONTH_NAMES = {n: w for w, n in sorted(MONTHS.items(), key=lambda p: len(p[0]))}
#: an amount of Norwegian kroner, folded ("kr 500", "kr. 500", "500 kr", "500 kroner", "nok
#: 500", "kr 500,-", "kr 1500,50"): written "500 kr" (``fold`` has dropped the spaces that
#: group its digits and set a decimal point as a comma)
_KRONER = re.compile(
    r"(?<![\w.,])(?:(?:kr\.?|nok) ?(\d+(?:,\d{1,2})?)(?:,-)?(?![\w,.]?\d)\.?"
    # (the point after the word taken too, an abbreviation's or a sentence's: "250 kr. Kveld"
    # for "250 kroner. Kveld", blind round 318)
    r"|(\d+(?:,\d{1,2})?)(?:,-)? ?(?:kroner|kr|nok)\.?(?!\w)"
    # ... or a whole amount with the kroner's dash alone ("185,-", blind round 265)
    r"|(\d+),-(?![\w-]))"
)
#: an amount in millions or billions of kroner ("120 mill. kr", "1,25 millioner kroner", "2
#: mrd. kr", blind round 90): written out in kroner ("120000000 kr"), as "kr 120 000 000" folds
_MILLIONS = re.compile(
    r"(?<![\w.,])(\d+(?:,\d{1,3})?) ?(mill\.|millionar|millioner|mrd\.|milliardar|milliarder)"
    r" ?(?:kr|kroner|nok)(?!\w)"
)
#: a weekday's short form before a date ("lør. 24.12.", "tys. 24.12."): the weekday's name
_WEEKDAY_SHORT = re.compile(r"(?<!\w)(man|tir|tys|ons|tor|fre|lør|lau|søn|sun)\.(?= \d{1,2}[.,])")
_WEEKDAY_NAMES = {
    "man": "mandag", "tir": "tirsdag", "tys": "tysdag", "ons": "onsdag", "tor": "torsdag",
    "fre": "fredag", "lør": "lørdag", "lau": "laurdag", "søn": "søndag", "sun": "sundag",
}  # fmt: skip
#: a day and a month in numbers without a year after a weekday ("lørdag 24.12.", blind round
#: 91): the day and the month's name ("lørdag 24. desember"); the weekday says it is a date
_WEEKDAY_DAY_MONTH = re.compile(rf"\b({_WEEKDAY_WORDS}),? (\d{{1,2}})[.,](\d{{1,2}})\.(?! ?\d)")
#: a span of weekdays written short ("man.-fre.", "tys-fre"): the weekdays' names, as the
#: span written out ("mandag-fredag", blind round 160)
_WEEKDAY_SPAN = re.compile(
    r"(?<!\w)(man|tir|tys|ons|tor|fre|lør|lau|søn|sun)\.?-(man|tir|tys|ons|tor|fre|lør|lau|søn"
    r"|sun)(?:\.|(?!\w))"
)
#: a span of days of one month with the month's name once ("22.-24. oktober 2025"): each day
#: with it, as the span written out ("22. oktober-24. oktober 2025", blind round 160)
_NAMED_DAY_SPAN = re.compile(r"(?<![\w.,])(\d{1,2})\.-(\d{1,2})\. ?([a-zæøå]+)(?!\w)")
#: the end of a day as a time ("kl. 24.00", "klokka 24"): midnight, as the word says it
#: ("innen midnatt søndag", blind round 160); "kl. 00.00" starts a day and stays
_MIDNIGHT = re.compile(r"\b(?:kl\.?|klokka|klokken) ?24(?:[.:]00)?(?![.:,]?\d)")
#: a span of days in one month in numbers ("27.12.-30.12."): "27.-30. desember"
_DAY_SPAN = re.compile(r"(?<![\d.,])(\d{1,2})[.,](\d{1,2})\.-(\d{1,2})[.,](\d{1,2})\.(?! ?\d)")
_COUNTED = re.compile(
    r"(?<![\w.,-])("
    + "|".join(sorted({*_NUMBER_WORDS, *_ORDINAL_WORDS}, key=len, reverse=True))
    + r")(?= [^\W\d_])"
)


#: a unit written out after a number ("500 milligram"): its symbol ("500 mg")
#: (micrograms as "μg" with the Greek mu: ``fold`` reads the micro sign "µ" as that, NFKC, so
#: "10 mikrogram" and "10 µg" agree, blind round 63)
_UNIT_WORDS = {
    "milligram": "mg", "mikrogram": "\u03bcg", "gram": "g", "kilogram": "kg", "milliliter": "ml",
    "millilitre": "ml", "liter": "l", "litre": "l", "millimeter": "mm", "centimeter": "cm",
    "meter": "m", "kvadratmeter": "m2",
}  # fmt: skip
_UNIT = re.compile(
    r"(?<=\d) ?(" + "|".join(sorted(_UNIT_WORDS, key=len, reverse=True)) + r")(?!\w)"
)
#: common abbreviations written out ("til dømes", "blant anna"): as abbreviated ("t.d.",
#: "bl.a."), bokmål and nynorsk alike
_ABBREVIATIONS = {
    "til dømes": "t.d.", "for eksempel": "f.eks.", "blant anna": "bl.a.", "blant annet":
    "bl.a.", "mellom anna": "m.a.", "mellom annet": "m.a.", "og så vidare": "osv.",
    "og så videre": "osv.", "det vil seie": "dvs.", "det vil si": "dvs.", "cirka": "ca.",
    "med meir": "m.m.", "med mer": "m.m.", "og liknande": "o.l.", "og lignende": "o.l.",
    # a letter's reference ("Vår referanse: 26/4471-3", "Vår ref.: 26/4471 - 3")
    "referanse": "ref.",
    # a figure's or a table's label ("Figur 3." / "Fig. 3.", blind round 132)
    "figur": "fig.", "tabell": "tab.",
    # a regulation cited in a note ("Jf. forskr. 5 juli 2002 nr. 740", blind round 239)
    "forskrift": "forskr.",
}  # fmt: skip
_WRITTEN_OUT = re.compile(
    r"(?<!\w)(" + "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True)) + r")(?!\w)"
)
#: ... and each abbreviation, written out or not, without its last full stop (which a
#: sentence's own full stop may stand for: "munnbind osv." and "munnbind og så vidare.")
_ABBREVIATED = re.compile(
    r"(?<!\w)("
    + "|".join(
        re.escape(a[:-1]) for a in sorted(set(_ABBREVIATIONS.values()), key=len, reverse=True)
    )
    + r")\.(?!\w)"
)
#: a Norwegian phone number of eight digits grouped in pairs or as 3-2-3 ("62 56 30 00", "625
#: 63 000"): its digits alone ("62563000"). A 3-2-3 number reaches here as 3-5 ("905 11240"):
#: ``fold`` has joined its last group as it joins a thousands group (blind round 87)
_PHONE = re.compile(
    r"(?<![\d.,])(?:(\d{2}) (\d{2}) (\d{2}) (\d{2})|(\d{3}) (\d{2}) (\d{3})|(\d{3}) (\d{5}))"
    r"(?![\d.,]?\d)"
)
#: superscript and subscript digits ("m²", "10⁹/L", "SpO₂"): as the digits an extraction
#: reads from <sup>2</sup> and <sub>2</sub>; and characters a clinical text writes two ways
#: (blind round 113): a vulgar fraction as its digits ("½" as "1/2"), the degree Celsius sign
#: as its two characters ("℃" as "°C", folded), a Greek letter as its name ("β-laktam" as
#: "beta-laktam")
_SUPERSCRIPTS = str.maketrans(
    {
        **{c: str(n) for n, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")},
        **{c: str(n) for n, c in enumerate("₀₁₂₃₄₅₆₇₈₉")},
        "½": "1/2", "¼": "1/4", "¾": "3/4", "⅓": "1/3", "⅔": "2/3",
        "℃": "°c", "α": "alfa", "β": "beta", "γ": "gamma", "δ": "delta",
    }
)  # fmt: skip
#: a Helsedirektoratet publication's number with a space for its dash ("IS 3/2025" as
#: "IS-3/2025", folded; blind round 125)
_DOC_NUMBER = re.compile(r"\b(is|ik) (\d{1,4}/\d{4})\b")
#: plus or minus written with three characters ("0 +/- 3 mmol/L"): as "±"
_PLUS_MINUS = "+/-"


#: a range of two numbers in words ("2 til 4 uker", "mellom 150 og 250 pmol/l", blind round
#: 205), written with its dash ("2-4 uker", "mellom 150-250 pmol/l"): the same range. Only two
#: numbers standing alone (not a date's, a time's or a section's parts); the second may end a
#: sentence ("uke 16 til 32.", blind round 235), unless a month's name follows its point (a
#: day: "fra 12. mars 2020 til 12. februar 2022")
_NUMBER_IN_RANGE = r"(?<![\d.,:/-])(\d{1,9}(?:,\d{1,3})?)"
_RANGE_END = (
    r"(\d{1,9}(?:,\d{1,3})?)(?![\d:/-]|[.,]\d"
    r"|\. ?(?:jan|feb|mar|apr|mai|jun|jul|aug|sep|okt|nov|des))"
)
_RANGE_TIL = re.compile(rf"{_NUMBER_IN_RANGE} til {_RANGE_END}")
_RANGE_BETWEEN = re.compile(rf"\bmellom {_NUMBER_IN_RANGE} og {_RANGE_END}")


def fold_forms(line: str) -> str:
    """A folded line (``fold``) with equivalent forms written one way: a time of day in whole
    hours with its minutes after "kl." ("kl 8", "klokka 08.00" as "kl. 8.00"), a unit written
    out as its symbol after a number ("500 milligram" as "500 mg"), superscript digits as
    digits ("m²"), a phone number of eight digits without its spaces ("62 56 30 00"), no
    country code before a Norwegian number, "@" for a written-out at, no
    full stop at the end after a word, no weekday before a date that falls on it, "%" for
    "prosent" after a number, digits for number and ordinal words before a word, a date with its
    year as "15.1.2027" (one in ISO form, "2027-01-15", too) and a day and a month's name
    without a year with the name written out ("15. jan." as "15. januar"), an amount of kroner
    as "500 kr" ("kr 500", "500 kroner", "NOK 500", "kr 500,-"), a range of times after "kl."
    with the minutes of both ends ("kl. 08-16" as "kl. 8.00-16.00"), a season's second year
    written out when it is the next year ("2026/27" as "2026/2027"), "t.o.m." and "f.o.m."
    written out ("til og med", "fra og med", "frå og med" alike), two consecutive counts before
    a word as the one or the other ("1-2 doser" as "1 eller 2 doser"), a number with zero
    decimals as the whole number ("12,0 %" as "12 %"), a range in words with its dash ("2 til 4
    uker" and "mellom 150 og 250" as "2-4 uker", "mellom 150-250"). A number told otherwise
    stays another number ("fem" and "6"); a date without its year is never the same as one with
    it, nor "15.01." (no year: a number, a time or a section as well) as "15. januar"."""
    line = _times(line)
    if " til " in line or "mellom " in line:
        line = _RANGE_BETWEEN.sub(r"mellom \1-\2", _RANGE_TIL.sub(r"\1-\2", line))
    if "/" in line:
        line = _SEASON.sub(_season, line)
    if "o." in line or "frå og" in line:
        line = _FROM_TO.sub(_from_to, line)
    if "47" in line:
        line = _COUNTRY_CODE.sub("", line)
    if "at" in line:
        line = _AT.sub("@", line)
    if "dag" in line:
        line = _WEEKDAY_DATE.sub(_weekday_of_date, line)
    if "prosent" in line or "%" in line:
        line = _PERCENT.sub(r"\1 %", line)
    if ",0" in line:
        line = _ZERO_DECIMALS.sub(first_group, line)
    line = _counts_and_durations(line)
    if "-" in line:
        line = _TWO_COUNTS.sub(_two_counts, line)
    if "kr" in line or "nok" in line or ",-" in line:
        line = _KRONER.sub(_kroner, _millions_out(line))
    line = _weekday_dates(line)
    line = _FINAL_STOP.sub("", _dates(_units_and_numbers(line)))
    return _ANSWER_MARKS.get(line, line)


#: a table's cell answered by a mark alone, as the word it stands for (blind round 68: a
#: decision table's "Ja" and "Nei" rewritten as "✓" and "✗"); a mark inside a line stays
_ANSWER_MARKS = {
    "\u2713": "ja", "\u2714": "ja", "\u2714\ufe0f": "ja", "\u2705": "ja",
    "\u2717": "nei", "\u2718": "nei", "\u274c": "nei",
}  # fmt: skip


def _units_and_numbers(line: str) -> str:
    """``line`` with units written out as their symbols after a number, superscript digits as
    digits, eight-digit phone numbers without their spaces, and common abbreviations written
    out as abbreviated ("til dømes" as "t.d."; ``fold_forms``)."""
    if " " in line:
        line = _WRITTEN_OUT.sub(lambda m: _ABBREVIATIONS[m.group(1)], line)
        line = _PHONE.sub(lambda m: "".join(g for g in m.groups() if g), line)
    if "." in line:
        line = _ABBREVIATED.sub(first_group, line)
    if "meter" in line or "gram" in line or "lit" in line:
        line = _UNIT.sub(lambda m: f" {_UNIT_WORDS[m.group(1)]}", line)
    if not line.isascii():
        line = line.translate(_SUPERSCRIPTS)
    if _PLUS_MINUS in line:
        line = line.replace(_PLUS_MINUS, "±")
    if "/" in line:
        line = _DOC_NUMBER.sub(r"\1-\2", line)
    if " per " in line:
        line = _UNIT_PER.sub(r"\1/\2", line)
    return line


#: a unit per a unit or a time written with "per" ("mg/kg per døgn" for "mg/kg/døgn", "ml
#: per kg", blind round 325): with the slash
_UNIT_PER = re.compile(
    r"\b(mg|g|kg|µg|μg|mcg|ml|l|ie|mmol|mikrogram|milligram|gram|dose|doser|dosar) per "
    r"(døgn|døgnet|dag|dagen|time|timen|veke|veka|uke|uka|kg|ml|l|m2|m²|dose)\b"
)


def _times(line: str) -> str:
    """``line`` with a range of times without "kl." written with it (``_BARE_HOUR_RANGE``),
    then its times of day as ``_times_of_day`` writes them."""
    if "-" in line:
        line = _BARE_HOUR_RANGE.sub(_hour_range, line)
    return _times_of_day(line) if "kl" in line else line


def _times_of_day(line: str) -> str:
    """``line`` with its times of day after "kl." as ``fold_forms`` writes them: the end of a
    day as "midnatt", a range with the minutes of both ends, a whole hour with its minutes, a
    time in four digits ("kl. 1200") with a point."""
    line = _FOUR_DIGIT_HOUR.sub(_four_digit_hour, line)
    if "24" in line:
        line = _MIDNIGHT.sub("midnatt", line)
    if " til " in line:
        line = _HOUR_FROM_TO.sub(_hour_range, line)
    if "-" in line:
        line = _HOUR_RANGE.sub(_hour_range, line)
    return _WHOLE_HOUR.sub(_hour, line)


def _dates(line: str) -> str:
    """``line`` with a date written as ``fold_forms`` says: ISO and full dates as "15.1.2027",
    a day and a month's name without a year with the name written out, and a span of two
    dates in words as with a dash ("fra 12. mars 2020 til 12. februar 2022" as
    "12.3.2020-12.2.2022", blind round 133), without a comma after a full date."""
    if "-" in line:
        line = _ISO_DATE.sub(_iso_date, line)
        if ".-" in line:
            line = _NAMED_DAY_SPAN.sub(_named_day_span, line)
    if "." in line:
        line = _FULL_DATE.sub(_full_date, line)
        line = _SHORT_YEAR.sub(_short_year, line)
        line = _DAY_MONTH.sub(_day_month, line)
        if "-" in line:
            line = _SPAN_YEAR_ONCE.sub(_span_year_once, line)
    line = _DAY_NAME_YEAR.sub(_day_name_year, line)
    if " til " in line:
        line = _DATE_SPAN_WORDS.sub(r"\1-\2", line)
    if ", " in line:
        line = _DATE_COMMA.sub(r"\1 ", line)
    return line


#: a comma after a full date, before the time or the place ("Torsdag 5. mars 2026, kl. 9–15"
#: for "5.3.2026 kl. 09.00–15.00", blind round 328): punctuation, not news
_DATE_COMMA = re.compile(r"(?<![\d.])(\d{1,2}\.\d{1,2}\.\d{4}), ")


#: a span of two dates in words, once they are written as ``_full_date`` writes them
_DATE_SPAN_WORDS = re.compile(
    r"\b(?:fra|frå) (\d{1,2}\.\d{1,2}\.\d{4}) til (\d{1,2}\.\d{1,2}\.\d{4})"
)


#: a date in numbers with the year's last two digits ("1.3.27", "01.03.27"): this century's
#: year, as "1.3.2027" (blind round 305); not inside a longer run of numbers ("1.3.27.4")
_SHORT_YEAR = re.compile(r"(?<![\w.,])(\d{1,2})\.(\d{1,2})\.(\d{2})(?![\w]|[.,]\d)")
#: a span of days whose first date names its month and has no year ("1. mars-5.3.2027", as
#: "1.-5. mars 2027" is read by now): the first date in the second's month and year, as
#: "01.03.2027-05.03.2027" says it (blind round 305)
_SPAN_YEAR_ONCE = re.compile(
    r"(?<![\w.,])(\d{1,2})\. ([a-zæøå]+)-(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\w]|[.,]\d)"
)


def _short_year(m: re.Match[str]) -> str:
    day, month, year = (int(g) for g in m.groups())
    if parse_date(f"{day}.{month}.{2000 + year}") is None:
        return m.group(0)
    return f"{day}.{month}.{2000 + year}"


def _span_year_once(m: re.Match[str]) -> str:
    first, name, last, month, year = m.groups()
    if MONTHS.get(name) != int(month) or parse_date(f"{int(first)}.{month}.{year}") is None:
        return m.group(0)
    return f"{int(first)}.{month}.{year}-{last}.{month}.{year}"


def _day_name_year(m: re.Match[str]) -> str:
    day, name, year = m.groups()
    month = MONTHS.get(name, 0)
    if parse_date(f"{int(day)}.{month}.{year}") is None:
        return m.group(0)  # no month's name ("22 nye 2021"), or no such date
    return f"{int(day)}.{month}.{year}"


def _full_date(m: re.Match[str]) -> str:
    day, number, name, year = m.groups()
    month = int(number) if number else MONTHS.get(name, 0)
    if parse_date(f"{int(day)}.{month}.{year}") is None:
        return m.group(0)  # no such date ("31.02.2027"), or no month's name ("15. mai 2027" is)
    return f"{int(day)}.{month}.{year}"


def _iso_date(m: re.Match[str]) -> str:
    year, month, day = m.groups()
    if parse_date(f"{int(day)}.{int(month)}.{year}") is None:
        return m.group(0)  # no such date ("2027-02-31", "2027-13-01")
    return f"{int(day)}.{int(month)}.{year}"


def _day_month(m: re.Match[str]) -> str:
    month = MONTHS.get(m.group(2), 0)
    if not month:
        return m.group(0)
    return f"{int(m.group(1))}. {_MONTH_NAMES[month]}"


def _millions_out(line: str) -> str:
    """Millions and billions of kroner written out in kroner (``_MILLIONS``)."""
    return _MILLIONS.sub(_millions, line) if "mill" in line or "mrd" in line else line


def _millions(m: re.Match[str]) -> str:
    number = Decimal(m.group(1).replace(",", "."))
    factor = 1_000_000_000 if m.group(2).startswith(("mrd", "milliard")) else 1_000_000
    amount = number * factor
    if amount != amount.to_integral_value():
        return m.group(0)
    return f"kr {int(amount)}"  # as "kr 120 000 000" folds, then written as ``_KRONER`` writes it


def _weekday_dates(line: str) -> str:
    """Weekdays written short before a date written out, a day and a month in numbers after a
    weekday written with the month's name (``_WEEKDAY_DAY_MONTH``), and a span of days in one
    month in numbers with it (``_DAY_SPAN``)."""
    if "-" in line:
        line = _WEEKDAY_SPAN.sub(_weekday_span, line)
    if "." not in line:
        return line
    line = _WEEKDAY_SHORT.sub(lambda m: _WEEKDAY_NAMES[m.group(1)], line)
    if "dag" in line:
        line = _WEEKDAY_DAY_MONTH.sub(_weekday_day_month, line)
    if ".-" in line:
        line = _DAY_SPAN.sub(_day_span, line)
    return line


def _weekday_span(m: re.Match[str]) -> str:
    return f"{_WEEKDAY_NAMES[m.group(1)]}-{_WEEKDAY_NAMES[m.group(2)]}"


def _named_day_span(m: re.Match[str]) -> str:
    first, last, name = m.groups()
    if not MONTHS.get(name) or not 1 <= int(first) < int(last) <= 31:
        return m.group(0)
    return f"{first}. {name}-{last}. {name}"


def _weekday_day_month(m: re.Match[str]) -> str:
    day, month = int(m.group(2)), int(m.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m.group(0)
    return f"{m.group(1)} {day}. {_MONTH_NAMES[month]}"


def _day_span(m: re.Match[str]) -> str:
    first, month, last, month_again = (int(g) for g in m.groups())
    if month != month_again or not (1 <= month <= 12 and 1 <= first < last <= 31):
        return m.group(0)
    return f"{first}.-{last}. {_MONTH_NAMES[month]}"


def _kroner(m: re.Match[str]) -> str:
    return f"{m.group(1) or m.group(2) or m.group(3)} kr"


def _four_digit_hour(m: re.Match[str]) -> str:
    return f"kl. {int(m.group(2))}.{m.group(3)}"


def _hour(m: re.Match[str]) -> str:
    return f"kl. {m.group(2)}.{m.group(3) or '00'}"


def _hour_range(m: re.Match[str]) -> str:
    start, start_min, end, end_min = m.group(2, 3, 4, 5)
    return f"kl. {start}.{start_min or '00'}-{end}.{end_min or '00'}"


def _season(m: re.Match[str]) -> str:
    year = int(m.group(1))
    if int(m.group(2)) != (year + 1) % 100:
        return m.group(0)
    return f"{year}/{year + 1}"


def _two_counts(m: re.Match[str]) -> str:
    low, high = int(m.group(1)), int(m.group(2))
    return f"{low} eller {high}" if high == low + 1 else m.group(0)


def _from_to(m: re.Match[str]) -> str:
    if m.group(1):
        return "til og med"
    if m.group(2):
        return "fra og med"
    return "fra"


def _weekday_of_date(m: re.Match[str]) -> str:
    when = parse_date(m.group(2))
    return "" if when is not None and when.weekday() == _WEEKDAYS[m.group(1)] else m.group(0)


#: a span of time or a share told in other units (blind round 137): "to døgn" and "48 timar",
#: "ei veke" and "sju dagar", "3 veker" and "21 dagar", "halvparten" and "50 %", "ein gong i
#: året" and "1 gong årleg": written in hours, days and per cent
_DURATION_HINT = re.compile(
    r"døgn|\b(?:uke|uker|veke|veker|timar|dagar|mnd|md|måned|måneder|månad|månader)\b"
    r"|halvparten|\bg[ao]ng\b"
)
#: months in a number of them, written out or short ("3 mnd.", "3 md.", "3 måneder", nynorsk
#: "3 månader"): one unit (blind round 308, a vaccination programme's ages)
_MONTHS_COUNTED = re.compile(
    r"(?<![\d,.])(\d{1,3}) (?:mnd\.?|md\.|måneder|måned|månader|månad)(?!\w)"
)
_UNIT_SPELLING = re.compile(r"\b(timar|dagar)\b")
_DAYS_AND_NIGHTS = re.compile(r"(?<![\d,.])(\d{1,3}) døgn\b")
_ONE_WEEK = re.compile(r"\b(?:en|ei|ein|1) (?:uke|veke)\b")
_WEEKS = re.compile(r"(?<![\d,.])(\d{1,3}) (?:uker|veker)\b")
_ONCE_A_YEAR = re.compile(r"\b(?:1|en|ein) g[ao]ng (?:i året|årleg|årlig|per år|pr\. år)")


def _counts_and_durations(line: str) -> str:
    """``line`` with number words before a word as digits, and spans of time and shares in
    one set of units (``_durations``)."""
    line = _COUNTED.sub(_counted, line)
    return _durations(line) if _DURATION_HINT.search(line) else line


def _durations(line: str) -> str:
    line = _UNIT_SPELLING.sub(lambda m: {"timar": "timer", "dagar": "dager"}[m.group(1)], line)
    line = _DAYS_AND_NIGHTS.sub(lambda m: f"{int(m.group(1)) * 24} timer", line)
    line = _ONE_WEEK.sub("7 dager", line)
    line = _WEEKS.sub(lambda m: f"{int(m.group(1)) * 7} dager", line)
    line = _ONCE_A_YEAR.sub("1 gang per år", line)
    line = _MONTHS_COUNTED.sub(r"\1 måneder", line)
    return line.replace("halvparten", "50 %")


def _counted(m: re.Match[str]) -> str:
    word = m.group(1)
    if word in _NUMBER_WORDS:
        return str(_NUMBER_WORDS[word])
    return f"{_ORDINAL_WORDS[word]}."


def same_notation(before: str, after: str) -> bool:
    """Whether two texts differ only in notation: line for line, folded (``fold``), the same
    once file notes are dropped, and where both lines note a file, the same sizes and page
    counts in those notes."""
    lines_a, lines_b = before.split("\n"), after.split("\n")
    if len(lines_a) != len(lines_b):
        return False
    for a, b in zip(lines_a, lines_b, strict=True):
        if a != b and not _same_line(fold(a), fold(b)) and not _regrouped(a, b):
            return False
    return True


#: a number grouped by points ("1.000", "12.500.000"): a point and exactly three digits after
#: it, each group; not inside a longer number, a date or a section number ("1.000,5", "1.2.3")
_POINT_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![.,]?\d)")


def _regrouped(a: str, b: str) -> bool:
    """Whether two lines (as published) say the same once a number whose digits one of them
    groups by points ("1.000 kroner") is read as the number the other writes grouped by
    spaces or not at all ("1 000 kroner", "1000 kroner"): the same thousand. Only such a
    number (a point and three digits: "0.5" and "1.5" stay decimals, ``fold``) and only
    where the other line has that number: "1.000" and "1,000" differ."""
    if not (_POINT_GROUPED.search(a) or _POINT_GROUPED.search(b)):
        return False
    a2, b2 = _POINT_GROUPED.sub(_ungrouped, a), _POINT_GROUPED.sub(_ungrouped, b)
    if (a2, b2) == (a, b):
        return False
    return _same_line(fold(a2), fold(b2))


def _ungrouped(m: re.Match[str]) -> str:
    return m.group(0).replace(".", "")


def notation_key(text: str) -> tuple[str, ...]:
    """What two texts that differ only in notation (``same_notation``) share: each line
    folded, without file notes, in one notation (``fold_forms``). Equal keys are needed, not
    enough (the sizes in file notes must also agree): a key finds the candidates."""
    return tuple(fold_forms(_file_notes(fold(line))[1]) for line in text.split("\n"))


def _same_line(a: str, b: str) -> bool:
    if a == b:
        return True
    notes_a, bare_a = _file_notes(a)
    notes_b, bare_b = _file_notes(b)
    if bare_a != bare_b:
        bare_a, bare_b = fold_forms(bare_a), fold_forms(bare_b)
    if bare_a != bare_b:
        return False
    # a size or page count given by both versions must be the same (a new file otherwise)
    measures_a = [m for n in notes_a for m in _MEASURE.findall(n)]
    measures_b = [m for n in notes_b for m in _MEASURE.findall(n)]
    if not (measures_a and measures_b) or measures_a == measures_b:
        return True
    return len(measures_a) == len(measures_b) and all(map(_same_measure, measures_a, measures_b))


#: a measure's number, its decimals and its unit ("61,8 kb", "1.57 mb", "12 sider"); a size
#: is written with at most a few digits (more would overflow ``Decimal``'s 28 digits when
#: rounded: a hostile note of 40 digits raised)
_MEASURE_PARTS = re.compile(r"(\d{1,9})(?:[.,](\d{1,9}))?\s?(\S+)")


def _same_measure(a: str, b: str) -> bool:
    """Whether two sizes are one size written to another precision (blind round 48): "62 kb"
    and "61,8 kb", "1,6 mb" and "1,57 mb" (the finer one rounded, or cut, to the coarser
    one's decimals gives it), in the same unit. "318 kb" and "322 kb", or "1,2 mb" and "1,3
    mb", are two files; so are two sizes given to the same precision that differ."""
    if a == b:
        return True
    ma, mb = _MEASURE_PARTS.fullmatch(a), _MEASURE_PARTS.fullmatch(b)
    if ma is None or mb is None:
        return False
    if ma[3] != mb[3]:
        return _same_size_in_units(ma, mb)
    places_a, places_b = len(ma[2] or ""), len(mb[2] or "")
    if places_a == places_b:
        return False
    coarse, fine = (ma, mb) if places_a < places_b else (mb, ma)
    return _rounds_to(Decimal(f"{fine[1]}.{fine[2]}"), coarse)


def _rounds_to(value: Decimal, coarse: re.Match[str]) -> bool:
    """Whether ``value`` rounded, or cut, to the decimals ``coarse`` (``_MEASURE_PARTS``) is
    written with gives ``coarse``'s number."""
    step = Decimal(1).scaleb(-len(coarse[2] or ""))
    wanted = Decimal(f"{coarse[1]}.{coarse[2] or 0}")
    return wanted in (value.quantize(step, ROUND_HALF_UP), value.quantize(step, ROUND_DOWN))


#: the powers of a size's units (a kilobyte counted as 1,000 or 1,024 bytes alike)
_SIZE_POWERS = {
    "b": 0,
    "byte": 0,
    "bytes": 0,
    "kb": 1,
    "kib": 1,
    "mb": 2,
    "mib": 2,
    "gb": 3,
    "gib": 3,
}


def _same_size_in_units(ma: re.Match[str], mb: re.Match[str]) -> bool:
    """Whether two sizes in other units are one size ("640 kb" and "0,6 mb", blind round 125):
    the one in the smaller unit, in the larger one (by 1,000 or 1,024 a step), rounded or cut
    to the larger one's decimals, gives it."""
    pa, pb = _SIZE_POWERS.get(ma[3]), _SIZE_POWERS.get(mb[3])
    if pa is None or pb is None or pa == pb:
        return False
    small, large = (ma, mb) if pa < pb else (mb, ma)
    value = Decimal(f"{small[1]}.{small[2] or 0}")
    return any(_rounds_to(value / Decimal(base) ** abs(pa - pb), large) for base in (1000, 1024))


def _file_notes(line: str) -> tuple[list[str], str]:
    """A folded line's file notes, and the line without them."""
    if not _NOTE_HINT.search(line):
        return [], line
    notes = [m.group(0) for m in _FILE_NOTE.finditer(line)]
    return notes, _FILE_NOTE.sub("", line) if notes else line


#: word stems written two ways, both accepted in nynorsk (the 2012 norm: "skule" and "skole",
#: "veke" and "uke", "kome" and "komme", "fram" and "frem"), each pair once
_VARIANT_STEMS = {"skul": "skol", "vek": "uk", "kom": "komm", "fram": "frem"}
#: whole words written two ways, both accepted in nynorsk ("heime" and "heima", "nokre" and
#: "nokon" in the plural, "berre" and "bare": blind round 109; "høgt" and "høyt", "hjå" and
#: "hos", "fyrst" and "først": blind round 212)
_VARIANT_WORDS = frozenset(
    {
        ("heime", "heima"), ("nokre", "nokon"), ("berre", "bare"), ("hjå", "hos"),
        ("fyrst", "først"), ("høg", "høy"), ("høgt", "høyt"), ("høge", "høye"),
        ("høgare", "høyare"), ("høgast", "høyast"), ("høgaste", "høyaste"),
        # "me" and "vi", "vere" and "vera" (blind round 262); "kvinnor" for "kvinner" (not
        # the 2012 norm, but the same word to every reader; "ikkje" written "ikke" is a
        # j-form, ``_J_FORM``)
        ("me", "vi"), ("vere", "vera"), ("gjere", "gjera"), ("kvinner", "kvinnor"),
        # "gje" and "gi", "gjev" and "gir" (blind round 280); "vert" and "blir", "verte" and
        # "bli", nynorsk's passive both ways (blind round 254)
        ("gje", "gi"), ("gjev", "gir"), ("vert", "blir"), ("verte", "bli"),
        # "difor" and "derfor" (blind round 289), "sjølv" and "sjøl" (291); "være" for "vere"
        # in a nynorsk text (292: bokmål's form, as "bare" for "berre", the same word)
        ("difor", "derfor"), ("sjølv", "sjøl"), ("vere", "være"),
        # "sjuk" and "syk", both accepted in bokmål too ("risiko for sykdom" / "sjukdom",
        # blind round 313)
        ("sjuk", "syk"), ("sjuke", "syke"), ("sjukdom", "sykdom"), ("sjukdommen", "sykdommen"),
        ("sjukdommer", "sykdommer"), ("sjukdommene", "sykdommene"), ("sjukehus", "sykehus"),
        ("sjukehuset", "sykehuset"),
        # "kvifor" and "korfor", both accepted in nynorsk (blind round 322); "mens" for
        # "medan" in a nynorsk text (324: bokmål's form of the same word, as "være" for "vere")
        ("kvifor", "korfor"), ("medan", "mens"),
    }
)  # fmt: skip
#: the words an infinitive follows ("å", the modal verbs), after which a verb's e- and
#: a-infinitive ("vurdere" and "vurdera", "vente" and "venta") are one word: both accepted in
#: nynorsk (blind rounds 279-280); up to two words may stand between ("kan ikkje vente",
#: "då kan sjukepleiaren vurdere")
_INFINITIVE_MARKS = frozenset(
    {"å", "kan", "må", "skal", "bør", "vil", "kunne", "skulle", "ville", "måtte", "burde"}
)
_MARKS = "|".join(sorted(_INFINITIVE_MARKS))
_A_INFINITIVE = re.compile(rf"(?i)\b({_MARKS})((?:\s[^\W\d_]+){{0,2}}\s)([^\W\d_]{{3,}})a\b")
#: a verb's or a noun's j-form beside its form without ("søkje" and "søke", "stengjer" and
#: "stenger", "tenkje" and "tenke": both accepted in nynorsk, blind round 262): the stem ends
#: in k or g, at least three letters long ("skje" is no j-form of "ske")
_J_FORM = re.compile(r"(\w{2,}[kg])j(e|er|a|ar|ande|ast)")
#: the beginnings of those words, looked for before a text is read word by word
VARIANT_HINT = re.compile(
    r"(?i)\b(?:"
    + "|".join(sorted({w for pair in (*_VARIANT_STEMS.items(), *_VARIANT_WORDS) for w in pair}))
    + r")|[kg]j(?:e|a)|\b(?:"
    + _MARKS
    + r")\s"
)
#: the endings such a stem takes (inflections of a noun or a verb)
_VARIANT_ENDINGS = frozenset({"", "e", "en", "a", "ar", "ane", "er", "ene"})
_TOKEN = re.compile(r"\w+|[^\w\s]")


def variant_spelling(before: str, after: str) -> bool:
    """Whether two texts (a heading, the words where two versions of a section differ) differ
    only in words written in another accepted form of one stem (``_VARIANT_STEMS``: "skulen"
    and "skolen", each with the same ending) or of one word (``_VARIANT_WORDS``); at least one
    word does."""
    words_a, words_b = _TOKEN.findall(fold(before)), _TOKEN.findall(fold(after))
    if len(words_a) != len(words_b) or words_a == words_b:
        return False
    return all(
        a == b or _variants(a, b) or _variants(b, a) or _infinitives(words_a, i, a, b)
        for i, (a, b) in enumerate(zip(words_a, words_b, strict=True))
    )


def _infinitives(words: list[str], i: int, a: str, b: str) -> bool:
    """Whether ``a`` and ``b``, the ``i``-th words of two texts, are one verb's e- and
    a-infinitive after "å" or a modal verb (``_INFINITIVE_MARKS``) in the same clause."""
    if len(a) < 4 or {a[-1], b[-1]} != {"e", "a"}:
        return False
    # one stem, or a stem written two ways ("kome" and "komma", blind round 315)
    sa, sb = a[:-1], b[:-1]
    if sa != sb and _VARIANT_STEMS.get(sa) != sb and _VARIANT_STEMS.get(sb) != sa:
        return False
    # the mark right before, or up to three words before with words between ("kan ikkje
    # vente", "då kan sjukepleiaren vurdere", "bør du alltid ringje"), no punctuation; a verb
    # joined to an infinitive by "og" or "eller" up to six words ("for å kunne gjere tilsyn
    # og kome med pålegg", blind round 315)
    joined = i > 0 and words[i - 1] in ("og", "eller")
    for word in reversed(words[max(0, i - (6 if joined else 3)) : i]):
        if word in _INFINITIVE_MARKS:
            return True
        if not word[0].isalpha():
            return False
    return False


def canonical_spelling(text: str) -> str:
    """``text`` with each word written in another accepted form of nynorsk (``_VARIANT_WORDS``,
    ``_VARIANT_STEMS``) in one of its forms: "frem" as "fram", "bare" as "berre", so that two
    texts that differ in such a word and in notation besides compare alike (blind round 230:
    "leggje fram ... to vekers" as "leggje frem ... 2 vekers"); a verb's a-infinitive after
    "å" or a modal verb as its e-infinitive ("kan venta" as "kan vente", ``_A_INFINITIVE``)."""
    if "a" in text and _A_INFINITIVE.search(text):
        text = _A_INFINITIVE.sub(r"\1\2\3e", text)
    if not VARIANT_HINT.search(text):
        return text
    return _WORD.sub(_canonical_word, text)


_WORD = re.compile(r"[^\W\d_]+")
#: each variant's other form, to its first (``_VARIANT_WORDS`` pairs both ways)
_CANONICAL_WORDS = {b: a for a, b in _VARIANT_WORDS}


def _canonical_word(m: re.Match[str]) -> str:
    word = m[0]
    lower = word.lower()
    if lower in _CANONICAL_WORDS:
        return _CANONICAL_WORDS[lower]
    if (j := _J_FORM.fullmatch(lower)) is not None:
        return j[1] + j[2]
    for stem, other in _VARIANT_STEMS.items():
        if lower.startswith(other) and lower[len(other) :] in _VARIANT_ENDINGS:
            return stem + lower[len(other) :]
    return word


def _variants(a: str, b: str) -> bool:
    if (a, b) in _VARIANT_WORDS:
        return True
    if (j := _J_FORM.fullmatch(a)) is not None and b == j[1] + j[2]:
        return True
    for stem, other in _VARIANT_STEMS.items():
        if a.startswith(stem) and b.startswith(other):
            ending = a[len(stem) :]
            if ending == b[len(other) :] and ending in _VARIANT_ENDINGS:
                return True
    return False
