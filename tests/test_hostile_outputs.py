"""Hostile and awkward input to the outputs (issue 20): numbers JSON cannot hold, the SQLite export's
vocabularies and what it may replace, citations, the timeline, the site's page names, and the messages of
`query`. Each case is the exact input, one clear line (or the correct output), the exit code, and what must
stay unchanged, compared byte for byte."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from conftest import file_hash


def _package(root: Path, csv: str, fields: list[dict], name: str = "t", **schema) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{name}.csv").write_text(csv, encoding="utf-8", newline="")
    (root / "datapackage.json").write_text(json.dumps({"name": "hostile", "resources": [
        {"name": name, "path": f"{name}.csv", "schema": {"fields": fields, **schema}}]}), encoding="utf-8")
    return root


def _one_line(result) -> str:
    assert result.exit_code == 1 and len(result.errors) == 1, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result.errors[0]


@pytest.fixture
def database(package_database, tmp_path) -> Path:
    """A copy of the session's database: DuckDB shares one instance per file in a process, and the session's
    `db` fixture holds the original open with another configuration than a read-only query's."""
    import shutil

    return Path(shutil.copyfile(package_database, tmp_path / "package.duckdb"))


def _strict_json(text: str):
    """json.loads that refuses NaN and Infinity, as every other JSON reader does."""
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


NUMBERS = "id,x\n1,NaN\n2,INF\n3,1e400\n4,-INF\n5,1.5\n"
NUMBER_FIELDS = [{"name": "id", "type": "integer"}, {"name": "x", "type": "number"}]


# --- JSON output is JSON ---------------------------------------------------------------------------------

def test_query_json_writes_nan_and_infinities_as_null(tmp_path, cli):
    package = _package(tmp_path / "p", NUMBERS, NUMBER_FIELDS)
    result = cli(tmp_path, "query", "--format", "json", "--package", str(package),
                 "SELECT id, x, [x] AS xs, {'x': x} AS s FROM t ORDER BY id")
    assert result.exit_code == 0, result.stderr
    rows = _strict_json(result.stdout)
    assert [(r["id"], r["x"], r["xs"], r["s"]) for r in rows] == [
        (1, None, [None], {"x": None}), (2, None, [None], {"x": None}), (3, None, [None], {"x": None}),
        (4, None, [None], {"x": None}), (5, 1.5, [1.5], {"x": 1.5})]


def test_jsonl_export_writes_nan_and_infinities_as_null(tmp_path, cli):
    package = _package(tmp_path / "p", NUMBERS, NUMBER_FIELDS)
    out = tmp_path / "out"
    result = cli(tmp_path, "export", "--format", "jsonl", "--out", str(out), "--package", str(package))
    assert result.exit_code == 0, result.stderr
    lines = (out / "t.jsonl").read_text(encoding="utf-8").splitlines()
    assert [_strict_json(line) for line in lines] == [
        {"id": 1, "x": None}, {"id": 2, "x": None}, {"id": 3, "x": None}, {"id": 4, "x": None}, {"id": 5, "x": 1.5}]


def test_sqlite_stores_nan_as_null_and_keeps_infinities(tmp_path, cli):
    package = _package(tmp_path / "p", NUMBERS, NUMBER_FIELDS)
    out = tmp_path / "n.sqlite"
    assert cli(tmp_path, "export", "--format", "sqlite", "--out", str(out), "--package", str(package)).exit_code == 0
    con = sqlite3.connect(out)
    try:
        assert con.execute("SELECT id, x FROM t ORDER BY id").fetchall() == [
            (1, None), (2, float("inf")), (3, float("inf")), (4, float("-inf")), (5, 1.5)]
    finally:
        con.close()


def test_sqlite_refuses_a_nan_in_a_required_column_in_one_line(tmp_path, cli):
    package = _package(tmp_path / "p", "id,x\n1,2.5\n2,NaN\n",
                       [{"name": "id", "type": "integer"}, {"name": "x", "type": "number", "constraints": {"required": True}}])
    out = tmp_path / "n.sqlite"
    message = _one_line(cli(tmp_path, "export", "--format", "sqlite", "--out", str(out), "--package", str(package)))
    assert message == ("error: t.csv: row 3: `x` is NaN, which SQLite stores as NULL, and the column is required — "
                       "export this package as Parquet, CSV or JSON Lines instead")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]


# --- the SQLite export: vocabularies, and what it may replace ---------------------------------------------

def test_sqlite_export_keeps_integer_number_and_boolean_vocabularies(tmp_path, cli):
    package = _package(tmp_path / "p", "id,level,score,flag\n1,2,1.5,true\n2,3,2.5,false\n", [
        {"name": "id", "type": "integer"},
        {"name": "level", "type": "integer", "constraints": {"enum": [1, 2, 3]}},
        {"name": "score", "type": "number", "constraints": {"enum": [1.5, 2.5]}},
        {"name": "flag", "type": "boolean", "constraints": {"enum": [True, False]}}])
    out = tmp_path / "e.sqlite"
    result = cli(tmp_path, "export", "--format", "sqlite", "--out", str(out), "--package", str(package))
    assert result.exit_code == 0, result.stderr
    con = sqlite3.connect(out)
    try:
        assert con.execute("SELECT * FROM t ORDER BY id").fetchall() == [(1, 2, 1.5, 1), (2, 3, 2.5, 0)]
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            con.execute("INSERT INTO t VALUES (3, 4, 1.5, 1)")  # the vocabulary holds, as numbers
    finally:
        con.close()


@pytest.fixture
def farms(tmp_path):
    from test_generic_package import _write

    return _write(tmp_path / "kolkhoz")


def test_sqlite_export_replaces_its_previous_export_readable_by_all(farms, tmp_path, cli):
    out = tmp_path / "k.sqlite"
    metadata = tmp_path / "k.metadata.json"
    for _ in range(2):  # the second run replaces the first one's files
        result = cli(tmp_path, "export", "--format", "sqlite", "--out", str(out), "--package", str(farms))
        assert result.exit_code == 0, result.stderr
        assert stat.S_IMODE(out.stat().st_mode) == 0o644 and stat.S_IMODE(metadata.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.metadata.json", "k.sqlite", "kolkhoz"]


@pytest.mark.parametrize("existing, content, words", [
    ("k.sqlite", b"my notes, not a database\n", "k.sqlite: exists and is not a SQLite database; refused to overwrite it"),
    ("k.metadata.json", b'{"title": "my own metadata"}\n',
     "k.metadata.json: exists and is not the Datasette metadata of k.sqlite; refused to overwrite it"),
    ("k.metadata.json", b"\xff\xfe not even text", "k.metadata.json: exists and is not the Datasette metadata"),
])
def test_sqlite_export_refuses_to_replace_a_file_it_did_not_write(existing, content, words, farms, tmp_path, cli):
    (tmp_path / existing).write_bytes(content)
    message = _one_line(cli(tmp_path, "export", "--format", "sqlite", "--out", str(tmp_path / "k.sqlite"),
                            "--package", str(farms)))
    assert words in message, message
    assert (tmp_path / existing).read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([existing, "kolkhoz"])


# --- the timeline ---------------------------------------------------------------------------------------

def _glyphs_after(svg: str, text: str) -> tuple[int, str]:
    """The glyphs matplotlib drew for the text element whose comment is `text`."""
    import re

    start = svg.index(f"<!-- {text} -->")
    return len(re.findall(r"<use xlink:href", svg[start:svg.index("</g>\n     </g>", start)])), svg


@pytest.mark.parametrize("suffix", [".svg", ".png", ".html"])
def test_dollar_signs_in_names_are_drawn_as_text_never_as_math(suffix, database, tmp_path, cli):
    import duckdb

    db = database
    con = duckdb.connect(str(db))
    try:
        con.execute("UPDATE regimes SET name = 'Price $x^2$ regime' WHERE regime_id = 'ussr'")
        con.execute("UPDATE regimes SET name = 'Bad $\\frac{1$ math' WHERE regime_id = 'prc'")  # malformed math
    finally:
        con.close()
    out = tmp_path / f"t{suffix}"
    result = cli(tmp_path, "timeline", "--db", str(db), "--out", str(out))
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    assert out.stat().st_size > 1000
    if suffix != ".png":
        svg = out.read_text(encoding="utf-8")
        for name in ("Price $x^2$ regime", "Bad $\\frac{1$ math"):
            drawn, _ = _glyphs_after(svg, name)
            assert drawn == len(name), (name, drawn)  # one glyph per character, the dollar signs among them
        assert "Oblique" not in svg  # math would set x in DejaVu Sans Oblique


def test_timeline_since_after_every_item_is_one_line(database, tmp_path, cli):
    from histpack.db.query import connect_read_only
    from histpack.outputs.timeline import timeline_items

    con = connect_read_only(database)
    try:
        items, _ = timeline_items(con)
    finally:
        con.close()
    last, first = max(i.end.year for i in items), min(i.start.year for i in items)
    out = tmp_path / "late.svg"
    before = file_hash(database)
    result = cli(tmp_path, "timeline", "--db", str(database), "--out", str(out), "--since", str(last + 1))
    assert _one_line(result) == (f"error: timeline --since {last + 1}: nothing to draw: every dated item ends before "
                                 f"{last + 1} (the last in {last}) — give an earlier year, such as --since {first}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["package.duckdb"] and file_hash(database) == before


def test_timeline_by_campaign_without_phases_is_one_line(tmp_path):
    import datetime as dt

    from histpack.outputs.timeline import Item, draw_timeline
    from histpack.project.errors import BuildError

    items = [Item("rhetoric", "ussr", dt.date(1930, 1, 1), dt.date(1930, 1, 1), "stalin: war_scare", "war_scare")]
    with pytest.raises(BuildError) as refused:
        draw_timeline(items, {"ussr": "USSR"}, tmp_path / "c.svg", align="campaign")
    assert refused.value.text() == ("timeline --align campaign: nothing to draw: no regime has campaign phases to "
                                    "align on — draw it by calendar date (--align calendar)")
    assert not list(tmp_path.iterdir())


# --- file and page names made from resource names ---------------------------------------------------------

LONG = "n" * 300


def _named(root: Path, *names: str) -> Path:
    """A package whose resources are `names`, each a table of its own rows (so a lost table shows)."""
    root.mkdir(parents=True)
    resources = []
    for i, name in enumerate(names):
        (root / f"t{i}.csv").write_text(f"a\n{i}\n", encoding="utf-8")
        resources.append({"name": name, "path": f"t{i}.csv", "schema": {"fields": [{"name": "a", "type": "integer"}]}})
    (root / "datapackage.json").write_text(json.dumps({"name": "names", "resources": resources}), encoding="utf-8")
    return root


def test_site_pages_of_a_slashed_a_joined_and_a_long_name_are_three(tmp_path, cli):
    package = _named(tmp_path / "p", "a/b", "a_b", LONG)
    out = tmp_path / "site"
    result = cli(tmp_path, "site", "--package", str(package), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    from histpack.project.writer import fit_name

    long_page = f"table-{fit_name(LONG)}.html"
    assert long_page.startswith("table-nnn") and len(long_page.encode()) < 200
    pages = sorted(p.name for p in out.glob("table-*.html"))
    assert pages == sorted(["table-a~2fb.html", "table-a_b.html", long_page])
    for page, row in (("table-a~2fb.html", "0"), ("table-a_b.html", "1"), (long_page, "2")):
        assert f'<td class="short">{row}</td></tr></tbody>' in (out / page).read_text(encoding="utf-8"), page  # its own rows
    index = (out / "tables.html").read_text(encoding="utf-8")
    assert all(f'href="{page}"' in index for page in pages)
    again = tmp_path / "site2"
    assert cli(tmp_path, "site", "--package", str(package), "--out", str(again)).exit_code == 0
    assert sorted(p.name for p in again.glob("table-*.html")) == pages  # deterministic


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export_of_slashed_and_long_names(fmt, tmp_path, cli):
    from histpack.project.writer import fit_name

    package = _named(tmp_path / "p", "a/b", "a_b", LONG)
    out = tmp_path / "out"
    result = cli(tmp_path, "export", "--format", fmt, "--out", str(out), "--package", str(package))
    assert result.exit_code == 0, result.stderr
    long_file = f"{fit_name(LONG, 149 - len(fmt))}.{fmt}"
    assert len(long_file.encode()) <= 150 and long_file.endswith(f".{fmt}")
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == sorted(
        [f"a/b.{fmt}", f"a_b.{fmt}", long_file])
    import duckdb

    reader = {"csv": "read_csv", "jsonl": "read_json", "parquet": "read_parquet"}[fmt]
    con = duckdb.connect()
    try:
        for file, row in ((f"a/b.{fmt}", 0), (f"a_b.{fmt}", 1), (long_file, 2)):
            assert con.execute(f"SELECT a FROM {reader}(?)", [str(out / file)]).fetchall() == [(row,)], file
    finally:
        con.close()


def test_export_refuses_two_names_for_one_file_before_writing_any(tmp_path, cli):
    package = _named(tmp_path / "p", "a/b", "a/./b")
    out = tmp_path / "out"
    message = _one_line(cli(tmp_path, "export", "--format", "csv", "--out", str(out), "--package", str(package)))
    assert message == (f"error: {out}/a/b.csv: resources `a/b` and `a/./b` would both be written to this file — "
                       "rename one of them")
    assert not out.exists()


def test_csv_export_keeps_cells_a_spreadsheet_would_read_as_formulas(tmp_path, cli):
    """The README tells spreadsheet users; the export itself keeps data as it is."""
    cells = ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)"]
    package = _package(tmp_path / "p", "id,v\n" + "".join(f'{i},"{c.replace(chr(34), chr(34) * 2)}"\n'
                                                          for i, c in enumerate(cells)),
                       [{"name": "id", "type": "integer"}, {"name": "v", "type": "string"}])
    out = tmp_path / "out"
    assert cli(tmp_path, "export", "--format", "csv", "--out", str(out), "--package", str(package)).exit_code == 0
    import csv

    with open(out / "t.csv", newline="", encoding="utf-8") as handle:
        assert [row["v"] for row in csv.DictReader(handle)] == cells


# --- citations of a source whose record is hostile ---------------------------------------------------------

AUTHOR = "Françoise Thom}, title = {Injected}, @misc{evil, author = {X"
TITLE = "Reflections\nER  - \nTY  - JOUR\nTI  - Injected \\ ~ ^ { record"


@pytest.fixture
def hostile_record(tmp_path) -> Path:
    """A copy of the package whose essay record has an unbalanced `}` in its author and newlines (and a
    whole RIS record) in its title."""
    import csv
    import io
    import shutil

    from conftest import REPO

    root = tmp_path / "package"
    for name in ("data", "schemas"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "datapackage.json", root / "datapackage.json")
    path = root / "data" / "sources.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    for row in rows:
        if row["source_id"] == "thom-2015-ewjus":
            row["authors"], row["title"] = AUTHOR, TITLE
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return root


def _cite(cli, root: Path, fmt: str) -> str:
    result = cli(root, "cite", "--what", "essay", "--source", "thom-2015-ewjus", "--format", fmt, "--package", str(root))
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result.stdout


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_a_stray_brace_in_an_author_cannot_break_out_of_a_bibtex_field(fmt, hostile_record, cli):
    import bibtexparser

    text = _cite(cli, hostile_record, fmt)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks and len(library.entries) == 1, text
    fields = library.entries[0].fields_dict
    assert sorted(fields) == sorted(["author", "title", "journaltitle" if fmt == "biblatex" else "journal",
                                     "date" if fmt == "biblatex" else "year", "volume", "number", "pages", "issn",
                                     "doi", "url"])
    assert fields["author"].value == (r"\textbraceleft{}X, Françoise Thom\textbraceright{}, title = "
                                      r"\textbraceleft{}Injected\textbraceright{}, @misc\textbraceleft{}evil, author =")
    assert fields["title"].value == (r"{Reflections ER - TY - JOUR TI - Injected \textbackslash{} \textasciitilde{} "
                                     r"\textasciicircum{} \textbraceleft{} record}")
    assert fields["doi"].value == "10.21226/T2TG6W20"  # the fields after it are whole


def test_a_newline_in_a_title_cannot_inject_ris_records(hostile_record, cli):
    lines = _cite(cli, hostile_record, "ris").splitlines()
    assert [line for line in lines if line.startswith(("TY  -", "ER  -"))] == ["TY  - JOUR", "ER  - "]
    assert "TI  - Reflections ER - TY - JOUR TI - Injected \\ ~ ^ { record" in lines
    assert all(line[2:6] == "  - " for line in lines)


@pytest.mark.parametrize("fmt", ["apa"])
def test_plain_text_references_stay_on_one_line(fmt, hostile_record, cli):
    assert len(_cite(cli, hostile_record, fmt).splitlines()) == 1


def test_csl_json_keeps_the_record_as_it_is(hostile_record, cli):
    item, = json.loads(_cite(cli, hostile_record, "csl-json"))
    assert item["title"] == TITLE  # JSON escapes what it must; nothing to cut


# --- messages -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["nan", "NaN", "-1", "inf", "-inf", "1e400"])
def test_a_timeout_that_is_not_a_number_of_seconds_is_one_line(value, database, tmp_path, cli):
    """`--timeout nan` meant no limit at all."""
    result = cli(tmp_path, "query", "--db", str(database), f"--timeout={value}", "SELECT 1")
    shown = f"{float(value):g}"
    assert _one_line(result) == (f"error: --timeout {shown}: is not a number of seconds — give seconds, or 0 for no "
                                 "limit")
    assert result.stdout == ""


def test_the_python_api_refuses_a_nan_timeout_too(database):
    from histpack.db.query import QueryRefused, run_query

    with pytest.raises(QueryRefused, match="is not a number of seconds"):
        run_query(database, "SELECT 1", timeout=float("nan"))
    assert run_query(database, "SELECT 1 AS one", timeout=0) == (["one"], [(1,)])


@pytest.mark.parametrize("make, words", [
    ("csv", "is not a DuckDB database"),
    ("empty", "is not a DuckDB database"),
    ("folder", "is a folder, not a database"),
    ("fifo", "is a named pipe (FIFO), not a database"),
    ("missing", "no such database"),
])
@pytest.mark.parametrize("command", [["query", "SELECT 1"], ["compare", "ussr", "prc"],
                                     ["timeline", "--out", "t.svg"]])
def test_a_db_that_is_not_a_database_is_one_line(make, words, command, tmp_path, cli):
    """`query --db x.csv` said "Cannot launch in-memory database"; a pipe is never opened (it would block)."""
    import os

    db = tmp_path / "x.csv"
    if make == "csv":
        db.write_text("a,b\n1,2\n", encoding="utf-8")
    elif make == "empty":
        db.write_bytes(b"")
    elif make == "folder":
        db.mkdir()
    elif make == "fifo":
        os.mkfifo(db)
    before = sorted(p.name for p in tmp_path.iterdir())
    message = _one_line(cli(tmp_path, *command, "--db", str(db)))
    assert message.startswith(f"error: {db}: {words} — "), message
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if make == "csv":
        assert db.read_text(encoding="utf-8") == "a,b\n1,2\n"


def test_coverage_of_an_unknown_section_is_one_line(project, cli):
    message = _one_line(cli(project, "coverage", "--section", "bogus"))
    assert message == "error: --section bogus: is not a section of a text — sections: abstract, epigraph, body, note"


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export_refuses_an_absolute_resource_name(fmt, tmp_path, cli):
    """The name pattern lets `/tmp/x` through: it would have been written over that file."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / f"x.{fmt}").write_bytes(b"keep me\n")
    package = _named(tmp_path / "p", "ok", str(victim / "x"))
    out = tmp_path / "out"
    message = _one_line(cli(tmp_path, "export", "--format", fmt, "--out", str(out), "--package", str(package)))
    assert message.startswith(f"error: {victim}/x.{fmt}: would be written outside the output folder {out}"), message
    assert (victim / f"x.{fmt}").read_bytes() == b"keep me\n" and sorted(p.name for p in victim.iterdir()) == [f"x.{fmt}"]
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export_never_writes_through_a_link_inside_the_output_folder(fmt, tmp_path, cli):
    """A link where an export's file goes, or where a slashed name's folder goes, is refused before any
    file is written; what the links point to is unchanged."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / f"b.{fmt}").write_bytes(b"keep me\n")
    package = _named(tmp_path / "p", "first", "b", "a/b")
    for link, target, words in ((f"b.{fmt}", victim / f"b.{fmt}", "is a symbolic link: refused to write through it"),
                                ("a", victim, "would be written outside the output folder")):
        out = tmp_path / f"out-{link}"
        out.mkdir()
        (out / link).symlink_to(target)
        message = _one_line(cli(tmp_path, "export", "--format", fmt, "--out", str(out), "--package", str(package)))
        assert words in message, message
        assert sorted(p.name for p in out.iterdir()) == [link]  # nothing written, not even the first table
    assert (victim / f"b.{fmt}").read_bytes() == b"keep me\n" and sorted(p.name for p in victim.iterdir()) == [f"b.{fmt}"]
