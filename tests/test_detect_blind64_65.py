"""Blind round 65's rule, both ways: spam links in a hidden or off-screen box are looked for
before hidden content goes, so a hijacked page is a source problem (the last good version
kept, operators told); a hidden box of ordinary links or text is no content, as before."""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from tests.support.pages import article, kinds

SPAM = "".join(
    f"<a href='https://{host}.example/{i}'>beste casino bonus {i}</a>"
    for i, host in enumerate(["spin-casino", "lucky-slots", "cheap-pills", "bet-now"] * 5)
)
TEXT = "<h2>Vaksinasjon</h2><p>Alle over 65 år får tilbud om influensavaksine.</p>"


@pytest.mark.parametrize(
    "hiding", ["style='display:none'", "style='position:absolute;left:-9999px'", "hidden"]
)
def test_hidden_spam_links_make_the_page_a_source_problem(hiding: str) -> None:
    with pytest.raises(SourceProblem):
        article("Influensavaksine", f"{TEXT}<div {hiding}>{SPAM}</div>")


@pytest.mark.parametrize("hiding", ["style='display:none'", "hidden"])
def test_a_hidden_box_of_ordinary_links_is_no_content(hiding: str) -> None:
    links = "".join(f"<a href='https://www.fhi.no/side{i}'>Side {i}</a>" for i in range(20))
    before = article("Influensavaksine", TEXT)
    assert kinds(before, article("Influensavaksine", f"{TEXT}<div {hiding}>{links}</div>")) == []
