"""`histpack query` is read-only: writes, state changes, extensions and file access are refused with a
clear message, and the database file is unchanged."""

from __future__ import annotations

from pathlib import Path
import pytest

from conftest import file_hash


@pytest.fixture(scope="module")
def database(package_database, tmp_path_factory):
    """A copy of the shared database: the query tests open it with their own connection settings."""
    import shutil

    return Path(shutil.copyfile(package_database, tmp_path_factory.mktemp("db") / "thom.duckdb"))


REFUSED = [
    ("INSERT INTO persons (person_id) VALUES ('x')", "`INSERT` statements are refused"),
    ("UPDATE persons SET name = 'x'", "`UPDATE` statements are refused"),
    ("DELETE FROM persons", "`DELETE` statements are refused"),
    ("CREATE TABLE t AS SELECT 1", "`CREATE` statements are refused"),
    ("CREATE TEMP TABLE t AS SELECT 1", "`CREATE` statements are refused"),
    ("DROP TABLE persons", "`DROP` statements are refused"),
    ("ALTER TABLE persons ADD COLUMN x INT", "`ALTER` statements are refused"),
    ("COPY persons TO '{out}'", "`COPY` statements are refused"),
    ("COPY (SELECT 1) TO '{out}'", "`COPY` statements are refused"),
    ("EXPORT DATABASE '{outdir}'", "`EXPORT` statements are refused"),
    ("ATTACH '{out}.db' AS other", "`ATTACH` statements are refused"),
    ("DETACH other", "`DETACH` statements are refused"),
    ("INSTALL httpfs", "`INSTALL` statements are refused"),
    ("LOAD httpfs", "`LOAD` statements are refused"),
    ("SET threads = 1", "`SET` statements are refused"),
    ("RESET threads", "`RESET` statements are refused"),
    ("PRAGMA enable_profiling", "`PRAGMA` statements are refused"),
    ("PRAGMA disable_checkpoint_on_shutdown", "`PRAGMA` statements are refused"),
    ("CHECKPOINT", "`CHECKPOINT` statements are refused"),
    ("VACUUM", "`VACUUM` statements are refused"),
    ("BEGIN TRANSACTION", "`BEGIN` statements are refused"),
    ("CALL pragma_version()", "`CALL` statements are refused"),
    ("select 1; drop table persons", "`DROP` statements are refused"),
    ("SELECT * FROM persons; DELETE FROM persons", "`DELETE` statements are refused"),
    ("EXPLAIN ANALYZE DELETE FROM persons", "`DELETE` statements are refused"),
    # issue 20: a comment before EXPLAIN ANALYZE hid the statement it runs from a check that matched text
    ("/* */ EXPLAIN ANALYZE SET memory_limit='1TB'; CHECKPOINT; CREATE TEMP TABLE t AS SELECT 1",
     "`SET` statements are refused"),
    ("\n-- a note\nEXPLAIN ANALYZE CHECKPOINT", "`CHECKPOINT` statements are refused"),
    ("EXPLAIN /* x */ ANALYZE /* y */ (FORMAT json) CREATE TEMP TABLE t AS SELECT 1", "`CREATE` statements are refused"),
    ("/* */ SET memory_limit='1TB'", "`SET` statements are refused"),
    ("SELECT * FROM read_csv('/etc/passwd')", "reads files or the network, which is refused"),
    ("SELECT * FROM read_text('/etc/passwd')", "reads files or the network, which is refused"),
    ("SELECT * FROM glob('/*')", "reads files or the network, which is refused"),
    ("SELECT * FROM read_csv('data/persons.csv')", "reads files or the network, which is refused"),
    ("SELECT * FROM read_parquet('https://example.com/x.parquet')", "reads files or the network, which is refused"),
]


@pytest.mark.parametrize("sql, message", REFUSED, ids=[s for s, _ in REFUSED])
def test_writes_and_file_access_are_refused(sql, message, database, cli, tmp_path):
    out = tmp_path / "leak.csv"
    sql = sql.format(out=out, outdir=tmp_path / "export")
    before = file_hash(database)
    result = cli(tmp_path, "query", "--db", str(database), sql)
    assert result.exit_code == 1, result.stdout
    assert isinstance(result.exception, SystemExit)
    assert len(result.errors) == 1, result.errors
    assert message in result.errors[0], result.errors[0]
    assert "Traceback" not in result.stderr
    assert file_hash(database) == before
    assert not out.exists() and not (tmp_path / "export").exists() and not list(tmp_path.glob("leak*"))


def test_python_api_refuses_too(database):
    from histpack.db.query import QueryRefused, run_query

    before = file_hash(database)
    with pytest.raises(QueryRefused):
        run_query(database, "DELETE FROM persons")
    assert run_query(database, "SELECT count(*) FROM persons")[1][0][0] > 0
    assert file_hash(database) == before


@pytest.mark.parametrize("folder", ["plain", "q?x=1"])
def test_the_connection_itself_refuses_files(folder, database, tmp_path):
    """Behind the parser's check: the read-only connection cannot read a file, whatever its path holds."""
    import shutil

    import duckdb

    from histpack.db.query import connect_read_only

    (tmp_path / folder).mkdir()
    copy = Path(shutil.copyfile(database, tmp_path / folder / "thom.duckdb"))
    con = connect_read_only(copy)
    try:
        assert con.execute("SELECT count(*) FROM persons").fetchone()[0] > 0
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM read_text('/etc/hostname')")
    finally:
        con.close()
    assert file_hash(copy) == file_hash(database)


@pytest.mark.parametrize("sql", [
    "SELECT count(*) AS n FROM persons",
    "WITH k AS (SELECT kind FROM persons) SELECT kind, count(*) FROM k GROUP BY kind",
    "FROM persons SELECT person_id LIMIT 1",
    "DESCRIBE persons",
    "EXPLAIN SELECT * FROM persons",
    "/* a comment */ EXPLAIN ANALYZE SELECT count(*) FROM persons",
    "EXPLAIN (SELECT 1)",
    "SELECT * FROM persons;",
])
def test_reading_queries_run_and_change_nothing(sql, database, cli, tmp_path):
    before = file_hash(database)
    result = cli(tmp_path, "query", "--db", str(database), "--format", "csv", sql)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip()
    assert file_hash(database) == before


def test_default_table_output(database, cli, tmp_path):
    result = cli(tmp_path, "query", "--db", str(database), "SELECT person_id, kind FROM persons WHERE person_id = 'bauman'")
    assert result.exit_code == 0, result.stderr
    assert "person_id" in result.stdout and "bauman" in result.stdout


def test_query_on_the_fly_validates_the_package(project, cli):
    data = (project / "data/persons.csv").read_bytes()
    row = next(n for n, line in enumerate(data.split(b"\r\n"), start=1) if b",nazi_germany," in line)
    (project / "data/persons.csv").write_bytes(data.replace(b",nazi_germany,", b",nazi_germani,", 1))
    result = cli(project, "query", "SELECT count(*) FROM persons")
    assert result.exit_code == 1
    assert len(result.errors) == 1 and f"data/persons.csv: row {row}: dangling foreign key" in result.errors[0]
