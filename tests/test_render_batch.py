"""Rendering each distinct form once gives, byte for byte, what rendering every message alone
gives: names (escaped in HTML), personal links and headers put in per recipient."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from notifier.context import Context
from notifier.plan import candidate_changes, plan
from notifier.render_batch import FormRenderer, form_key
from notifier.web.links import attach
from subscribers.models import Subscriber
from tests.conftest import Clock
from tests.test_plan import add_change, subscribe

NAMES = ["", "Kari Nordmann", 'Ola <b>&amp;</b> "Ås" O\'Neil', "Åse Øye-Ærø"]


def test_one_rendering_per_form_is_the_same_as_one_per_message(ctx: Context, clock: Clock) -> None:
    for n in range(16):
        email = f"lege{n}@k.no"
        subscribe(ctx, email, ["vaksinasjon", "testing"] if n % 3 else ["testing"], "daily")
        with Session(ctx.engine) as session:
            sub = session.exec(select(Subscriber).where(Subscriber.email == email)).one()
            sub.name = NAMES[n % len(NAMES)]
            sub.language = "nn" if n % 2 else "nb"
            sub.token_version = n % 3
            session.add(sub)
            session.commit()
    add_change(ctx, "Ny vaksine <til> alle & «andre»", ["vaksinasjon"])
    add_change(ctx, "Testing endres", ["testing"])
    clock.advance(hours=1)
    now = clock()
    links = attach(ctx)
    with Session(ctx.engine) as session:
        digests = plan(ctx, session, "daily", now, candidate_changes(session, "daily", now))
        late = plan(ctx, session, "daily", now, candidate_changes(session, "daily", now))
        versions = {s.id: s.token_version for s in session.exec(select(Subscriber))}
    late = [d.__class__(**{**d.__dict__, "late_since": now - timedelta(hours=3)}) for d in late]
    assert len(digests) == 16
    forms = FormRenderer(ctx.renderer, now, links.mail_links)
    forms.versions.update({k: v for k, v in versions.items() if k is not None})
    for digest in [*digests, *late]:
        assert forms.render(digest) == ctx.renderer.render(digest, now)
    # layouts x languages x with or without a name, on time and late: far fewer than messages
    assert forms.rendered == len({form_key(d) for d in [*digests, *late]}) < 32
    # a nynorsk reader's links open nynorsk pages: preferences, unsubscribe and the front page
    for digest in digests:
        message = forms.render(digest)
        nynorsk = digest.recipient.language == "nn"
        headers = dict(message.headers)
        assert ("?lang=nn" in headers["List-Unsubscribe"]) is nynorsk
        assert (f"{ctx.settings.base_url}/?lang=nn" in message.text) is nynorsk
        assert (f'href="{ctx.settings.base_url}/?lang=nn"' in message.html) is nynorsk
        assert message.text.count("?lang=nn") == (3 if nynorsk else 0)
