"""Red team, round 10: the link a poisoned change carries. A source's item can point to a
homograph host ("www.fhі.no" with a Cyrillic "і"), to a host with zero-width characters in
it, or to a ``javascript:``/``data:`` URL. The plain-text part of a mail wrote the stored URL
as it was (a ``javascript:`` URL as text, the homograph in the letters it imitates); links
in pages, mails and pushes showed the homograph host in Unicode. Now every link we show or
follow is ``render.http_url``: http(s) only, its host in ASCII (IDNA: "xn--"), so a
homograph reads as the different name it is. Pure: the renderer on a composed digest.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from notifier.digest import ChangeView, Digest, Recipient, compose
from notifier.render import Renderer, http_url

NOW = datetime(2026, 12, 6, 8, tzinfo=UTC)
HOMOGRAPH = "https://www.fh\u0456.no/vaksine"


def digest_with(url: str, channel: str = "email") -> Digest:
    view = ChangeView(
        id=1, source_name="FHI", authority="fhi", title="Tittel", url=url, kind="new",
        section=(), summary="Tekst", segments=(), detected_at=NOW, subtopics=("t",),
    )  # fmt: skip
    digest = compose(Recipient(1, "lege@kommune.no"), "immediate", "s1", [view], ["t"], {})
    assert digest is not None
    return replace(digest, channel=channel)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (HOMOGRAPH, "https://www.xn--fh-ioc.no/vaksine"),
        ("https://www.fhi\u200b.no\u200d/x", "https://www.fhi.no/x"),
        ("https://www.fhi.no/x?q=ø", "https://www.fhi.no/x?q=ø"),
        ("javascript:alert(1)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
    ],
)
def test_http_url_shows_a_host_in_ascii(url: str, shown: str) -> None:
    assert http_url(url) == shown


@pytest.mark.parametrize("url", [HOMOGRAPH, "javascript:alert(1)", "data:text/html,x"])
def test_a_mail_and_a_push_carry_no_disguised_or_script_link(url: str) -> None:
    renderer = Renderer("https://helsevarsel.no")
    mail = renderer.render(digest_with(url), NOW)
    for body in (mail.text, mail.html):
        assert "fh\u0456" not in body and "javascript:" not in body and "data:" not in body
    push = renderer.render(digest_with(url, "webpush"), NOW)
    assert push.headers["Link"].isascii() and push.headers["Link"].startswith("https://")
