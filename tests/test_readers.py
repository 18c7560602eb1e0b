"""The one table of source kinds (``feeds.read.READERS``): every kind the catalogue admits has
exactly one reader, and no other module decides anything by comparing a source's kind."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from feeds.catalogue import KINDS, SourceSpec
from feeds.read import READERS, ItemReader, PageReader, reader_for
from notifier.web.texts_sources import TEXTS

ROOT = Path(__file__).resolve().parent.parent


def test_every_kind_of_the_catalogue_has_exactly_one_reader() -> None:
    assert set(READERS) == set(KINDS)
    for kind, reader in READERS.items():
        assert reader.kind == kind
        assert isinstance(reader, ItemReader) != isinstance(reader, PageReader), kind
    # one reader object and one reader class per kind: a kind is not served twice
    assert len({type(r) for r in READERS.values()}) == len(READERS)


@pytest.mark.parametrize("kind", sorted(READERS))
def test_every_kind_has_its_name_in_the_console(kind: str) -> None:
    for lang, texts in TEXTS.items():
        assert texts.get(f"kind_{kind}"), (kind, lang)


def spec(kind: str, follow_pdfs: bool = False) -> SourceSpec:
    return SourceSpec(
        key="s", kind=kind, url="https://x.no/", authority="fhi", name="S",
        link_pattern="x", follow_pdfs=follow_pdfs,
    )  # fmt: skip


def test_what_each_reader_asks_of_a_check() -> None:
    """Linked parts: a document's chapters always, a page's PDFs with follow_pdfs; the
    watched URL conditionally, but for a page read whole for its attachments."""
    follows = {k: reader_for(spec(k)).follows_links(spec(k)) for k in READERS}
    assert follows == {k: k == "document" for k in READERS}
    assert reader_for(spec("page", True)).follows_links(spec("page", True))
    assert not reader_for(spec("page", True)).conditional(spec("page", True))
    assert all(reader_for(spec(k)).conditional(spec(k)) for k in READERS)
    assert reader_for(spec("document", True)).conditional(spec("document", True))
    assert {k for k, r in READERS.items() if r.link_rule} == {"document", "listing"}
    assert {k for k, r in READERS.items() if r.allows_follow_pdfs} == {"page", "document"}
    assert {k for k, r in READERS.items() if isinstance(r, ItemReader)} == {
        "feed", "listing", "changelog"
    }  # fmt: skip


def _kind_tests(path: Path) -> list[int]:
    """Lines where a kind is compared with a source kind's name (``spec.kind == "page"``,
    ``kind in ("feed", "listing")``)."""

    def is_kind(node: ast.expr) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "kind") or (
            isinstance(node, ast.Name) and node.id == "kind"
        )

    def names_a_kind(node: ast.expr) -> bool:
        if isinstance(node, ast.Constant):
            return node.value in READERS
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return any(names_a_kind(e) for e in node.elts)
        return False

    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(is_kind(s) for s in sides) and any(names_a_kind(s) for s in sides):
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    "module",
    sorted(
        p.relative_to(ROOT)
        for package in ("feeds", "notifier", "subscribers", "bench")
        for p in (ROOT / package).rglob("*.py")
    ),
    ids=str,
)
def test_no_module_decides_by_the_kind_of_a_source(module: Path) -> None:
    """What differs between kinds is declared by their readers (``feeds.read.reader``) and
    asked of them; a ``kind ==`` test elsewhere is a second table that drifts."""
    assert _kind_tests(ROOT / module) == []


def test_the_structural_test_finds_kind_tests(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text(
        'if spec.kind == "document": pass\nif kind in ("feed", "listing"): pass\n'
        'if k != "page": pass\nif change.kind == "new": pass\n',
        encoding="utf-8",
    )
    assert _kind_tests(sample) == [1, 2]
