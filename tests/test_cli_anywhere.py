"""The CLI outside the repository (`--package`, $HISTPACK_PACKAGE), DuckDB's hints, compare's
errors, flags and `--version`."""

from __future__ import annotations

from pathlib import Path
import re

import pytest
from typer.testing import CliRunner

from histpack.cli.app import PACKAGE_ENV, app
from conftest import REPO



def run(cwd: Path, monkeypatch, *args: str, env: dict | None = None):
    monkeypatch.chdir(cwd)
    monkeypatch.delenv(PACKAGE_ENV, raising=False)
    return CliRunner().invoke(app, list(args), env=env)


COMMANDS = [
    ["validate"],
    ["query", "select count(*) as n from regimes", "--format", "csv"],
    ["describe", "events", "--format", "csv"],
    ["cite", "--format", "bibtex"],
    ["codebook", "--check"],
    ["compare", "ussr", "prc", "--dimension", "collectivization"],
    ["coverage", "--no-list", "--section", "abstract"],
    ["load"], ["export", "--out", "x"], ["timeline", "--out", "t.svg"], ["build", "--no-db"], ["site", "--out", "s"],
    ["recover"], ["release"], ["diff", "old.zip"], ["verify-text", "thom-2015-ewjus", "thom.txt"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_outside_the_project_every_command_says_how_to_name_the_package(tmp_path, monkeypatch, args):
    from typer.main import get_command

    assert {a[0] for a in COMMANDS} == set(get_command(app).commands)  # no command left out
    result = run(tmp_path, monkeypatch, *args)
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1, result.stderr
    assert "--package" in result.stderr and PACKAGE_ENV in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", COMMANDS[:7], ids=lambda a: a[0])
def test_every_command_finds_the_package_from_the_environment(tmp_path, monkeypatch, args):
    result = run(tmp_path, monkeypatch, *args, env={PACKAGE_ENV: str(REPO)})
    assert result.exit_code == 0, result.output


def test_the_option_wins_over_the_environment(tmp_path, monkeypatch):
    by_option = run(tmp_path, monkeypatch, "cite", "--package", str(REPO), env={PACKAGE_ENV: str(tmp_path)})
    assert by_option.exit_code == 0 and by_option.stdout.startswith("histpack contributors. (")


def test_files_are_written_where_asked_from_outside(tmp_path, monkeypatch):
    env = {PACKAGE_ENV: str(REPO)}
    assert run(tmp_path, monkeypatch, "export", "--format", "csv", "--out", "csv", env=env).exit_code == 0
    assert (tmp_path / "csv/timeline.csv").is_file()
    assert run(tmp_path, monkeypatch, "timeline", "--out", "t.svg", env=env).exit_code == 0
    assert (tmp_path / "t.svg").read_bytes().startswith(b"<?xml")


def test_build_with_package_outside_the_project(project, tmp_path, monkeypatch):
    result = run(tmp_path, monkeypatch, "build", "--no-db", "--package", str(project))
    assert result.exit_code == 0, result.output
    assert (project / "load.sql").read_bytes() == (REPO / "load.sql").read_bytes()


@pytest.fixture(scope="module")
def built(package_database, tmp_path_factory) -> Path:
    """A copy of the shared database: the commands open it with their own connection settings."""
    import shutil

    return Path(shutil.copyfile(package_database, tmp_path_factory.mktemp("db") / "package.duckdb"))


@pytest.mark.parametrize("sql,hint", [
    ("select * from rhetorc", 'Did you mean "rhetoric"'),
    ("select rhetorc from rhetoric", "Candidate bindings:"),
])
def test_duckdb_hints_are_shown_in_full(monkeypatch, built, sql, hint):
    result = run(REPO, monkeypatch, "query", sql, "--db", str(built))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith("error: DuckDB: ") and hint in result.stderr
    caret = result.stderr.splitlines()[-1]
    line = next(l for l in result.stderr.splitlines() if "LINE 1:" in l)
    assert caret.strip().startswith("^") and line[caret.index("^"):].startswith("rhetorc")


def test_compare_accepts_dashes_and_names_places(monkeypatch, built):
    dashed = run(REPO, monkeypatch, "compare", "ussr", "nazi-germany", "--dimension", "burning-bridges", "--db", str(built))
    assert dashed.exit_code == 0 and "Goebbels" in dashed.stdout
    place = run(REPO, monkeypatch, "compare", "ussr", "china", "--db", str(built))
    assert place.exit_code == 1 and len(place.stderr.splitlines()) == 1
    assert "`china` is a place (in regime `prc`), not a regime" in place.stderr and "ussr" in place.stderr
    side = run(REPO, monkeypatch, "compare", "ukraine", "transcaucasia", "--db", str(built))
    assert side.exit_code == 0 and "`ukraine` is a place" in side.stdout and "17 August 1931" in side.stdout


@pytest.mark.parametrize("args,listed", [
    (["compare", "ussr", "atlantis"], ["nazi_germany", "prc", "jacobin_france", "ukraine"]),
    (["compare", "ussr", "prc", "--dimension", "outcomes"], ["outcome", "burning_bridges", "secrecy"]),
])
def test_compare_lists_the_valid_values(monkeypatch, built, args, listed):
    result = run(REPO, monkeypatch, *args, "--db", str(built))
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert all(value in result.stderr for value in listed)


def test_flags_read_as_flags_and_version_exists(monkeypatch):
    from importlib.metadata import version as installed

    def usage(*args):
        return CliRunner().invoke(app, list(args), env={"COLUMNS": "100"})

    help_text = usage("build", "--help").stdout
    assert "--no-db" in help_text and "<bool>" not in help_text and "HISTPACK_PACKAGE" in help_text
    assert "<bool>" not in usage("coverage", "--help").stdout and "--no-list" in usage("coverage", "--help").stdout
    version = usage("--version")
    assert version.exit_code == 0 and version.stdout == f"histpack {installed('histpack')}\n"
    assert re.fullmatch(r"histpack \d+\.\d+\.\d+\n", version.stdout)
