"""A plain (not editable) install works: the wheel carries the templates, the catalogue, the
taxonomy, the model and the migrations, and the installed command runs from anywhere.

The wheel is built from a copy of the sources (nothing is written into the repository) without
build isolation, and installed into a fresh virtual environment that borrows this one's
dependencies through a .pth file, so nothing is downloaded. About 35 s; deselect with
``-m "not packaging"``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "feeds", "subscribers", "notifier", "templates")
pytestmark = pytest.mark.packaging


def run(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    ran = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert ran.returncode == 0, f"{args}: {ran.stdout}\n{ran.stderr}"
    return ran


def environment() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFIER_", "PYTHON"))}
    return keep | {"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "labelled")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    dist = tmp_path_factory.mktemp("dist")
    run(
        sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
        "--no-index", "--wheel-dir", dist, src, cwd=dist, env=environment(),
    )  # fmt: skip
    (built,) = dist.glob("notifier-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh virtual environment with the wheel installed; its other packages are this
    environment's (a .pth file), so no network is needed."""
    home = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", "--without-pip", home, cwd=home, env=environment())
    python = home / "bin" / "python"
    purelib = run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        cwd=home, env=environment(),
    ).stdout.strip()  # fmt: skip
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "borrowed-dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    run(
        python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel,
        cwd=home, env=environment(),
    )  # fmt: skip
    yield home


def test_the_wheel_carries_every_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        str(p.relative_to(ROOT))
        for folder in ("templates", "feeds/data", "feeds/classify/data", "notifier/migrations")
        for p in (ROOT / folder).rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        # the labelled data and the outside set are for building and measuring the model
        and not {"labelled", "outside"} & set(p.parts)
    }
    assert expected <= names, sorted(expected - names)
    assert "feeds/data/sources.toml" in names and "templates/web/base.html" in names


def test_the_installed_command_runs_from_another_folder(venv: Path, tmp_path: Path) -> None:
    env = environment() | {
        "NOTIFIER_DATABASE_URL": f"sqlite:///{tmp_path / 'installed.db'}",
        "NOTIFIER_DATA_DIR": str(tmp_path / "var"),
    }
    command = venv / "bin" / "notifier"
    helped = run(command, "--help", cwd=tmp_path, env=env)
    assert "doctor" in helped.stdout and "Traceback" not in helped.stderr
    upgraded = run(command, "db", "upgrade", cwd=tmp_path, env=env)
    assert "database is up to date" in upgraded.stdout
    assert (tmp_path / "installed.db").stat().st_size > 0
    # the code, the templates and the catalogue come from the installed copy, not from here
    where = run(
        venv / "bin" / "python", "-c",
        "import notifier, feeds.catalogue as c, notifier.render as r; "
        "r.make_environment().get_template('web/base.html'); "
        "print(notifier.__file__); print(len(c.load_catalogue()))",
        cwd=tmp_path, env=env,
    ).stdout.split()  # fmt: skip
    assert where[0].startswith(str(venv)) and int(where[1]) > 10
