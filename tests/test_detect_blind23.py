"""Blind round 23's rules, both ways, bokmål and nynorsk: a page's read counter in a sentence
("Denne siden er lest 1 204 ganger") and the day a citation says the page was fetched ("Lasta
ned 05.12.2026 frå fhi.no") are noise; a feed whose new items all link to a site the feed
never linked to is another site's feed, held for review even when they came in on top."""

from __future__ import annotations

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import FEED_REPLACED, Detection, detect
from feeds.read.normalize import compile_noise, strip_noise
from feeds.types import FetchResult

NOISE = compile_noise(())


@pytest.mark.parametrize(
    "line",
    [
        "Denne siden er lest 1 204 ganger",
        "Sida er lesen 4 377 gonger.",
        "Artikkelen har vore lesen 12 gonger",
    ],
)
def test_a_read_counter_in_a_sentence_is_noise(line: str) -> None:
    assert strip_noise(line, NOISE) == ""


@pytest.mark.parametrize(
    "line, kept",
    [
        (
            "Folkehelseinstituttet. MSIS. Oslo: FHI; 2026. Lasta ned 05.12.2026 frå fhi.no.",
            "Folkehelseinstituttet. MSIS. Oslo: FHI; 2026. frå fhi.no.",
        ),
        (
            "Helsedirektoratet. Demens. Hentet 5. desember 2026 fra helsedirektoratet.no",
            "Helsedirektoratet. Demens. fra helsedirektoratet.no",
        ),
        ("Nasjonal rettleiar (lest 05.12.2026)", "Nasjonal rettleiar ()"),
    ],
)
def test_a_citations_fetch_day_is_noise(line: str, kept: str) -> None:
    assert strip_noise(line, NOISE) == kept


@pytest.mark.parametrize(
    "line",
    [
        "Søknaden må vere henta 05.12.2026.",  # a deadline, not a citation
        "Prøvesvaret må være hentet 05.12.2026 av fastlegen",
        "Skjemaet er lastet ned 40 ganger",
        "Denne siden er oppdatert med nye råd om 1 204 pasientar",
    ],
)
def test_such_words_in_content_are_read(line: str) -> None:
    assert strip_noise(line, NOISE) == line


FEED = SourceSpec(
    key="f", kind="feed", url="https://www.regjeringen.no/nn/rss", authority="t", name="F"
)


def rss(items: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<description>{t}.</description></item>"
        for t, link in items
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>F</title>"
        f"<link>https://www.regjeringen.no/</link>{body}</channel></rss>"
    ).encode()


OLD = [
    (f"Sak {n} om helse", f"https://www.regjeringen.no/nn/aktuelt/sak{n}/id{n}/") for n in range(6)
]


def check(new: list[tuple[str, str]]) -> Detection:
    first = detect(FEED, FetchResult(FEED.url, 200, rss(OLD)), None)
    assert first.state is not None
    # five new items on top, the oldest five gone: a busy day's form
    return detect(FEED, FetchResult(FEED.url, 200, rss(new + OLD[:1])), first.state)


@pytest.mark.parametrize(
    "host", ["https://www.bergen.kommune.no/aktuelt", "https://www.casino-nytt.com/nn"]
)
def test_new_items_of_another_site_on_top_are_held(host: str) -> None:
    found = check([(f"Konsert {n} i Grieghallen", f"{host}/sak{n}/") for n in range(5)])
    assert found.held_reason == FEED_REPLACED and len(found.changes) == 5


@pytest.mark.parametrize(
    "hosts",
    [
        ["https://www.regjeringen.no/nn/aktuelt"] * 5,  # a busy day at home
        ["https://www.bergen.kommune.no/aktuelt"] * 4 + ["https://www.regjeringen.no/nn/aktuelt"],
    ],
)
def test_a_busy_day_with_a_link_home_is_news(hosts: list[str]) -> None:
    found = check([(f"Ny sak {n} om legevakt", f"{h}/ny{n}/") for n, h in enumerate(hosts)])
    assert found.held_reason is None and [c.kind for c in found.changes] == ["new"] * 5
