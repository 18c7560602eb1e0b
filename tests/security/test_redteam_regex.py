"""A hostile page's text against the regular expressions that read it.

Every line of a page goes through the noise and date-line rules (``strip_noise``,
``is_signal_line``). A rule whose repeated parts can share the same characters in many ways
(white space around an optional separator, in a repeated group) is tried in all those ways on
a line that almost matches: ten label-date pairs and an "x" took 2.5 s, twenty would take
hours. A rule that may start anywhere and reads a bounded run before its phrase
(``[^.]{0,300}informasjonskapsler``) reads that run at every position of a long line: 0.65 s
for 40 KB. Each case below took seconds or more before; the budget is far above what they
cost now (well under 10 ms each) and far below what they cost then. The same holds for the
addresses redacted from a mail server's answer (``mailsafe.redact``).
"""

from __future__ import annotations

import time

import pytest

from feeds.read.html import extract_page
from feeds.read.normalize import is_signal_line, strip_noise
from notifier.mailsafe import redact
from tests.support.cpu import within

HOSTILE_LINES = {
    # a chain of publisher dates that fails at its end: the spaces between the pairs
    "date chain": "Publisert 3. mars 2026 " * 22 + "x",
    "date chain, nynorsk, separators": "Sist endra 03.03.2026 | " * 20 + "x",
    "relative times": "Oppdatert for 2 timer siden · " * 14 + "x",
    # furniture after a date line (print, share, reading time), repeated
    "furniture after a date": "Publisert 3. mars 2026 " + "del " * 40 + "x",
    "reading times": "Publisert 3. mars 2026 " + "lesetid : 4 min " * 24 + "x",
    # the page's own toolbar, repeated
    "toolbar": "skriv ut " * 40 + "x",
    "toolbar with separators": "del | " * 60 + "!",
    "editor byline": "sist endret av" + " " * 380,
    # a cookie notice's phrase in a long line without a full stop
    "cookie phrase, long line": "a " * 20_000 + "vi bruker informasjonskapsler " + "b " * 100,
    "cookie phrase, many": ("bruker informasjonskapsler " + "a" * 50 + " ") * 500,
}


@pytest.mark.parametrize("name", list(HOSTILE_LINES))
def test_a_hostile_line_is_read_in_bounded_time(name: str) -> None:
    line = HOSTILE_LINES[name]
    started = time.process_time()
    strip_noise(line)
    is_signal_line(line)
    assert within(time.process_time() - started, 0.5), name


def test_a_page_of_hostile_lines_is_read_in_bounded_time() -> None:
    """The same lines as a page: every one of them reaches the rules as a line."""
    paragraphs = "".join(f"<p>{line}</p>" for line in HOSTILE_LINES.values())
    body = f"<main><h1>Side</h1>{paragraphs * 5}</main>".encode()
    started = time.process_time()
    page = extract_page(body)
    assert page.sections
    assert within(time.process_time() - started, 2.0)


def test_the_rules_still_read_what_they_are_for() -> None:
    """The possessive white space and the sentence start change no answer."""
    assert is_signal_line("Publisert 3. mars 2026 – Sist oppdatert 5. mars 2026 · Skriv ut Del")
    assert is_signal_line("Sist endra: 03.03.2026 | Lesetid: 4 minutt")
    assert is_signal_line("Publisert for 2 timer siden")
    assert not is_signal_line("Publisert 3. mars 2026 er regelen endret")
    assert strip_noise("Skriv ut | Last ned som PDF | Del") == ""
    assert strip_noise("Sist endret av: Kari Nordmann") == ""
    assert strip_noise("Tekst. Vi bruker informasjonskapsler for statistikk.") == "Tekst."
    long_sentence = "a" * 400 + " vi bruker informasjonskapsler for statistikk."
    assert strip_noise(long_sentence) == long_sentence  # no banner: too long a sentence


def test_a_hostile_mail_servers_answer_is_redacted_in_bounded_time() -> None:
    """A delivery's error (a mail server's answer, up to 2,000 characters stored; a source's
    error) is redacted of addresses on every console page that lists it: a run without "@"
    was read to its end from each of its positions (20 KB: 1.4 s)."""
    started = time.process_time()
    for answer in ("a" * 20_000, "x." * 10_000, ("a" * 50 + " ") * 400):
        assert "<adresse>" not in redact(answer)
    assert within(time.process_time() - started, 0.5)
    assert redact("550 5.1.1 <ola.nordmann@example.no>: rejected") == (
        "550 5.1.1 <<adresse>>: rejected"
    )
