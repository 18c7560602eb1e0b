"""What a check worker loads: Alembic only when the schema needs a migration, BeautifulSoup only
for markup libxml2 refuses (bench.scale's worker RSS, docs/benchmarks.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from notifier.db import MIGRATIONS, at_heads, make_engine, script_heads, upgrade


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    ).stdout
    return set(out.split())


def test_the_scripts_heads_are_read_as_alembic_reads_them() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert script_heads() == frozenset(ScriptDirectory.from_config(config).get_heads())


def test_a_script_that_does_not_state_its_revisions_plainly_leaves_it_to_alembic(
    tmp_path: Path,
) -> None:
    (tmp_path / "0001_a.py").write_text('revision = "a"\ndown_revision = None\ndepends_on = None\n')
    assert script_heads(tmp_path) == {"a"}
    (tmp_path / "0002_b.py").write_text('revision = "b"\ndown_revision = "a"\ndepends_on = "x"\n')
    assert script_heads(tmp_path) is None


def test_a_schema_at_its_heads_is_not_migrated_and_alembic_is_not_loaded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    engine = make_engine(url)
    assert not at_heads(engine)  # no alembic_version table yet
    upgrade(engine)
    assert at_heads(engine)
    engine.dispose()
    loaded = _modules_after(
        f"from notifier.db import make_engine, upgrade\nupgrade(make_engine({url!r}))"
    )
    assert "alembic" not in loaded and "mako" not in loaded


def test_beautifulsoup_is_loaded_only_for_markup_libxml2_refuses() -> None:
    assert "bs4" not in _modules_after("import feeds.read.html, feeds.check")
    loaded = _modules_after(
        "from feeds.read.html import _parse_html\n"
        "assert _parse_html('<!-- only a comment -->', plain=True) is not None"
    )
    assert "bs4" in loaded
