"""`histpack export --format sqlite`: opened with sqlite3 and with Datasette's Python API (no server)."""

from __future__ import annotations

from pathlib import Path
import asyncio
import concurrent.futures
import csv
import json
import sqlite3

import pytest

from histpack.model import models as m
from histpack.project.errors import BuildError
from conftest import REPO

VIEWS = ["quote_context", "quote_slips", "timeline", "comparison_matrix", "phase_alignment"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, Path]:
    from typer.testing import CliRunner

    from histpack.cli.app import app

    out = tmp_path_factory.mktemp("sqlite") / "thom.sqlite"
    result = CliRunner().invoke(app, ["export", "--format", "sqlite", "--out", str(out), "--package", str(REPO)])
    assert result.exit_code == 0, result.output
    metadata = out.with_name("thom.metadata.json")
    assert "datasette" in result.stdout and out.is_file() and metadata.is_file()
    return out, metadata


@pytest.fixture
def con(exported):
    connection = sqlite3.connect(exported[0])
    yield connection
    connection.close()


def csv_rows(table: str) -> list[dict]:
    with open(REPO / f"data/{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_keys_are_declared_and_hold(con):
    for model in m.MODELS:
        t = model.table
        info = con.execute(f'PRAGMA table_info("{t.name}")').fetchall()
        pk = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
        assert pk == list(t.primary_key), t.name
        declared = {(row[3], row[2]) for row in con.execute(f'PRAGMA foreign_key_list("{t.name}")').fetchall()}
        assert {(col, target) for col, target in t.foreign_keys.items()} <= declared, t.name
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []


def test_empty_cells_are_null_and_rows_equal_the_csv(con):
    for model in m.MODELS:
        name = model.table.name
        expected = csv_rows(name)
        assert con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == len(expected)
        for column in expected[0] if expected else []:
            empty = sum(1 for row in expected if row[column] == "")
            nulls, blanks = con.execute(f'SELECT count(*) FILTER (WHERE "{column}" IS NULL), '
                                        f'count(*) FILTER (WHERE "{column}" = \'\') FROM "{name}"').fetchone()
            assert (nulls, blanks) == (empty, 0), f"{name}.{column}"


def test_types_not_null_and_vocabulary_checks(con):
    columns = {row[1]: row for row in con.execute('PRAGMA table_info("events")').fetchall()}
    assert columns["date_start"][2] == "DATE" and columns["date_start"][3] == 1
    assert con.execute("SELECT typeof(date_start), typeof(quote_id) FROM events LIMIT 1").fetchone() == ("text", "text")
    assert con.execute("SELECT typeof(page_start) FROM quotes LIMIT 1").fetchone() == ("integer",)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        con.execute("UPDATE events SET event_type = 'not-a-type' WHERE rowid = 1")


@pytest.mark.parametrize("view", VIEWS)
def test_views_give_what_duckdb_gives(con, db, view):
    names = [d[0] for d in db.execute(f"SELECT * FROM {view} LIMIT 0").description]
    order = ", ".join(f'"{n}"' for n in names)
    got = con.execute(f'SELECT {order} FROM "{view}" ORDER BY {order}').fetchall()
    want = db.execute(f"SELECT {order} FROM {view}").fetchall()
    assert len(got) == len(want) > 0
    normalise = lambda rows: sorted(tuple(None if v is None else str(v) for v in r) for r in rows)  # noqa: E731
    assert normalise(got) == normalise(want)


def test_datasette_sees_keys_labels_descriptions_and_licence(exported):
    from datasette.app import Datasette

    path, metadata_path = exported
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    events_schema = json.loads((REPO / "schemas/events.json").read_text(encoding="utf-8"))

    async def check():
        ds = Datasette([str(path)], metadata=metadata)
        await ds.invoke_startup()
        db = ds.get_database("thom")
        fks = {(fk["column"], fk["other_table"]) for fk in await db.foreign_keys_for_table("events")}
        assert ("regime_id", "regimes") in fks and ("quote_id", "quotes") in fks
        assert await db.primary_keys("event_persons") == ["event_id", "person_id"]
        assert await db.label_column_for_table("persons") == "name"
        table = ds.table_metadata("thom", "events")
        assert table["description"] == m.BY_TABLE["events"].table.description
        assert table["columns"]["date_start"] == next(f["description"] for f in events_schema["fields"]
                                                      if f["name"] == "date_start")
        response = await ds.client.get("/thom/events.json?_labels=on&_shape=objects&_size=max")
        assert response.status_code == 200
        labelled = {r["event_id"]: r["regime_id"] for r in response.json()["rows"]}
        assert {"value": "ussr", "label": "Soviet Union"} in labelled.values()
        page = await ds.client.get("/thom/events")
        assert page.status_code == 200 and "CC-BY-4.0" in page.text and table["columns"]["date_start"] in page.text
        view = await ds.client.get("/thom/quote_context.json?_shape=objects&quote_id=q90-we-have-gone-so-far")
        assert view.json()["rows"][0]["citation"] == "Thom 2015, 90"

    # In a thread of its own: another test in this worker (Playwright) may leave an event loop running.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, check()).result()
    assert metadata["license"] == "CC-BY-4.0" and metadata["source"] == descriptor["title"]


def test_sqlite_export_into_a_folder_writes_the_database_there(tmp_path, cli):
    """`--out DIR` (an existing folder) or `--out new/` (a name ending in /) holds `<package name>.sqlite`
    and its metadata; the Python API still refuses a folder for the database file."""
    from histpack.outputs.sqlite import export_sqlite

    existing = tmp_path / "existing"
    existing.mkdir()
    for out, folder in ((str(existing), existing), (f"{tmp_path / 'new'}/", tmp_path / "new")):
        result = cli(REPO, "export", "--format", "sqlite", "--out", out)
        assert result.exit_code == 0, result.stderr
        assert sorted(p.name for p in folder.iterdir()) == ["thom-2015-holodomor.metadata.json",
                                                              "thom-2015-holodomor.sqlite"]
    assert not (tmp_path / "new").is_file()
    with pytest.raises(BuildError, match="is a folder"):
        export_sqlite(REPO, existing)
