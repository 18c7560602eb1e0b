"""The layering rule of the design: feeds/ and subscribers/ never import notifier/, nor each
other. Checked on the source of every module, so a new module cannot slip past it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"feeds": {"notifier", "subscribers"}, "subscribers": {"notifier", "feeds"}}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "module",
    sorted(p.relative_to(ROOT) for package in FORBIDDEN for p in (ROOT / package).rglob("*.py")),
    ids=str,
)
def test_layers_do_not_import_upwards_or_sideways(module: Path) -> None:
    package = module.parts[0]
    assert not imported_packages(ROOT / module) & FORBIDDEN[package]
