"""`histpack compare` and `histpack timeline` on the real package."""


import pytest
from typer.testing import CliRunner

from histpack.cli.app import app
from histpack.outputs.compare import compare
from histpack.outputs.timeline import draw_timeline, timeline_items
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
    result = CliRunner().invoke(app, ["compare", "ussr", "nazi_germany"])
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


@pytest.mark.parametrize("suffix", [".png", ".svg", ".html"])
def test_timeline_writes_each_format(db, tmp_path, suffix):
    items, names = timeline_items(db)
    out = draw_timeline(items, names, tmp_path / f"t{suffix}")
    data = out.read_bytes()
    if suffix == ".png":
        assert data.startswith(b"\x89PNG")
    else:
        assert b"<svg" in data and "Soviet Union".encode() in data


def test_timeline_cli_refuses_unknown_format(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(app, ["timeline", "--out", str(tmp_path / "t.gif")])
    assert result.exit_code == 1 and ".svg, .png or .html" in result.output
