"""Every column of every view is described, and the description reaches every place a reader finds
columns described: DuckDB's comments (the built database and load.sql), the Parquet export's field
metadata, and the SQLite export's Datasette metadata — which also gives each table its own source and
licence lines."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json

import pytest

from histpack.model.views import SOURCE_WORDS, VIEW_COLUMNS, VIEWS

from conftest import REPO


def test_every_view_column_has_a_description_in_duckdb(db):
    assert set(VIEW_COLUMNS) == set(VIEWS)
    for view in VIEWS:
        found = db.execute("select column_name, comment from duckdb_columns() where table_name = ? "
                           "order by column_index", [view]).fetchall()
        assert [c for c, _ in found] == list(VIEW_COLUMNS[view]), view
        for column, comment in found:
            assert comment and comment == VIEW_COLUMNS[view][column] and len(comment) > 10, (view, column)
    assert sum(len(c) for c in VIEW_COLUMNS.values()) >= 88


def test_load_sql_comments_every_view_column(monkeypatch):
    import duckdb

    monkeypatch.chdir(REPO)  # load.sql reads the CSVs by relative paths
    con = duckdb.connect()
    try:
        con.execute((REPO / "load.sql").read_text(encoding="utf-8"))
        for view, columns in VIEW_COLUMNS.items():
            found = dict(con.execute("select column_name, comment from duckdb_columns() where table_name = ?",
                                     [view]).fetchall())
            assert found == columns, view
    finally:
        con.close()


@pytest.fixture(scope="module")
def parquet(tmp_path_factory):
    from histpack.outputs.export import export

    out = tmp_path_factory.mktemp("parquet") / "out"
    export(REPO, "parquet", out)
    return out


def test_parquet_fields_of_every_view_carry_their_description(parquet):
    import pyarrow.parquet as pq

    for view, columns in VIEW_COLUMNS.items():
        schema = pq.read_schema(parquet / f"{view}.parquet")
        assert schema.names == list(columns), view
        for name in schema.names:
            assert schema.field(name).metadata[b"description"].decode() == columns[name], (view, name)


@pytest.fixture(scope="module")
def sqlite_export(tmp_path_factory):
    from histpack.outputs.sqlite import export_sqlite

    out = tmp_path_factory.mktemp("sqlite") / "thom.sqlite"
    database, metadata = export_sqlite(REPO, out)
    return database, json.loads(metadata.read_text(encoding="utf-8"))


def test_datasette_metadata_describes_every_view_column(sqlite_export):
    _, metadata = sqlite_export
    tables = metadata["databases"]["thom"]["tables"]
    for view, columns in VIEW_COLUMNS.items():
        assert tables[view]["columns"] == columns


def test_the_views_said_to_show_the_sources_words_are_those_that_do(db):
    """`SOURCE_WORDS` (the views under the sources' own terms) is checked against the data: a view is in
    it exactly when one of its columns holds a quote's words."""
    showing = set()
    for view in VIEWS:
        text_columns = [c for c, t in db.execute("select column_name, data_type from duckdb_columns() "
                                                 "where table_name = ?", [view]).fetchall() if t == "VARCHAR"]
        for column in text_columns:
            if db.execute(f'select count(*) from "{view}" v join quotes q on v."{column}" = q.text').fetchone()[0]:
                showing.add(view)
    assert showing == SOURCE_WORDS


def test_datasette_names_each_tables_own_source_and_licence(sqlite_export):
    """Most tables are the dataset's, under its data licence; the tables and views that hold the sources'
    words name the analysed sources and their own terms. No page names the Canada Act as the source of
    the dataset."""
    from datasette.app import Datasette

    database, metadata = sqlite_export
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    tables = metadata["databases"]["thom"]["tables"]
    data_licence = next(lic for lic in descriptor["licenses"] if lic.get("part") == "data")
    assert (metadata["source"], metadata["license"]) == (descriptor["title"], data_licence["name"])
    texts = [s["title"] for s in descriptor["sources"]]
    holding_words = {n for n, r in resources.items() if r.get("rights")} | SOURCE_WORDS
    assert {"quotes", "paragraphs"} <= holding_words
    for name, entry in tables.items():
        if name in holding_words:
            assert all(title in entry["source"] for title in texts), name
            assert entry["license"] == resources["quotes"]["rights"] and "CC-BY" not in entry["license"], name
        else:
            assert (entry["source"], entry["license"], entry["license_url"]) == (
                descriptor["title"], data_licence["name"], data_licence["path"]), name
    assert set(tables) == set(resources) | set(VIEWS)

    async def pages():
        ds = Datasette([str(database)], metadata=metadata)
        await ds.invoke_startup()
        return {name: (await ds.client.get(f"/thom/{name}")).text for name in ("events", "quotes", "quote_context")}

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # a thread of its own: Playwright may hold a loop
        shown = pool.submit(asyncio.run, pages()).result()
    canada = next(s["title"] for s in descriptor["sources"] if "Canada" in s["title"])
    assert descriptor["title"] in shown["events"] and "Holodomor” Memorial Day" not in shown["events"]
    assert "Françoise Thom" in shown["quotes"] and "Françoise Thom" in shown["quote_context"]
    assert canada.split(",")[0] in shown["quotes"]
