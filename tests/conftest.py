"""Shared fixtures: a throw-away copy of the project that tests may break, and a CLI runner on it.

Tests never touch the repository's own files: every bad input is written into a copy under
`tmp_path`, and the command runs with that copy as its working directory.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
PROJECT_DIRS = ("sources", "annotations", "data", "schemas")
PROJECT_FILES = ("pyproject.toml", "datapackage.json", "histpack.yaml")


def copy_project(target: Path) -> Path:
    """The inputs and the committed outputs of the project, copied to `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_DIRS:
        shutil.copytree(REPO / name, target / name)
    for name in PROJECT_FILES:
        shutil.copy2(REPO / name, target / name)
    return target


def outputs(root: Path) -> dict[str, str]:
    """sha256 of every generated file (data/, schemas/, datapackage.json); None for a missing one."""
    paths = [root / "datapackage.json", *sorted((root / "data").glob("*")), *sorted((root / "schemas").glob("*"))]
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None
            for p in paths}


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


@pytest.fixture(scope="session", autouse=True)
def session_cache(tmp_path_factory):
    """Session fixtures (a site built once, a shared database) cache there too: autouse runs first."""
    patch = pytest.MonkeyPatch()
    patch.setenv("HISTPACK_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "histpack-cache"))
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def histpack_cache(tmp_path_factory, monkeypatch) -> Path:
    """Databases `histpack query` caches go to one folder per test session, never to ~/.cache."""
    folder = tmp_path_factory.getbasetemp() / "histpack-cache"
    monkeypatch.setenv("HISTPACK_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture
def cli(monkeypatch):
    """Run `histpack ARGS…` in-process with `cwd` as the working directory."""

    def run(cwd: Path, *args: str) -> Run:
        from histpack.cli.app import app

        monkeypatch.chdir(cwd)
        monkeypatch.delenv("HISTPACK_DEBUG", raising=False)
        result = CliRunner().invoke(app, list(args))
        return Run(result.exit_code, result.stdout, result.stderr, result.exception)

    return run


@pytest.fixture(scope="session")
def canonical():
    """The canonical text of the essay, built once per session."""
    from histpack.project.layout import Project
    from histpack.text.sources import load_sources

    canonicals, _, _ = load_sources(Project(REPO))
    return canonicals["thom-2015-ewjus"]


@pytest.fixture(scope="session")
def package_database(tmp_path_factory) -> Path:
    """The committed package loaded into DuckDB once per session; tests open it read-only."""
    from histpack.db.loader import load_package

    return load_package(REPO, tmp_path_factory.mktemp("db") / "package.duckdb")


@pytest.fixture(scope="session")
def db(package_database):
    """A read-only DuckDB connection to the committed package."""
    import duckdb

    con = duckdb.connect(str(package_database), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def resolved_project():
    """The committed project's annotations resolved against the essay, once per session (rows are frozen)."""
    from histpack.annotate.project import resolve_project
    from histpack.project.layout import Project

    return resolve_project(Project(REPO))


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must occur) by `new`, once, keeping the file's bytes otherwise."""
    text = path.read_bytes().decode("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_bytes(text.replace(old, new, 1).encode("utf-8"))


def one(db, sql: str, *params):
    """The first row of a query on the built package's database."""
    return db.execute(sql, list(params)).fetchone()
