"""The subscriber pages over HTTP, without a browser: structure that WCAG 2.1 AA needs (lang,
labels, legends, error summary), both languages complete, and no state change on GET."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from lxml import html as lxml_html
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from notifier.cli import app as cli_app
from notifier.context import Context
from notifier.web import create_app
from notifier.web.texts import NB, NN
from subscribers.models import RateEvent, Subscriber


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(ctx))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def assert_accessible_form(page: str) -> None:
    """Every control has a <label for> (or is hidden), every fieldset a legend, ids unique."""
    tree = lxml_html.fromstring(page)
    assert tree.get("lang") in ("nb", "nn")
    assert tree.findtext(".//title")
    labels = {label.get("for") for label in tree.iter("label")}
    for control in tree.xpath("//input[not(@type='hidden')] | //select | //textarea"):
        assert control.get("id") in labels, f"no label for {lxml_html.tostring(control)[:80]!r}"
    for fieldset in tree.iter("fieldset"):
        assert fieldset.find("legend") is not None
    ids = [e.get("id") for e in tree.xpath("//*[@id]")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert len(tree.xpath("//h1")) == 1


async def test_subscribe_page_is_labelled_grouped_and_lists_every_place(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    page = (await client.get("/abonner")).text
    assert_accessible_form(page)
    tree = lxml_html.fromstring(page)
    regions = tree.xpath("//select[@id='region']//option/@value")
    assert "1103" in regions and "11" in regions and "" in regions
    assert len(regions) == 1 + len(ctx.gazetteer.counties()) + len(ctx.gazetteer.municipalities())
    offices = tree.xpath("//select[@id='office']//option/@value")
    assert "rogaland" in offices
    legends = [legend.text_content() for legend in tree.iter("legend")]
    for sub in ctx.taxonomy.subtopics:
        assert sub.label_nb in page and sub.description_nb in page
        assert ctx.taxonomy.group_label(sub.group, "nb") in legends


async def test_nynorsk_pages_have_every_text(ctx: Context, client: httpx.AsyncClient) -> None:
    assert NB.keys() == NN.keys()
    page = (await client.get("/abonner?lang=nn")).text
    assert_accessible_form(page)
    for sub in ctx.taxonomy.subtopics:
        assert sub.label_nn in page
    assert NN["subscribe_intro"] in page and NB["subscribe_intro"] not in page


async def test_error_page_keeps_input_and_links_to_fields(client: httpx.AsyncClient) -> None:
    form = await client.get("/abonner")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token is not None
    data = {"csrf": token.group(1), "email": "x", "role": "statsforvalter", "name": "Kari",
            "cadence_vaksinasjon": "hver time"}  # fmt: skip
    page = await client.post("/abonner", data=data)
    assert page.status_code == 400
    assert_accessible_form(page.text)
    tree = lxml_html.fromstring(page.text)
    targets = tree.xpath("//div[@class='error-summary']//a/@href")
    assert set(targets) == {"#email", "#office", "#topics"}
    for target in targets:
        assert tree.xpath(f"//*[@id='{target[1:]}']")
    assert tree.xpath("//input[@id='name']/@value") == ["Kari"]


async def test_get_requests_change_nothing(ctx: Context, client: httpx.AsyncClient) -> None:
    for path in ("/abonner", "/bekreft/1.0.9999999999.x", "/u/1.0.9999999999.x", "/"):
        await client.get(path)
    with Session(ctx.engine) as session:
        assert session.exec(select(func.count()).select_from(Subscriber)).one() == 0
        assert session.exec(select(func.count()).select_from(RateEvent)).one() == 0


def test_web_command_documents_host_and_port() -> None:
    out = CliRunner().invoke(cli_app, ["web", "--help"]).stdout
    assert "--host" in out and "--port" in out


async def test_the_front_page_shows_whether_a_source_is_watched_never_its_errors(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    """Source health is for staff (/staff/kilder): a failing source's error text, its outcome
    words and its key never reach the public page; a disabled one is shown as not watched."""
    from feeds.store.models import Source

    with Session(ctx.engine) as session:
        session.add(
            Source(
                key="fhi-side", kind="page", url="https://www.fhi.no/side", authority="fhi",
                name="Koronaveilederen", last_outcome="error", consecutive_errors=3,
                last_error="TransientFetchError: https://www.fhi.no/side did not answer",
            )
        )  # fmt: skip
        session.add(
            Source(
                key="lovdata-av", kind="page", url="https://lovdata.no/x", authority="lovdata",
                name="Forskriften", enabled=False, last_outcome="unchanged",
            )
        )  # fmt: skip
        session.commit()
    page = await client.get("/")
    assert page.status_code == 200
    rows = [
        [" ".join(td.text_content().split()) for td in tr.xpath("td")]
        for tr in lxml_html.fromstring(page.text).xpath("//table/tbody/tr")
    ]
    assert rows == [
        ["Koronaveilederen", "Folkehelseinstituttet", "Følges"],
        ["Forskriften", "Lovdata", "Følges ikke nå"],
    ]
    body = lxml_html.fromstring(page.text).xpath("//body")[0]
    shown = body.text_content() + " ".join(body.xpath("//@href | //@title | //@aria-label"))
    for private in ("TransientFetchError", "did not answer", "error", "unchanged", "fhi-side"):
        assert private not in shown
