"""`load.sql` in the DuckDB CLI, old and new, and the built database in an older DuckDB.

The CLIs are the `duckdb-cli` wheels from PyPI. Name them in HISTPACK_DUCKDB_CLI (paths joined
by `:`; `.ci/run` installs 1.4.4 and 1.5.6); a `duckdb` on PATH is used too. Without any, these
tests skip, unless HISTPACK_REQUIRE_TOOLS=1 (as in CI), where a missing tool fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import duckdb
import pytest

from histpack.outputs.loadsql import render
from histpack.model.views import VIEWS
from conftest import REPO



def duckdb_clis() -> list[str]:
    paths = [p for p in os.environ.get("HISTPACK_DUCKDB_CLI", "").split(os.pathsep) if p]
    if shutil.which("duckdb"):
        paths.append(shutil.which("duckdb"))
    return list(dict.fromkeys(paths))


def cli_version(cli: str) -> str:
    out = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout
    return re.search(r"v(\d+\.\d+\.\d+)", out).group(1)


def require_clis() -> list[str]:
    clis = duckdb_clis()
    if not clis:
        if os.environ.get("HISTPACK_REQUIRE_TOOLS"):
            pytest.fail("HISTPACK_REQUIRE_TOOLS is set but no DuckDB CLI was found (HISTPACK_DUCKDB_CLI, PATH)")
        pytest.skip("no DuckDB CLI: `pip install duckdb-cli` and set HISTPACK_DUCKDB_CLI")
    return clis


def shape(con: duckdb.DuckDBPyConnection) -> dict:
    """What a user sees of a database: columns with types and NULL-ability, keys, comments, view rows."""
    columns = con.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY ALL").fetchall()
    comments = con.execute("SELECT table_name, comment FROM duckdb_tables() ORDER BY 1").fetchall()
    comments += con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()
    column_comments = con.execute("SELECT table_name, column_name, comment FROM duckdb_columns() ORDER BY ALL").fetchall()
    primary = con.execute("SELECT table_name, constraint_column_names FROM duckdb_constraints() "
                          "WHERE constraint_type = 'PRIMARY KEY' ORDER BY 1").fetchall()
    counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
              for (t,) in con.execute("SELECT table_name FROM information_schema.tables "
                                      "WHERE table_schema = 'main'").fetchall()}
    return {"columns": columns, "comments": comments, "column_comments": column_comments, "primary": primary,
            "counts": counts}


def foreign_keys(con: duckdb.DuckDBPyConnection) -> set[tuple]:
    return {(t, tuple(c)) for t, c in con.execute(
        "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
        "WHERE constraint_type = 'FOREIGN KEY'").fetchall()}


def test_committed_load_sql_is_the_generated_one():
    assert (REPO / "load.sql").read_text(encoding="utf-8") == render(REPO), "load.sql is stale: run `histpack build`"


@pytest.fixture(scope="module")
def from_python(tmp_path_factory):
    """load.sql run by the DuckDB Python client from the package folder, as any client would."""
    path = tmp_path_factory.mktemp("sql") / "python.duckdb"
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        con = duckdb.connect(str(path))
        con.execute((REPO / "load.sql").read_text(encoding="utf-8"))
        con.close()
    finally:
        os.chdir(cwd)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_load_sql_builds_the_database_histpack_load_builds(from_python, db):
    """Same tables, columns, types (ENUMs too), NOT NULL, primary keys, comments, views and rows."""
    assert shape(from_python) == shape(db)
    # DuckDB declares a key only to a table created before; load.sql orders tables to declare as many.
    assert len(foreign_keys(from_python)) >= len(foreign_keys(db))
    assert {name for (name,) in from_python.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()} == set(VIEWS)


def test_load_sql_names_each_foreign_key_it_cannot_declare(from_python):
    sql = (REPO / "load.sql").read_text(encoding="utf-8")
    undeclared = re.findall(r"^--   (\w+)\.(\w+) → ", sql, flags=re.M)
    declared = foreign_keys(from_python)
    for table, column in undeclared:
        assert (table, (column,)) not in declared
    import json
    total = sum(len(json.loads((REPO / f"schemas/{t}.json").read_text(encoding="utf-8")).get("foreignKeys", []))
                for t in {p.stem for p in (REPO / "schemas").glob("*.json")})
    assert len(declared) + len(undeclared) == total


def test_load_sql_in_the_duckdb_cli_old_and_new(tmp_path, from_python):
    for cli in require_clis():
        target = tmp_path / f"cli-{cli_version(cli)}.duckdb"
        with open(REPO / "load.sql", "rb") as sql:
            result = subprocess.run([cli, str(target)], stdin=sql, cwd=REPO, capture_output=True, text=True)
        assert result.returncode == 0 and not result.stderr, f"{cli}: {result.stderr}"
        con = duckdb.connect(str(target), read_only=True)
        try:
            assert shape(con) == shape(from_python), cli
            assert foreign_keys(con) == foreign_keys(from_python), cli
        finally:
            con.close()


def test_older_duckdb_opens_the_built_database(package_database, db):
    """The file `histpack build` writes is readable by every CLI we have, the oldest included."""
    path = package_database
    expected = db.execute("SELECT count(*) FROM quote_context").fetchone()[0]
    for cli in require_clis():
        result = subprocess.run([cli, "-readonly", "-csv", "-noheader", str(path), "-c",
                                 "SELECT count(*) FROM quote_context"], capture_output=True, text=True)
        assert result.returncode == 0, f"DuckDB {cli_version(cli)} cannot read it: {result.stderr}"
        assert int(result.stdout.strip()) == expected
