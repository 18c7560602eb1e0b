"""Matching, digest composition and rendering: pure."""

from __future__ import annotations

from datetime import UTC, datetime

from notifier.digest import ChangeView, Recipient, compose, period_key
from notifier.render import Renderer
from subscribers.match import SubscriptionIndex, SubscriptionRow

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def view(id: int, title: str, subtopics: tuple[str, ...], urgent: bool = False) -> ChangeView:
    return ChangeView(
        id=id, source_name="FHI: nyheter", authority="fhi", title=title,
        url=f"https://www.fhi.no/{id}", kind="new", section=(), summary=f"Ingress {id}",
        segments=(), detected_at=NOW, subtopics=subtopics, urgent=urgent,
    )  # fmt: skip


def test_match_picks_the_most_immediate_cadence_and_urgent_overrides() -> None:
    index = SubscriptionIndex(
        [
            SubscriptionRow(1, "vaksinasjon", "weekly"),
            SubscriptionRow(1, "testing", "daily"),
            SubscriptionRow(2, "testing", "immediate"),
            SubscriptionRow(3, "innreise", "daily"),
        ]
    )
    found = {(m.subscriber_id, m.cadence) for m in index.match(["vaksinasjon", "testing"])}
    assert found == {(1, "daily"), (2, "immediate")}
    urgent = {(m.subscriber_id, m.cadence) for m in index.match(["vaksinasjon"], urgent=True)}
    assert urgent == {(1, "immediate")}
    assert index.match(["ukjent"]) == []


def test_compose_files_each_change_once_under_the_readers_subtopic_that_fits_it_best() -> None:
    """A change's subtopics come best fit first. The item mainly on testing and quarantine
    lands under testing, not under vaccination, which the reader happened to choose first;
    the vaccine item lands under vaccination; sections follow the reader's order."""
    digest = compose(
        Recipient(7, "lege@kommune.no", "Kari"),
        "daily",
        "2026-11-23",
        [
            view(1, "Ny vaksine", ("vaksinasjon", "testing")),
            view(2, "Test og karantene", ("testing", "karantene", "vaksinasjon")),
            view(3, "Karantene", ("karantene",)),
        ],
        ["vaksinasjon", "testing"],
        {"testing": "Testing", "vaksinasjon": "Vaksinasjon"},
    )
    assert digest is not None
    assert [(s.label, [c.id for c in s.changes]) for s in digest.sections] == [
        ("Vaksinasjon", [1]),
        ("Testing", [2]),
    ]
    assert digest.idempotency_key == "digest:7:email:daily:2026-11-23"
    assert compose(Recipient(7, "x@y.no"), "daily", "p", [], ["testing"], {}) is None


def test_periods_are_local_dates_and_iso_weeks() -> None:
    late = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # 00:30 in Oslo on the 23rd
    assert period_key("daily", late, "Europe/Oslo") == "2026-11-23"
    assert period_key("weekly", late, "Europe/Oslo") == "2026-W48"


def test_rendering_escapes_what_came_from_the_web() -> None:
    hostile = view(1, '<script>alert("x")</script> Vaksine', ("vaksinasjon",))
    digest = compose(
        Recipient(1, "a@b.no"),
        "daily",
        "2026-11-23",
        [hostile],
        ["vaksinasjon"],
        {"vaksinasjon": "Vaksinasjon"},
    )
    assert digest is not None
    message = Renderer("https://varsel.example.no").render(digest, NOW)
    assert "<script>" not in message.html
    assert "&lt;script&gt;" in message.html
    assert message.subject == "Helsevarsel 23. november 2026: 1 endring"
    assert "Vaksinasjon" in message.text and "https://www.fhi.no/1" in message.text


def test_alert_subject_names_the_change() -> None:
    digest = compose(
        Recipient(1, "a@b.no"),
        "immediate",
        "s4",
        [view(1, "Ny forskrift", ("testing",), urgent=True), view(2, "B", ("testing",))],
        ["testing"],
        {},
    )
    assert digest is not None
    assert Renderer("https://x").subject(digest, NOW) == "Haster: Ny forskrift (+1 til)"


def test_nynorsk_recipients_get_nynorsk_mails() -> None:
    from notifier.render import MAIL_TEXT

    assert MAIL_TEXT["nb"].keys() == MAIL_TEXT["nn"].keys()
    digest = compose(
        Recipient(7, "lege@kommune.no", "Kari", "nn"), "daily", "2026-11-23",
        [view(1, "Vaksine", ("vaksinasjon",), urgent=True), view(2, "Test", ("vaksinasjon",))],
        ["vaksinasjon"], {"vaksinasjon": "Vaksinasjon"},
    )  # fmt: skip
    assert digest is not None
    message = Renderer("https://varsel.example.no").render(digest, NOW)
    assert message.subject == "Helsevarsel 23. november 2026: 2 endringar"
    assert "Her er endringane i dag" in message.text and "[HASTAR]" in message.text
    assert '<html lang="nn">' in message.html and "Du får denne e-posten" in message.html
