"""A change log row whose chapter is renamed, its link, date and description unchanged, is the
row it was and no edit (``feeds.detect.diff.match_items``, ``relabelled_only``); the rows of
snapshots stored before anchors were kept compare as they did."""

from __future__ import annotations

import time
from typing import Any

from feeds.catalogue import SourceSpec
from feeds.detect.detection import detect
from feeds.detect.diff import diff_feed, match_items
from feeds.read.changelog import changelog_feed
from feeds.store.snapshot import state_from_blob, state_from_json, state_to_blob, state_to_json
from feeds.types import FeedContent, FeedItem, FetchResult, SeenItem, SnapshotState

URL = "https://www.fhi.no/sm/vaksinasjonsveilederen/endringslogg/"
PDF = "/publ/2026/veileder.pdf"
KONTRA = ("/sm/v/kontraindikasjoner/", "Kontraindikasjoner og forsiktighetsregler", "Presisert.")
KONTRA_SHORT = ("/sm/v/kontraindikasjoner/", "Kontraindikasjoner", "Presisert.")
INFLUENSA = ("/sm/v/influensa/", "Influensavaksine", "Ny sesong.")
C7 = (PDF, "Kapittel 7", "Oppdatert.")

Row = tuple[str, str, str]  # link ('' for none), chapter, description


def spec() -> SourceSpec:
    return SourceSpec(
        key="logg", kind="changelog", url=URL, authority="fhi", name="Logg", selector="main"
    )


def html(*days: tuple[str, tuple[Row, ...]]) -> bytes:
    out = []
    for day, rows in days:
        out.append(f"<h2>{day}</h2><table><tr><th>Kapittel</th><th>Endret/nytt</th></tr>")
        for link, chapter, description in rows:
            cell = f'<a href="{link}">{chapter}</a>' if link else chapter
            out.append(f"<tr><td>{cell}</td><td>{description}</td></tr>")
        out.append("</table>")
    return f"<html><body><main>{''.join(out)}<h2>Om</h2><p>Arkiv.</p></main></body></html>".encode()


def feed(*rows: Row, day: str = "3. november 2026") -> FeedContent:
    return changelog_feed(spec(), FetchResult(URL, 200, html((day, rows))))


def remembered(content: FeedContent) -> dict[str, SeenItem]:
    """What a snapshot of this code remembers of a feed (as feeds.detect stores it)."""
    return {
        i.item_id: SeenItem(i.digest, i.title, i.summary, i.content, i.date, i.anchor, i.gist)
        for i in content.items
    }


def remembered_before_anchors(content: FeedContent) -> dict[str, SeenItem]:
    """What a snapshot of the code before anchors were kept remembers of a feed."""
    return {
        i.item_id: SeenItem(i.digest, i.title, i.summary, i.content, i.date) for i in content.items
    }


def kinds(before: FeedContent, after: FeedContent) -> list[str]:
    seen = remembered(before)
    return sorted(c.kind for c in diff_feed(seen, after, match_items(seen, after)))


# ----------------------------------------------------------------------------- the reader


def test_a_row_with_its_own_link_carries_its_anchor_and_gist() -> None:
    (long_,) = feed(KONTRA).items
    (short,) = feed(KONTRA_SHORT).items
    assert long_.item_id != short.item_id  # the identity is still date, chapter and link
    assert long_.anchor == short.anchor == "fhi.no/sm/v/kontraindikasjoner"
    assert long_.gist == short.gist != ""
    (edited,) = feed((*KONTRA_SHORT[:2], "Presisert igjen.")).items
    assert edited.gist != short.gist


def test_the_kind_of_a_row_is_part_of_its_gist() -> None:
    table = (
        "<h2>3. november 2026</h2><table><tr><th>Kapittel</th><th>Type</th><th>Endring</th>"
        '</tr><tr><td><a href="/k/">K</a></td><td>{kind}</td><td>Presisert.</td></tr></table>'
    )

    def item(kind: str) -> FeedItem:
        page = f"<html><body><main>{table.format(kind=kind)}</main></body></html>"
        (only,) = changelog_feed(spec(), FetchResult(URL, 200, page.encode())).items
        return only

    assert item("Nytt").gist != item("Endret").gist
    assert item("Endret").gist == item("Oppdatert").gist  # both read as 'Endret'


def test_a_row_without_a_link_of_its_own_has_no_anchor() -> None:
    (item,) = feed(("", "Om veilederen", "Kontaktinformasjon er oppdatert.")).items
    assert item.anchor == item.gist == ""
    assert item.link == URL


# ----------------------------------------------------------------------------- matching


def test_a_renamed_row_is_the_row_it_was_and_no_edit() -> None:
    before, after = feed(INFLUENSA, KONTRA), feed(INFLUENSA, KONTRA_SHORT)
    seen = remembered(before)
    known = match_items(seen, after)
    assert known[after.items[1].item_id] == before.items[1].item_id
    assert diff_feed(seen, after, known) == []


def test_a_renamed_and_edited_row_is_reported_as_changed() -> None:
    before = feed(INFLUENSA, KONTRA)
    after = feed(INFLUENSA, (*KONTRA_SHORT[:2], "Presisert for levende vaksiner."))
    seen = remembered(before)
    (change,) = diff_feed(seen, after, match_items(seen, after))
    assert change.kind == "changed"
    assert change.before_title == "Endret: Kontraindikasjoner og forsiktighetsregler"
    assert change.before_summary == "Presisert."


def test_a_renamed_row_with_another_kind_is_reported() -> None:
    before, after = feed(KONTRA), feed((*KONTRA_SHORT[:2], "Nytt kapittel."))
    assert kinds(before, after) == ["changed"]


def test_only_the_case_of_a_chapter_changed_is_no_edit() -> None:
    before, after = feed(KONTRA), feed((KONTRA[0], KONTRA[1].lower(), KONTRA[2]))
    assert after.items[0].item_id == before.items[0].item_id
    assert after.items[0].title != before.items[0].title
    assert kinds(before, after) == []


def test_rows_sharing_one_link_are_told_apart_by_their_description() -> None:
    a, b, c = (PDF, "Kapittel 4", "Nye råd."), (PDF, "Kapittel 5 Sykdom", "Ny tabell."), C7
    before = feed(a, b, c)
    assert kinds(before, feed(a, (PDF, "Kapittel 5 Når være hjemme", "Ny tabell."), c)) == []
    # two renamed at once
    both = feed((PDF, "Kapittel 4 Hygiene", "Nye råd."), (PDF, "Kapittel 5", "Ny tabell."), c)
    assert kinds(before, both) == []
    seen = remembered(before)
    known = match_items(seen, both)
    assert [known[i.item_id] for i in both.items] == [i.item_id for i in before.items]
    # one renamed and edited: the only row of that link and date gone, the only one new
    assert kinds(before, feed(a, (PDF, "Kapittel 5 Hjemme", "Ny tabell for barn."), c)) == [
        "changed"
    ]


def test_rows_sharing_one_link_are_never_paired_by_guess() -> None:
    """Two rows of the link and date gone and one new: which one it was is not known."""
    a, b, c = (PDF, "Kapittel 4", "Nye råd."), (PDF, "Kapittel 5", "Ny tabell."), C7
    assert kinds(feed(a, b, c), feed(a, (PDF, "Kapittel 5 Hjemme", "Ny tabell for barn."))) == [
        "new"
    ]
    # and two new for one gone
    two = feed(a, (PDF, "Kapittel 5 X", "Endret X."), (PDF, "Kapittel 5 Y", "Endret Y."), c)
    assert kinds(feed(a, b, c), two) == ["new", "new"]


def test_a_row_is_known_by_its_date_link_and_description_together() -> None:
    before = feed(KONTRA)
    # another date: a new row (the same change told again, or a row moved: news either way)
    assert kinds(before, feed(KONTRA_SHORT, day="4. november 2026")) == ["new"]
    # another link under the new name: another chapter
    assert kinds(before, feed(("/sm/v/annet/", *KONTRA_SHORT[1:]))) == ["new"]


def test_a_row_without_a_link_renamed_is_new() -> None:
    """Without a link the chapter is all the row says of where the change was."""
    before = feed(("", "Om veilederen", "Oppdatert."))
    assert kinds(before, feed(("", "Om denne veilederen", "Oppdatert."))) == ["new"]


def test_the_first_of_one_chapter_twice_on_a_date_renamed() -> None:
    """The rows of one chapter and date are keyed by their place: renaming the first moves
    the second into its key (``_match_alike``), and the first is known by its anchor."""
    second = (KONTRA[0], KONTRA[1], "Lagt til tabell.")
    before = feed(KONTRA, second)
    assert kinds(before, feed(KONTRA_SHORT, second)) == []
    assert kinds(before, feed(second, KONTRA_SHORT)) == []


def test_a_renamed_row_takes_only_a_remembered_row_no_other_row_is() -> None:
    """The old row still on the page keeps its own remembered row; the renamed copy of it
    is a row of its own (with another chapter, so not a row printed twice)."""
    assert kinds(feed(KONTRA), feed(KONTRA, KONTRA_SHORT)) == ["new"]


def test_rows_alike_by_the_thousand_match_in_linear_time() -> None:
    n = 4000
    before = feed(*((PDF, f"Kapittel {i}", "Oppdatert.") for i in range(n)))
    after = feed(*((PDF, f"Kapittel {i} (ny)", "Oppdatert.") for i in range(n)))
    seen = remembered(before)
    start = time.perf_counter()
    known = match_items(seen, after)
    assert time.perf_counter() - start < 2.0
    # MAX_ITEMS rows kept: each renamed row took one remembered row, in order
    assert list(known.values()) == [i.item_id for i in before.items]


# ----------------------------------------------------------------------------- snapshots


def detected(before: bytes, after: bytes, state: SnapshotState | None = None) -> list[str]:
    if state is None:
        state = detect(spec(), FetchResult(URL, 200, before), None).state
        assert state is not None
        state = state_from_blob(state_to_blob(state))
    detection = detect(spec(), FetchResult(URL, 200, after), state)
    return sorted(c.kind for c in detection.changes)


def old_state(page: bytes) -> SnapshotState:
    """The state the code before anchors stored for a page, read back from its JSON."""
    content = changelog_feed(spec(), FetchResult(URL, 200, page))
    data = {
        "version": 5,
        "kind": "changelog",
        "body_hash": "x",
        "content_digest": "y",
        "seen": {
            k: [v.digest, v.title, v.summary, v.content, v.published]
            for k, v in remembered_before_anchors(content).items()
        },
    }
    return state_from_json(data)


def test_a_snapshot_stored_before_anchors_compares_as_it_did() -> None:
    before = html(("3. november 2026", (INFLUENSA, KONTRA)))
    renamed = html(("3. november 2026", (INFLUENSA, KONTRA_SHORT)))
    edited = html(("3. november 2026", (INFLUENSA, (*KONTRA[:2], "Presisert igjen."))))
    state = old_state(before)
    assert all(not v.anchor and not v.gist for v in state.seen.values())
    assert detected(b"", before, state) == []
    assert detected(b"", renamed, state) == ["new"]  # as before: the row is not known
    assert detected(b"", edited, state) == ["changed"]
    # the state stored after the old one knows its rows' anchors: the next rename is none
    stored = detect(spec(), FetchResult(URL, 200, before), state).state
    assert stored is not None and all(v.anchor for v in stored.seen.values())
    assert detected(b"", renamed, state_from_blob(state_to_blob(stored))) == []


def test_the_page_through_detect_and_the_stored_state() -> None:
    before = html(("3. november 2026", (INFLUENSA, KONTRA)))
    renamed = html(("3. november 2026", (INFLUENSA, KONTRA_SHORT)))
    assert detected(before, renamed) == []
    state = detect(spec(), FetchResult(URL, 200, before), None).state
    assert state is not None
    detection = detect(spec(), FetchResult(URL, 200, renamed), state)
    assert detection.refresh and "1 row(s) relabelled" in detection.note
    assert detection.state is not None
    # the new label is stored: the next check of the page finds nothing, nor a rename back
    again = state_from_blob(state_to_blob(detection.state))
    assert detected(b"", renamed, again) == []
    assert detected(b"", before, again) == []


def test_a_tombstone_keeps_its_anchor_and_gist() -> None:
    """A row gone for a check and back under another label is the row it was."""
    both = html(("3. november 2026", (INFLUENSA, KONTRA)))
    one = html(("3. november 2026", (INFLUENSA,)))
    back = html(("3. november 2026", (INFLUENSA, KONTRA_SHORT)))
    state = detect(spec(), FetchResult(URL, 200, both), None).state
    assert state is not None
    gone = detect(spec(), FetchResult(URL, 200, one), state).state
    assert gone is not None
    stored = state_from_blob(state_to_blob(gone))
    (tombstone,) = [v for v in stored.seen.values() if not v.title]
    assert tombstone.anchor and tombstone.gist and tombstone.published
    assert detected(b"", back, stored) == []


def test_the_stored_form_keeps_anchors_and_reads_every_older_form() -> None:
    item = SeenItem("d", "Endret: K", "Presisert.", "", "2026-11-03T00:00", "fhi.no/k", "g")
    tomb = SeenItem("d2", published="2026-11-03T00:00", anchor="fhi.no/k", gist="g2")
    state = SnapshotState("changelog", "b", "c", seen={"a": item, "b": tomb, "c": SeenItem("e")})
    data = state_to_json(state)
    assert data["seen"]["c"] == ["e", "", ""]  # as stored before: three at least
    assert state_from_json(data).seen == state.seen
    assert state_from_blob(state_to_blob(state)).seen == state.seen
    old: dict[str, Any] = {"kind": "feed", "body_hash": "b", "content_digest": "c"}
    old["seen"] = {"x": ["d", "T", "S"], "y": ["d", "T", "S", "C"], "z": ["d", "", "", "", "p"]}
    read = state_from_json(old).seen
    assert read["x"] == SeenItem("d", "T", "S")
    assert read["y"] == SeenItem("d", "T", "S", "C")
    assert read["z"] == SeenItem("d", published="p")
