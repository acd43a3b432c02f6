"""`histpack compare` and `histpack timeline` on the real package."""

import re


import pytest
from typer.testing import CliRunner

from histpack.cli.app import app
from histpack.outputs.compare import compare
from histpack.outputs.timeline import draw_timeline, layout, timeline_items
from conftest import REPO



def test_compare_finds_the_burning_bridges_sides(db):
    rows = compare(db, "ussr", "nazi_germany", "burning_bridges")
    assert [r.comparison_id for r in rows] == ["burning-bridges"]
    row = rows[0]
    assert row.left.regime_id == "ussr" and "blow[ing] up the bridges" in row.left.quote
    assert row.right.regime_id == "nazi_germany" and "cut the bridges" in row.right.quote
    assert row.left.pages == "90"
    reverse = compare(db, "nazi_germany", "ussr", "burning_bridges")[0]
    assert reverse.left.regime_id == "nazi_germany"


def test_compare_refuses_unknown_regime(db):
    with pytest.raises(ValueError, match="neither a regime_id nor a place_id"):
        compare(db, "ussr", "atlantis")


def test_compare_cli_prints_the_essays_words(monkeypatch):
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(app, ["compare", "ussr", "nazi_germany"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "burning_bridges" in result.output and "Thom 2015, 90" in result.output
    bad = CliRunner().invoke(app, ["compare", "ussr", "atlantis"])
    assert bad.exit_code == 1 and "atlantis" in bad.output and "Traceback" not in bad.output


def test_timeline_items_cover_phases_purges_rhetoric(db):
    items, names = timeline_items(db)
    kinds = {i.kind for i in items}
    assert "rhetoric" in kinds
    assert names["ussr"] == "Soviet Union"
    assert all(i.start <= i.end for i in items)


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf", ".html"])
def test_timeline_writes_each_format(db, tmp_path, suffix):
    items, names = timeline_items(db)
    out = draw_timeline(items, names, tmp_path / f"t{suffix}")
    data = out.read_bytes()
    if suffix == ".png":
        assert data.startswith(b"\x89PNG")
    elif suffix == ".pdf":
        assert data.startswith(b"%PDF") and len(re.findall(rb"/Type /Page\b(?!s)", data)) >= 2  # the picture, its key
    else:
        assert b"<svg" in data and "Soviet Union".encode() in data
    again = draw_timeline(items, names, tmp_path / f"again{suffix}")
    assert again.read_bytes() == data  # no date, no random id: byte-identical


def test_timeline_draws_events_and_each_sources_dates(db):
    items, _ = timeline_items(db)
    events = db.execute("select event_id, date_edtf from events").fetchall()
    assert {(i.item_id, i.date_edtf) for i in items if i.kind == "event" and not i.attestation_id} == set(events)
    dated = db.execute("select attestation_id, date_edtf from attestations a left join persons p using (person_id) "
                       "left join places pl using (place_id) where a.date_start is not null "
                       "and (a.person_id is null or p.regime_id is not null) "
                       "and (a.place_id is null or pl.regime_id is not null)").fetchall()
    assert {(i.attestation_id, i.date_edtf) for i in items if i.attestation_id} == set(dated)
    analysed = [r[0] for r in db.execute("select source_id from sources where role = 'analyzed'").fetchall()]
    for source in analysed:
        own, _ = timeline_items(db, source)
        assert own and {i.source_id for i in own} == {source}, source


def test_html_key_says_dates_in_words(db, tmp_path):
    items, names = timeline_items(db)
    page = draw_timeline(items, names, tmp_path / "t.html").read_text(encoding="utf-8")
    assert "<h2>Events</h2>" in page and "14 December 1929" in page and "winter" not in page.split("<svg")[0]
    assert not re.search(r"—\s*\d{4}-(2[1-4]|\d\d)\b", page)  # no EDTF code where a date is read


def test_since_starts_the_calendar_axis(db):
    items, _ = timeline_items(db)
    early = layout(items, "calendar", 1780)
    assert early.lo == 1780 and not early.left_out
    late = layout(items, "calendar", 1950)
    assert late.lo == 1950
    assert {i.item_id for i in late.left_out} == {i.item_id for i in items if i.end.year < 1950}
    assert {late.reason(i) for i in late.left_out} == {"before 1950"}


def test_each_source_draws_its_own_dates_from_the_cli(tmp_path, monkeypatch, db):
    monkeypatch.chdir(REPO)
    for (source,) in db.execute("select source_id from sources where role = 'analyzed' order by 1").fetchall():
        out = tmp_path / f"{source}.svg"
        result = CliRunner().invoke(app, ["timeline", "--source", source, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_text(encoding="utf-8").count("<title>") >= 1


def test_a_source_that_dates_nothing_gets_one_line_naming_why(tmp_path, package_database, monkeypatch):
    """Its rows moved to another source and its attestations' dates removed: nothing to draw, one line, no file."""
    import duckdb

    from histpack.model.views import create_views

    copy = tmp_path / "copy.duckdb"
    source = "cia-factbook-2026-ukraine"
    con = duckdb.connect(str(copy))
    con.execute(f"attach '{package_database}' as src (read_only)")
    for (table,) in con.execute("select table_name from duckdb_tables() where database_name = 'src'").fetchall():
        con.execute(f'create table "{table}" as select * from src."{table}"')  # the rows, without the keys
    con.execute("detach src")
    create_views(con)
    for table in ("events", "phases", "purges", "rhetoric"):
        con.execute(f"update {table} set source_id = 'thom-2015-ewjus' where source_id = ?", [source])
    con.execute("update attestations set date_edtf = null, date_start = null, date_end = null where source_id = ?",
                [source])
    con.close()
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "t.png"
    result = CliRunner().invoke(app, ["timeline", "--db", str(copy), "--source", source, "--out", str(out)])
    assert result.exit_code == 1 and not out.exists()
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"`{source}` dates no event, phase, purge or rhetoric row" in lines[0], lines
    assert "attestations give no date" in lines[0] and "Traceback" not in result.output


def test_timeline_cli_refuses_unknown_format(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(app, ["timeline", "--out", str(tmp_path / "t.gif")])
    assert result.exit_code == 1 and ".svg, .png, .pdf or .html" in result.output
