"""The console's changes and review queue over HTTP (notifier.web.routes.staff_changes): every
filter of /staff narrows the list; a change's page shows the word diff as subscribers see it,
the reasons for its tags and who received it; each review action works through its real form
with the session's csrf_token, is refused without it, is audited with the staff user as actor,
and shows notifier.review's refusals in Norwegian. Approving a held change sends it (dispatch,
then delivery to a real SMTP server), suppressing sends nothing, a retag moves the change in
the daily digests. A redaktor does all of it. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from lxml import html as lxml_html
from sqlmodel import Session, select

from feeds.store.models import Change, Snapshot, Source
from notifier.context import Context
from notifier.models import AuditEvent, LabelCorrection
from notifier.outbox import Delivery, message_of
from notifier.plan import compose_digests, dispatch
from notifier.web import staff_views as views
from notifier.web.links import attach
from notifier.web.texts_changes import NB, NN
from tests.conftest import Clock
from tests.support.outbox import deliver_via_smtp
from tests.support.smtpserver import Inbox
from tests.support.staff import fast_hasher, login, staff_client
from tests.test_plan import subscribe

__all__ = ["fast_hasher"]

DIFF = [
    ["=", "Alle over 65 år får tilbud om "],
    ["-", "én dose"],
    ["+", "to doser"],
    ["=", " i høst."],
]


@pytest.fixture(autouse=True)
def _cheap_hashes(fast_hasher: None) -> None:
    """Logins in these tests use cheap argon2 parameters."""


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    async with staff_client(ctx) as c:
        yield c


def add_change(
    ctx: Context,
    title: str,
    *,
    source: str = "fhi-nyheter",
    authority: str = "fhi",
    kind: str = "new",
    subtopics: Sequence[str] = ("vaksinasjon",),
    regions: Sequence[str] = (),
    urgent: bool = False,
    status: str = "published",
    held_reason: str | None = None,
    detected_at: datetime | None = None,
    diff: list[list[str]] | None = None,
    summary: str = "",
    reasons: Sequence[str] = (),
) -> int:
    """A change of ``source`` (created with ``authority`` when missing) in a snapshot of its
    own; returns its id."""
    at = detected_at or ctx.clock()
    with Session(ctx.engine) as session:
        src = session.exec(select(Source).where(Source.key == source)).first()
        if src is None:
            src = Source(
                key=source, kind="feed", url=f"https://{source}.no/rss", authority=authority,
                name=source.replace("-", " ").title(),
            )  # fmt: skip
            session.add(src)
            session.flush()
        assert src.id is not None
        n = len(session.exec(select(Change.id)).all())
        snap = Snapshot(source_id=src.id, content_digest=f"d{n}", taken_at=at)
        session.add(snap)
        session.flush()
        assert snap.id is not None
        change = Change(
            source_id=src.id, snapshot_id=snap.id, fingerprint=f"f{n}-{title}"[:64], kind=kind,
            title=title, url=f"https://{source}.no/{n}", summary=summary,
            subtopics=list(subtopics), regions=list(regions), urgent=urgent, status=status,
            held_reason=held_reason, held_at=at if status == "held" else None,
            detected_at=at, diff=diff or [], reasons=list(reasons),
        )  # fmt: skip
        session.add(change)
        session.commit()
        assert change.id is not None
        return change.id


def parse(page: str) -> Any:
    """The page as an lxml tree (typed loosely: lxml's stubs type every xpath result as a
    union)."""
    return lxml_html.fromstring(page)


def titles(page: str) -> list[str]:
    """The titles in the list of changes, in the order shown."""
    tree = parse(page)
    return [a.text_content() for a in tree.xpath("//table[@class='list']/tbody/tr/td[1]/a")]


def form_data(page: str, action: str, **fill: str) -> dict[str, str]:
    """What a browser posts for the form with this action: its inputs (checked boxes only),
    selected options and textareas, with ``fill`` typed over them."""
    tree = parse(page)
    (form,) = tree.xpath(f"//form[@action='{action}']")
    data: dict[str, str] = {}
    for field in form.xpath(".//input | .//textarea | .//select"):
        name = field.get("name")
        if not name:
            continue
        if field.tag == "textarea":
            data[name] = field.text or ""
        elif field.tag == "select":
            chosen = field.xpath(".//option[@selected]/@value")
            data[name] = chosen[0] if chosen else (field.xpath(".//option/@value") or [""])[0]
        elif field.get("type") == "checkbox":
            if field.get("checked") is not None:
                data[name] = field.get("value", "on")
        else:
            data[name] = field.get("value", "")
    data.update(fill)
    return data


def change_of(ctx: Context, change_id: int) -> Change:
    with Session(ctx.engine, expire_on_commit=False) as session:
        change = session.get(Change, change_id)
        assert change is not None
        return change


def audit_events(ctx: Context) -> list[tuple[str, str, str | None]]:
    with Session(ctx.engine) as session:
        return [
            (e.action, e.actor, e.target_id)
            for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))  # type: ignore[arg-type]
            if e.action.startswith("change.")
        ]


# ---------------------------------------------------------------- pure parts


def test_every_text_exists_in_both_languages() -> None:
    assert NB.keys() == NN.keys()
    assert all(NB[k].strip() and NN[k].strip() for k in NB)


def test_waiting_words() -> None:
    assert views.waiting_words(timedelta(minutes=20), "nb") == "venter i under en time"
    assert views.waiting_words(timedelta(hours=1, minutes=5), "nb") == "venter i 1 time"
    assert views.waiting_words(timedelta(hours=30), "nn") == "ventar i 30 timar"
    assert views.waiting_words(timedelta(days=3, hours=2), "nb") == "venter i 3 dager"
    assert views.waiting_words(timedelta(days=3), "nn") == "ventar i 3 dagar"


def test_cadence_of_a_message_comes_from_its_key() -> None:
    assert views.cadence_of("alert:7:email:immediate:s12", "alert") == "immediate"
    assert views.cadence_of("digest:7:email:weekly:2026-W48", "digest") == "weekly"
    assert views.cadence_of("odd", "digest") == "digest"


def test_parse_filter_refuses_what_it_cannot_use() -> None:
    found, errors = views.parse_filter(
        {"kilde": "99", "underemne": "finnes-ikke", "fra": "23.11.2026", "til": "2026-11-20",
         "haster": "kanskje", "status": "held", "side": "x"},
        sources=[1], authorities=["fhi"], subtopics=["testing"], regions=["46"],
    )  # fmt: skip
    assert errors == {
        "kilde": "unknown",
        "underemne": "unknown",
        "fra": "date",
        "haster": "unknown",
    }
    assert found == views.ChangeFilter(status="held", date_to=datetime(2026, 11, 20).date())
    _, errors = views.parse_filter(
        {"fra": "2026-11-23", "til": "2026-11-20"},
        sources=[], authorities=[], subtopics=[], regions=[],
    )  # fmt: skip
    assert errors == {"til": "range"}


def test_reasons_are_grouped_by_tag() -> None:
    change = Change(
        source_id=1, snapshot_id=1, fingerprint="f", kind="new", title="t", url="u",
        subtopics=["vaksinasjon", "testing"], regions=["4601"], urgent=True,
        reasons=["vaksinasjon: tittel: «vaksine»", "4601: tekst: «Bergen»", "haster: ny forskrift",
                 "isolasjon: tittel: «isolasjon»"],
    )  # fmt: skip
    current, former = views.reason_groups(
        change, {"vaksinasjon": "Vaksinasjon", "testing": "Testing", "isolasjon": "Isolering"},
        {"4601": "Bergen"}, "Hastesak",
    )  # fmt: skip
    assert [(r.kind, r.label, r.reasons) for r in current] == [
        ("subtopic", "Vaksinasjon", ("tittel: «vaksine»",)),
        ("subtopic", "Testing", ()),
        ("region", "Bergen", ("tekst: «Bergen»",)),
        ("urgent", "Hastesak", ("ny forskrift",)),
    ]
    assert [(r.kind, r.label) for r in former] == [("subtopic", "Isolering")]


# ---------------------------------------------------------------- the list of changes


async def test_anonymous_is_sent_to_login(client: httpx.AsyncClient) -> None:
    for path in ("/staff", "/staff/gjennomgang", "/staff/endringer/1"):
        answer = await client.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/staff/login?neste=")
    answer = await client.post("/staff/endringer/1/godkjenn", data={"csrf_token": "x"})
    assert answer.status_code in (303, 401, 403)


async def test_every_filter_narrows_the_list(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    day = timedelta(days=1)
    now = clock()
    add_change(ctx, "Vaksine i Bergen", regions=["4601", "46"], detected_at=now - 3 * day)
    add_change(ctx, "Testing i Oslo", subtopics=["testing"], regions=["0301", "03"],
               detected_at=now - 2 * day)  # fmt: skip
    add_change(ctx, "Ny forskrift", source="lovdata-forskrifter", authority="lovdata",
               subtopics=["forskrifter_regelverk"], urgent=True, detected_at=now - day)  # fmt: skip
    add_change(ctx, "Holdt side", status="held", held_reason="most_replaced", detected_at=now)
    add_change(ctx, "Stanset side", status="suppressed", regions=["4601"],
               detected_at=now - timedelta(hours=1))  # fmt: skip
    await login(client, ctx)
    every = (await client.get("/staff")).text
    assert titles(every) == [
        "Holdt side", "Stanset side", "Ny forskrift", "Testing i Oslo", "Vaksine i Bergen",
    ]  # fmt: skip
    with Session(ctx.engine) as session:
        lovdata = session.exec(select(Source).where(Source.key == "lovdata-forskrifter")).one()

    async def shown(**query: str) -> list[str]:
        page = await client.get("/staff", params=query)
        assert page.status_code == 200, page.text
        assert 'class="error-summary"' not in page.text
        return titles(page.text)

    assert await shown(kilde=str(lovdata.id)) == ["Ny forskrift"]
    assert await shown(myndighet="fhi") == [
        "Holdt side", "Stanset side", "Testing i Oslo", "Vaksine i Bergen",
    ]  # fmt: skip
    assert await shown(underemne="testing") == ["Testing i Oslo"]
    assert await shown(omrade="4601") == ["Stanset side", "Vaksine i Bergen"]
    assert await shown(omrade="46") == ["Stanset side", "Vaksine i Bergen"]  # a county: its
    assert await shown(omrade="03") == ["Testing i Oslo"]  # municipalities too
    assert await shown(status="held") == ["Holdt side"]
    assert await shown(status="suppressed") == ["Stanset side"]
    assert await shown(haster="ja") == ["Ny forskrift"]
    assert "Ny forskrift" not in await shown(haster="nei")
    local = (now - 2 * day).date()  # 08:00 UTC is 09:00 in Oslo: the same date
    assert await shown(fra=local.isoformat(), til=local.isoformat()) == ["Testing i Oslo"]
    assert await shown(fra=(now - day).date().isoformat()) == [
        "Holdt side", "Stanset side", "Ny forskrift",
    ]  # fmt: skip
    assert await shown(til=(now - 2 * day).date().isoformat()) == [
        "Testing i Oslo", "Vaksine i Bergen",
    ]  # fmt: skip
    assert await shown(myndighet="fhi", status="published") == [
        "Testing i Oslo", "Vaksine i Bergen",
    ]  # fmt: skip
    assert await shown(underemne="isolasjon") == []
    page = (await client.get("/staff", params={"underemne": "isolasjon"})).text
    assert NB["none_found"] in page
    # each row: source, kind, subtopic labels, region names, urgency, status, Oslo time
    tree = parse(every)
    (row,) = [r for r in tree.xpath("//tbody/tr") if "Vaksine i Bergen" in r.text_content()]
    cells = [td.text_content().strip() for td in row.xpath("td")]
    assert cells == [
        "Vaksine i Bergen", "Fhi Nyheter", "Ny", "Vaksinasjon", "Bergen, Vestland", "Nei",
        "Publisert", "20. november 2026 kl. 09.00",
    ]  # fmt: skip


async def test_a_filter_it_cannot_use_is_named_and_ignored(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    add_change(ctx, "Endring")
    await login(client, ctx)
    page = await client.get("/staff", params={"fra": "i går", "omrade": "9999"})
    assert page.status_code == 200
    assert NB["err_date"] in page.text and NB["err_unknown"] in page.text
    assert titles(page.text) == ["Endring"]


async def test_the_list_is_paged_newest_first(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    start = clock()
    for n in range(views.PAGE_SIZE + 3):
        add_change(ctx, f"Endring {n:02d}", detected_at=start + timedelta(minutes=n))
    await login(client, ctx)
    first = await client.get("/staff", params={"myndighet": "fhi"})
    assert titles(first.text)[:2] == [
        f"Endring {views.PAGE_SIZE + 2}",
        f"Endring {views.PAGE_SIZE + 1}",
    ]
    assert len(titles(first.text)) == views.PAGE_SIZE
    assert "/staff?myndighet=fhi&amp;side=2" in first.text
    second = await client.get("/staff", params={"myndighet": "fhi", "side": "2"})
    assert titles(second.text) == ["Endring 02", "Endring 01", "Endring 00"]
    assert "Side 2 av 2" in second.text


async def test_the_list_in_nynorsk(ctx: Context, client: httpx.AsyncClient) -> None:
    add_change(ctx, "Endring", kind="changed", subtopics=["sykehjem_hjemmetjenester"])
    await login(client, ctx)
    page = (await client.get("/staff", params={"lang": "nn"})).text
    assert 'lang="nn"' in page and NN["changes_title"] in page and NN["filter_submit"] in page
    assert "Endra" in page and "Sjukeheim og heimetenester" in page


# ---------------------------------------------------------------- one change


async def test_a_change_page_shows_the_diff_the_reasons_and_who_received_it(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    subscribe(ctx, "straks@kommune.no", ["vaksinasjon"], "immediate")
    subscribe(ctx, "daglig@kommune.no", ["vaksinasjon"], "daily")
    subscribe(ctx, "testing@kommune.no", ["testing"], "daily")
    change_id = add_change(
        ctx, "Vaksinasjonsveilederen: doser", kind="changed", diff=DIFF,
        regions=["4601"], reasons=["vaksinasjon: tittel: «vaksinasjonsveilederen»",
                                   "4601: tekst: «Bergen»"],
    )  # fmt: skip
    assert dispatch(ctx) == 1
    assert compose_digests(ctx, "daily") == 1
    await login(client, ctx)
    page = await client.get(f"/staff/endringer/{change_id}")
    assert page.status_code == 200
    tree = parse(page.text)
    (diff,) = tree.xpath("//p[@class='diff']")
    assert [d.text for d in diff.iter("del")] == ["én dose"]
    assert [i.text for i in diff.iter("ins")] == ["to doser"]
    assert diff.text_content() == "Alle over 65 år får tilbud om én dose to doser i høst."
    text = tree.text_content()
    assert "Vaksinasjon: «vaksinasjonsveilederen»" not in text  # the reason stands under its tag
    assert "tittel: «vaksinasjonsveilederen»" in text and "tekst: «Bergen»" in text
    counts = [
        [td.text_content() for td in row.xpath("td")]
        for row in tree.xpath("//table[not(@class)]/tbody/tr[not(th)]")
    ]
    assert counts == [["E-post", "Varsel med en gang", "1"], ["E-post", "Daglig sammendrag", "1"]]
    recipients = [
        [td.text_content() for td in row.xpath("td")]
        for row in tree.xpath("//table[@class='list']/tbody/tr")
    ]
    assert [r[:3] for r in recipients] == [
        ["straks@kommune.no", "Varsel med en gang", "Venter på sending"],
        ["daglig@kommune.no", "Daglig sammendrag", "Venter på sending"],
    ]
    assert "testing@kommune.no" not in page.text


async def test_a_change_page_shows_sent_messages(
    ctx: Context, client: httpx.AsyncClient, smtp: tuple[Inbox, int]
) -> None:
    _, port = smtp
    subscribe(ctx, "straks@kommune.no", ["vaksinasjon"], "immediate")
    change_id = add_change(ctx, "Ny vaksine")
    dispatch(ctx)
    await deliver_via_smtp(ctx, port)
    await login(client, ctx)
    page = (await client.get(f"/staff/endringer/{change_id}")).text
    tree = parse(page)
    (row,) = tree.xpath("//table[@class='list']/tbody/tr")
    cells = [td.text_content() for td in row.xpath("td")]
    assert cells[2] == "Sendt" and cells[4] == "23. november 2026 kl. 09.00"


async def test_an_unknown_change_is_a_norwegian_404(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    await login(client, ctx)
    page = await client.get("/staff/endringer/999")
    assert page.status_code == 404 and NB["err_not_found"] in page.text


# ---------------------------------------------------------------- the review queue and actions


async def test_the_queue_shows_held_changes_longest_waiting_first(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    add_change(ctx, "Ny i dag", status="held", held_reason="feed_replaced", detected_at=clock())
    add_change(ctx, "Gammel", status="held", held_reason="mass_deletion", kind="changed",
               diff=DIFF, detected_at=clock() - timedelta(days=3, hours=1))  # fmt: skip
    add_change(ctx, "Publisert")
    await login(client, ctx)
    page = await client.get("/staff/gjennomgang")
    tree = parse(page.text)
    assert [h.text_content() for h in tree.xpath("//article/h2")] == ["Gammel", "Ny i dag"]
    assert "Venter i 3 dager" in page.text and "Venter i under en time" in page.text
    assert "Mye av innholdet forsvant" in page.text
    assert "De fleste sakene i feeden ble byttet ut" in page.text
    assert tree.xpath("//article//p[@class='diff']/del")[0].text == "én dose"
    nn = await client.get("/staff/gjennomgang", params={"lang": "nn"})
    assert "Ventar i 3 dagar" in nn.text and "Mykje av innhaldet forsvann" in nn.text


async def test_approve_through_the_queue_then_dispatch_and_delivery_send_it(
    ctx: Context, client: httpx.AsyncClient, smtp: tuple[Inbox, int], clock: Clock
) -> None:
    inbox, port = smtp
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "immediate")
    change_id = add_change(ctx, "Vaksinasjonsveilederen er skrevet om", status="held",
                           held_reason="most_replaced")  # fmt: skip
    assert dispatch(ctx) == 0
    clock.advance(days=3)
    user, csrf = await login(client, ctx)
    queue = (await client.get("/staff/gjennomgang")).text
    action = f"/staff/endringer/{change_id}/godkjenn"
    refused = await client.post(action, data={"tilbake": "gjennomgang"})
    assert refused.status_code == 403
    refused = await client.post(action, data={"csrf_token": "feil", "tilbake": "gjennomgang"})
    assert refused.status_code == 403
    assert change_of(ctx, change_id).status == "held" and audit_events(ctx) == []
    done = await client.post(action, data=form_data(queue, action))
    assert done.status_code == 303
    assert done.headers["location"] == "/staff/gjennomgang?ok=approved"
    after = await client.get(done.headers["location"])
    assert NB["ok_approved"] in after.text and NB["review_empty"] in after.text
    approved = change_of(ctx, change_id)
    assert approved.status == "published" and approved.reviewed_by == user.id
    assert audit_events(ctx) == [("change.approve", user.email, str(change_id))]
    assert dispatch(ctx) == 0  # the approval dispatched it at once: the alert is queued
    await deliver_via_smtp(ctx, port)
    assert [str(m["To"]) for m in inbox.messages] == ["lege@kommune.no"]
    assert "Vaksinasjonsveilederen er skrevet om" in str(inbox.messages[0]["Subject"])
    # approving twice: refused in words, nothing changes
    again = await client.post(action, data={"csrf_token": csrf})
    assert again.status_code == 400 and NB["err_not_held"] in again.text
    assert len(audit_events(ctx)) == 1


async def test_suppress_needs_a_reason_and_then_nothing_is_sent(
    ctx: Context, client: httpx.AsyncClient, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "immediate")
    subscribe(ctx, "ukentlig@kommune.no", ["vaksinasjon"], "weekly")
    change_id = add_change(ctx, "Feil publisert side", status="held", held_reason="after_outage")
    user, csrf = await login(client, ctx)
    page = (await client.get(f"/staff/endringer/{change_id}")).text
    action = f"/staff/endringer/{change_id}/stans"
    refused = await client.post(action, data={"reason": "Feil"})
    assert refused.status_code == 403
    empty = await client.post(action, data=form_data(page, action, reason="   "))
    assert empty.status_code == 400 and NB["err_reason_missing"] in empty.text
    assert change_of(ctx, change_id).status == "held"
    done = await client.post(action, data=form_data(page, action, reason="Publisert ved en feil"))
    assert done.status_code == 303
    assert done.headers["location"] == f"/staff/endringer/{change_id}?ok=suppressed"
    shown = (await client.get(done.headers["location"])).text
    assert NB["ok_suppressed"] in shown and "Publisert ved en feil" in shown
    assert f'action="{action}"' not in shown  # nothing more to suppress
    suppressed = change_of(ctx, change_id)
    assert suppressed.status == "suppressed"
    assert suppressed.suppressed_reason == "Publisert ved en feil"
    assert audit_events(ctx) == [("change.suppress", user.email, str(change_id))]
    dispatch(ctx)
    assert compose_digests(ctx, "weekly") == 0
    await deliver_via_smtp(ctx, port)
    assert inbox.messages == []
    again = await client.post(action, data={"csrf_token": csrf, "reason": "igjen"})
    assert again.status_code == 400 and NB["err_already_suppressed"] in again.text


async def test_edit_changes_what_subscribers_read(ctx: Context, client: httpx.AsyncClient) -> None:
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "daily")
    change_id = add_change(ctx, "Tittel med skrivefeil", summary="Gammel omtale.")
    user, _ = await login(client, ctx)
    page = (await client.get(f"/staff/endringer/{change_id}")).text
    action = f"/staff/endringer/{change_id}/rediger"
    assert form_data(page, action)["title"] == "Tittel med skrivefeil"
    refused = await client.post(action, data={"title": "Ny", "summary": ""})
    assert refused.status_code == 403
    empty = await client.post(action, data=form_data(page, action, title=" ", summary="Beholdt"))
    assert empty.status_code == 400 and NB["err_title_missing"] in empty.text
    assert ">Beholdt</textarea>" in empty.text  # what was typed is kept
    done = await client.post(
        action, data=form_data(page, action, title="Riktig tittel", summary="Kort omtale.")
    )
    assert done.status_code == 303
    assert NB["ok_edited"] in (await client.get(done.headers["location"])).text
    edited = change_of(ctx, change_id)
    assert (edited.title, edited.summary) == ("Riktig tittel", "Kort omtale.")
    assert audit_events(ctx) == [("change.edit", user.email, str(change_id))]
    compose_digests(ctx, "daily")
    with Session(ctx.engine) as session:
        body = message_of(
            session, session.exec(select(Delivery)).one(), attach(ctx).mail_links
        ).text
    assert "Riktig tittel" in body and "Kort omtale." in body and "skrivefeil" not in body


async def test_retag_moves_the_change_in_the_daily_digests(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    subscribe(ctx, "vaksine@kommune.no", ["vaksinasjon"], "daily")
    subscribe(ctx, "testing@kommune.no", ["testing"], "daily")
    subscribe(ctx, "begge@kommune.no", ["vaksinasjon", "testing"], "daily")
    change_id = add_change(ctx, "Nye råd om hurtigtester i skolen", summary="Om hurtigtester.",
                           regions=["0301"])  # fmt: skip
    user, csrf = await login(client, ctx)
    page = (await client.get(f"/staff/endringer/{change_id}")).text
    action = f"/staff/endringer/{change_id}/merk"
    posted = form_data(page, action)
    assert posted["subtopic_vaksinasjon"] == "1" and posted["region_0301"] == "1"
    refused = await client.post(action, data={"subtopic_testing": "1"})
    assert refused.status_code == 403
    # untick vaksinasjon, tick testing, drop Oslo, add Bergen
    del posted["subtopic_vaksinasjon"], posted["region_0301"]
    posted |= {"subtopic_testing": "1", "add_region": "4601"}
    done = await client.post(action, data=posted)
    assert done.status_code == 303
    assert NB["ok_retagged"] in (await client.get(done.headers["location"])).text
    retagged = change_of(ctx, change_id)
    assert (retagged.subtopics, retagged.regions) == (["testing"], ["4601"])
    assert audit_events(ctx) == [("change.retag", user.email, str(change_id))]
    with Session(ctx.engine) as session:
        correction = session.exec(select(LabelCorrection)).one()
        assert correction.actor == user.email
        assert correction.after == {"subtopics": ["testing"], "regions": ["4601"], "urgent": False}
    assert compose_digests(ctx, "daily") == 2
    with Session(ctx.engine) as session:
        sent = {
            d.to_address: message_of(session, d, attach(ctx).mail_links).text
            for d in session.exec(select(Delivery))
        }
    assert set(sent) == {"testing@kommune.no", "begge@kommune.no"}
    # the one who follows both finds it under Testing now, not under Vaksinasjon
    assert "Testing" in sent["begge@kommune.no"] and "Vaksinasjon" not in sent["begge@kommune.no"]
    # the same labels again: nothing changes and nothing is recorded
    page = (await client.get(f"/staff/endringer/{change_id}")).text
    same = await client.post(action, data=form_data(page, action))
    assert same.headers["location"].endswith("?ok=unchanged")
    assert len(audit_events(ctx)) == 1
    # labels it does not know are refused in words
    for bad in ({"add_region": "9999"}, {"subtopic_finnes_ikke": "1"}):
        answer = await client.post(action, data={"csrf_token": csrf, **bad})
        assert answer.status_code == 400
    assert (
        NB["err_region_unknown"]
        in (await client.post(action, data={"csrf_token": csrf, "add_region": "9999"})).text
    )
    assert change_of(ctx, change_id).regions == ["4601"]


async def test_mark_and_unmark_urgent(ctx: Context, client: httpx.AsyncClient) -> None:
    subscribe(ctx, "lege@kommune.no", ["forskrifter_regelverk"], "weekly")
    change_id = add_change(ctx, "Endret forskrift", subtopics=["forskrifter_regelverk"],
                           status="held", held_reason="most_replaced")  # fmt: skip
    user, _ = await login(client, ctx)
    action = f"/staff/endringer/{change_id}/haster"
    page = (await client.get(f"/staff/endringer/{change_id}")).text
    assert (await client.post(action, data={"urgent": "ja"})).status_code == 403
    done = await client.post(action, data=form_data(page, action))
    assert done.headers["location"].endswith("?ok=urgent")
    assert change_of(ctx, change_id).urgent is True
    page = (await client.get(f"/staff/endringer/{change_id}")).text
    assert NB["unmark_urgent"] in page and NB["urgent_is"] in page
    # an urgent change reaches a weekly subscriber at once, once approved
    approve = f"/staff/endringer/{change_id}/godkjenn"
    await client.post(approve, data=form_data(page, approve))
    assert dispatch(ctx) == 0  # the approval dispatched it at once
    page = (await client.get(f"/staff/endringer/{change_id}")).text
    done = await client.post(action, data=form_data(page, action))
    assert done.headers["location"].endswith("?ok=not_urgent")
    assert change_of(ctx, change_id).urgent is False
    assert [a for a, _, _ in audit_events(ctx)] == [
        "change.retag", "change.approve", "change.retag",
    ]  # fmt: skip
    assert all(actor == user.email for _, actor, _ in audit_events(ctx))


async def test_an_admin_may_review_too(ctx: Context, client: httpx.AsyncClient) -> None:
    change_id = add_change(ctx, "Holdt", status="held", held_reason="most_replaced")
    user, _ = await login(client, ctx, role="admin")
    page = (await client.get("/staff/gjennomgang")).text
    action = f"/staff/endringer/{change_id}/godkjenn"
    assert (await client.post(action, data=form_data(page, action))).status_code == 303
    assert audit_events(ctx) == [("change.approve", user.email, str(change_id))]


async def test_the_detail_page_is_complete_in_nynorsk(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    change_id = add_change(ctx, "Halden", status="held", held_reason="after_outage",
                           kind="changed", diff=DIFF)  # fmt: skip
    await login(client, ctx)
    page = (await client.get(f"/staff/endringer/{change_id}", params={"lang": "nn"})).text
    for key in ("diff_heading", "reasons_heading", "reach_heading", "approve_heading",
                "suppress_heading", "edit_heading", "retag_heading", "urgent_heading"):  # fmt: skip
        assert NN[key] in page, key
    assert "Første endring etter at kjelda lenge var nede" in page
    assert "Endring (<del>fjerna</del> <ins>nytt</ins>):" in page
    _ = UTC  # the clock is UTC; pages show Oslo time
