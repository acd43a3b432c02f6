"""`histpack export` and `histpack.connect()`: the same rows as the CSV package, typed."""

from __future__ import annotations

from pathlib import Path
import csv
import datetime as dt
import json
import subprocess
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import histpack
from histpack.model import models as m
from histpack.package.files import cell
from conftest import REPO

TABLES = [model.table.name for model in m.MODELS]


def csv_rows(table: str) -> list[dict]:
    with open(REPO / f"data/{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for fmt in ("parquet", "csv", "jsonl"):
        folder = tmp_path_factory.mktemp(fmt)
        result = subprocess.run([sys.executable, "-m", "histpack.cli.app", "export", "--format", fmt, "--out", str(folder)],
                                cwd=REPO, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        out[fmt] = folder
    return out


@pytest.mark.parametrize("table", TABLES)
def test_parquet_has_the_csv_rows(exported, table):
    parquet = pq.read_table(exported["parquet"] / f"{table}.parquet")
    expected = csv_rows(table)
    assert parquet.num_rows == len(expected)
    with open(REPO / f"data/{table}.csv", encoding="utf-8", newline="") as f:
        assert parquet.column_names == next(csv.reader(f))
    got = [{k: cell(v) for k, v in row.items()} for row in parquet.to_pylist()]
    assert got == expected


def test_parquet_types_follow_the_table_schemas(exported):
    events = pq.read_schema(exported["parquet"] / "events.parquet")
    assert events.field("date_start").type == pa.date32()
    assert events.field("event_type").type == pa.string()  # enum as string
    assert not events.field("event_id").nullable and events.field("place_id").nullable
    quotes = pq.read_schema(exported["parquet"] / "quotes.parquet")
    assert quotes.field("page_start").type == pa.int64() and quotes.field("char_start").type == pa.int64()
    # optional columns stay nullable even where this slice of data has no empty cell
    rhetoric = pq.read_schema(exported["parquet"] / "rhetoric.parquet")
    assert rhetoric.field("event_id").nullable and rhetoric.field("date_start").nullable


def test_duckdb_reads_the_parquet(exported):
    path = str(exported["parquet"] / "rhetoric.parquet")
    row = duckdb.execute(f"select date_start, typeof(date_start) from read_parquet('{path}') "
                     "where rhetoric_id = 'goebbels-cut-the-bridges'").fetchall()[0]
    assert row == (dt.date(1943, 3, 2), "DATE")


@pytest.mark.parametrize("table", TABLES)
def test_csv_and_jsonl_exports_have_the_same_rows(exported, table):
    expected = csv_rows(table)
    with open(exported["csv"] / f"{table}.csv", encoding="utf-8", newline="") as f:
        assert list(csv.DictReader(f)) == expected
    lines = (exported["jsonl"] / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()
    assert [{k: cell(v) for k, v in json.loads(line).items()} for line in lines] == expected


def test_export_refuses_a_file_as_folder():
    result = subprocess.run([sys.executable, "-m", "histpack.cli.app", "export", "--out", "LICENSE"],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "not a folder" in result.stderr


def test_connect_loads_tables_and_views():
    con = histpack.connect()
    try:
        assert con.execute("select count(*) from quotes").fetchall()[0][0] == len(csv_rows("quotes"))
        citation = con.execute("select citation from quote_context where quote_id = 'q90-we-have-gone-so-far'").fetchall()[0]
        assert citation == ("Thom 2015, 90",)
        views = {r[0] for r in con.sql("select view_name from duckdb_views() where not internal").fetchall()}
        assert {"quote_context", "timeline", "comparison_matrix", "phase_alignment"} <= views
    finally:
        con.close()


def test_connect_to_a_database_file(tmp_path):
    path = tmp_path / "thom.duckdb"
    con = histpack.connect(path)
    con.close()
    assert path.exists()
    con = histpack.connect(path, read_only=True)
    try:
        assert con.execute("select count(*) from rhetoric").fetchall()[0][0] == len(csv_rows("rhetoric"))
    finally:
        con.close()


def test_connect_from_outside_the_project_finds_its_package(tmp_path):
    script = "import histpack\nprint(histpack.connect().execute('select count(*) from rhetoric').fetchall()[0][0])"
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(csv_rows("rhetoric")))


VIEWS = ["quote_context", "quote_slips", "timeline", "comparison_matrix", "phase_alignment"]


@pytest.mark.parametrize("view", VIEWS)
def test_views_are_exported_as_files_of_their_own(exported, db, view):
    """pyarrow reads each view from Parquet, CSV and JSON Lines with the rows DuckDB's view has."""
    import pyarrow.csv as pacsv
    import pyarrow.json as pajson

    names = [d[0] for d in db.execute(f"select * from {view} limit 0").description]
    expected = db.execute(f"select count(*) from {view}").fetchone()[0]
    parquet = pq.read_table(exported["parquet"] / f"{view}.parquet")
    assert parquet.column_names == names and parquet.num_rows == expected > 0
    assert pq.read_schema(exported["parquet"] / f"{view}.parquet").metadata[b"description"]
    assert pacsv.read_csv(exported["csv"] / f"{view}.csv").num_rows == expected
    assert pajson.read_json(exported["jsonl"] / f"{view}.jsonl").num_rows == expected


def test_quote_context_export_carries_the_ready_citation(exported):
    rows = pq.read_table(exported["parquet"] / "quote_context.parquet").to_pylist()
    row = next(r for r in rows if r["quote_id"] == "q90-we-have-gone-so-far")
    assert row["citation"] == "Thom 2015, 90"


def test_parquet_fields_carry_descriptions_and_vocabularies(exported):
    schema = json.loads((REPO / "schemas/events.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in schema["fields"]}
    parquet = pq.read_schema(exported["parquet"] / "events.parquet")
    for field in parquet:
        assert field.metadata[b"description"].decode("utf-8") == fields[field.name]["description"]
    vocabulary = json.loads(parquet.field("event_type").metadata[b"vocabulary"])
    assert list(vocabulary) == fields["event_type"]["constraints"]["enum"]
    assert vocabulary["party_meeting"] == m.load_vocabularies(REPO)["event_type"]["party_meeting"] != ""
    assert b"vocabulary" not in parquet.field("title").metadata


@pytest.mark.parametrize("cache", ["writable", "unwritable"])
def test_export_of_a_hand_edited_package_is_one_line_and_writes_nothing(cache, project, cli, tmp_path, monkeypatch):
    """Export reads the package's cached database (made once, shared with query) or, where the cache
    cannot be written, loads it in memory: either way a package changed by hand is refused in one line
    naming the file and row, and no file is written."""
    from conftest import edit

    if cache == "unwritable":
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("", encoding="utf-8")
        monkeypatch.setenv("HISTPACK_CACHE_DIR", str(blocker / "cache"))
    edit(project / "data/quotes.csv", "the defeat of Trotsky in December 1927", "the defeat of Trotsky in December 1928")
    out = tmp_path / "out"
    result = cli(project, "export", "--format", "csv", "--out", str(out))
    assert result.exit_code == 1 and len(result.errors) == 1, result.errors
    assert result.errors[0].startswith("error: data/quotes.csv: row ") and "text differs" in result.errors[0]
    assert not out.exists()
    assert result.exception is None or isinstance(result.exception, SystemExit)
