"""The committed package: what the models render, what frictionless and DuckDB see."""

import json

import pytest

from histpack.text.sources import analyzed_records
from histpack.package.files import render
from histpack.project.metadata import read_metadata
from histpack.checks.validate import validate_package
from conftest import REPO


# The design contract's (docs/design-contract.md): table → primary key and required columns.
CONTRACT = {
    "sources": ("source_id", "role cited_as authors year title container volume issue pages url license"),
    "quotes": ("quote_id", "source_id text char_start char_end page_start page_end prefix suffix voice speaker_id citation_id"),
    "citations": ("citation_id", "source_id cited_as locator kind char_start char_end page"),
    "persons": ("person_id", "name role regime_id kind quote_id"),
    "regimes": ("regime_id", "name state leader_id period_edtf period_start period_end"),
    "places": ("place_id", "name kind parent_id regime_id quote_id"),
    "events": ("event_id", "regime_id date_edtf date_start date_end date_precision event_type title summary place_id quote_id editorial_note"),
    "event_persons": ("event_id person_id", "role"),
    "phases": ("phase_id", "regime_id campaign seq phase_type date_edtf date_start date_end label summary event_id quote_id"),
    "purges": ("purge_id", "regime_id date_edtf date_start date_end target target_group instigator_id summary event_id quote_id"),
    "purge_targets": ("purge_id person_id", "outcome"),
    "rhetoric": ("rhetoric_id", "regime_id speaker_id theme date_edtf date_start date_end summary quote_id citation_id"),
    "theses": ("thesis_id", "statement topic stance quote_id"),
    "comparisons": ("comparison_id", "dimension relation basis claim quote_id"),
    "comparison_sides": ("comparison_id side_id", "regime_id place_id side_summary quote_id event_id phase_id purge_id rhetoric_id"),
}


@pytest.fixture
def resolved(resolved_project):
    return resolved_project


def test_committed_files_are_what_the_build_renders(resolved):
    resolution, _, records, also = resolved
    files = render(resolution.rows, analyzed_records(records, also), read_metadata(REPO), resolution.vocabularies)
    for relative, data in files.items():
        assert (REPO / relative).read_bytes() == data, f"{relative} is out of date: run `histpack build`"


def test_rendering_is_deterministic(resolved):
    resolution, _, records, also = resolved
    args = (resolution.rows, analyzed_records(records, also), read_metadata(REPO), resolution.vocabularies)
    assert render(*args) == render(*args)


def test_package_is_valid():
    assert validate_package(REPO) == []


def test_descriptor_has_the_metadata_a_repository_expects():
    d = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    assert d["licenses"][0]["name"] == "CC-BY-4.0"
    assert "© 2015 Françoise Thom" in d["rights"]
    (essay,) = [s for s in d["sources"] if s.get("doi")]
    assert essay["doi"] == "10.21226/T2TG6W20"
    assert essay["path"].startswith("https://www.ewjus.com/")
    assert all(s.get("license") for s in d["sources"])
    for resource in d["resources"]:
        assert resource["hash"].startswith("sha256:") and resource["bytes"] > 0
        schema = json.loads((REPO / resource["schema"]).read_text(encoding="utf-8"))
        assert schema["primaryKey"]
        assert all(f.get("description") for f in schema["fields"])
    # `created` is the release recorded in histpack.yaml, not a build timestamp.
    import yaml
    released = yaml.safe_load((REPO / "histpack.yaml").read_text(encoding="utf-8"))["released"]
    assert d["created"] == f"{released.isoformat()}T00:00:00Z"


def test_schemas_carry_enums_and_id_patterns():
    events = json.loads((REPO / "schemas/events.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in events["fields"]}
    assert "party_meeting" in fields["event_type"]["constraints"]["enum"]
    assert fields["event_id"]["constraints"]["pattern"] == "[a-z0-9][a-z0-9_-]*"
    assert fields["date_start"]["type"] == "date" and fields["date_start"]["constraints"]["required"]
    assert {"fields": ["quote_id"], "reference": {"resource": "quotes", "fields": ["quote_id"]}} in events["foreignKeys"]


@pytest.mark.parametrize("table", sorted(CONTRACT))
def test_duckdb_has_every_design_table_with_its_columns(db, table):
    pk, required = CONTRACT[table]
    columns = {r[0] for r in db.execute(
        "select column_name from information_schema.columns where table_name = ?", [table]).fetchall()}
    assert set(required.split()) | set(pk.split()) <= columns
    constraint = db.execute("select constraint_column_names from duckdb_constraints() "
                            "where table_name = ? and constraint_type = 'PRIMARY KEY'", [table]).fetchone()
    assert constraint is not None and list(constraint[0]) == pk.split()


def test_duckdb_types_enums_not_null_and_comments(db):
    types = dict(db.execute("select column_name, data_type from information_schema.columns "
                            "where table_name = 'events'").fetchall())
    assert types["date_start"] == "DATE" and types["event_type"].startswith("ENUM(")
    assert dict(db.execute("select column_name, data_type from information_schema.columns "
                           "where table_name = 'quotes'").fetchall())["char_start"] == "BIGINT"
    nullable = dict(db.execute("select column_name, is_nullable from information_schema.columns "
                               "where table_name = 'events'").fetchall())
    assert nullable["quote_id"] == "NO" and nullable["place_id"] == "YES"
    comment = db.execute("select comment from duckdb_columns() where table_name = 'quotes' "
                         "and column_name = 'char_end'").fetchone()[0]
    assert "exclusive" in comment
    fks = db.execute("select count(*) from duckdb_constraints() where constraint_type = 'FOREIGN KEY'").fetchone()[0]
    assert fks > 10


def test_views_answer(db):
    row = db.execute("select citation, speaker, text from quote_context "
                     "where text like 'We have gone so far%'").fetchone()
    assert row[0] == "Thom 2015, 90" and row[1] == "Goebbels"
    kinds = {r[0] for r in db.execute("select distinct kind from timeline").fetchall()}
    assert {"event", "rhetoric"} <= kinds
    first = db.execute("select id, date_start from timeline order by date_start limit 1").fetchone()
    assert str(first[1]) <= "1929-12-14"
    sides = db.execute("select side_id, page from comparison_matrix where comparison_id = 'burning-bridges' "
                       "order by side_id").fetchall()
    assert sides == [("nazi_germany", 90), ("ussr", 90)]
    assert db.execute("select count(*) from phase_alignment").fetchone()[0] == db.execute(
        "select count(*) from phases").fetchone()[0]


def test_burning_bridges_slice(db):
    rows = db.execute("select r.rhetoric_id, r.speaker_id, r.date_edtf, q.voice, q.speaker_id from rhetoric r "
                      "join quotes q using (quote_id) where theme = 'burning_bridges' order by date_start").fetchall()
    assert [r[0] for r in rows][:1] == ["bauman-blow-up-the-bridges"]
    assert {r[1] for r in rows} == {"bauman", "goebbels"}
    assert all(r[3] == "primary" and r[4] == r[1] for r in rows)
    assert db.execute("select count(*) from citations where kind = 'footnote'").fetchone()[0] == 3
    regimes = {r[0] for r in db.execute("select regime_id from regimes").fetchall()}
    assert {"ussr", "prc", "nazi_germany", "jacobin_france", "russian_empire"} <= regimes


def test_query_prints_a_table_without_markup(monkeypatch):
    from typer.testing import CliRunner

    from histpack.cli.app import app

    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(app, ["query", "select 'blow[ing] up' as \"words[1]\", 2 as n"])
    assert result.exit_code == 0, result.output
    assert "blow[ing] up" in result.output and "words[1]" in result.output
