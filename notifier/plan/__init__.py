"""Deciding who gets what: immediate alerts (dispatch) and digests (plan, compose).

Recipients are written to the outbox in the transaction that decides them; a large dispatch
is written in batches of short transactions, each safe to resume (a message's key is unique,
and a change is planned again only for whom it has not reached), and the changes are marked
dispatched after the last batch. Sending later only reads the outbox.

The modules, in the order the data flows (each imports only those above it):

- ``changes``: the changes recent enough for a cadence, and their views for a message
- ``match``: region maps, the match index (a range of subscriber ids at a time), who wants what
- ``stories``: one story reaches a recipient once when it says the same
- ``compose``: the recipients' rows and one ``Digest`` each, a chunk of recipients at a time
- ``planner``: ``plan`` and ``plan_chunks``, the one planner for sending and previewing
- ``bulk``: bulk inserts (COPY on PostgreSQL, the driver's executemany on SQLite)
- ``write``: rendering and writing a batch of messages to the outbox
- ``batches``: a plan written in short, resumable transactions
- ``alerts``: ``dispatch`` (immediate alerts, e-mail and push)
- ``digests``: ``compose_due`` (the digest clock), ``compose_digests``, ``preview``

Names starting with an underscore are the package's own (used between its modules). A tunable
(``match.MATCH_RANGE``, ``planner.PLAN_CHUNK``) or the bulk insert (``bulk.insert_rows``) is
read where it is defined: patch it there, not here.
"""

from __future__ import annotations

from notifier.plan.alerts import dispatch, push_alerts
from notifier.plan.batches import _gc_frozen, store_in_batches, store_planned
from notifier.plan.changes import LOOKBACK, candidate_changes, change_views
from notifier.plan.digests import DueReport, compose_digests, compose_due, preview
from notifier.plan.match import EMAIL_OFF, build_index, county_map, email_off, office_map
from notifier.plan.planner import plan, plan_chunks
from notifier.plan.stories import one_per_story
from notifier.plan.write import store

__all__ = [
    "EMAIL_OFF",
    "LOOKBACK",
    "DueReport",
    "_gc_frozen",
    "build_index",
    "candidate_changes",
    "change_views",
    "compose_digests",
    "compose_due",
    "county_map",
    "dispatch",
    "email_off",
    "office_map",
    "one_per_story",
    "plan",
    "plan_chunks",
    "preview",
    "push_alerts",
    "store",
    "store_in_batches",
    "store_planned",
]
