"""What the command line prints: tables that fit the terminal (`COLUMNS`), cells whose control characters
are shown and not obeyed, text a Latin-1 or ASCII terminal can show, `--format csv|json` on every command
that prints rows, several statements in one `query`, SQL from standard input or a file, and `describe`."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from histpack.model.views import VIEW_COLUMNS

from conftest import REPO


def run(*args: str, columns: int | None = 80, charset: str = "utf-8", stdin: str | None = None, cwd=REPO):
    from histpack.cli.app import app

    env = {"COLUMNS": str(columns)} if columns else {"COLUMNS": ""}
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner(charset=charset).invoke(app, list(args), env=env, input=stdin)
    finally:
        os.chdir(old)
    return result


def widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


WIDE_COMMANDS = [["compare", "ussr", "prc", "--dimension", "outcome"], ["compare", "ussr", "nazi_germany"],
                 ["query", "select * from events limit 1"], ["query", "select * from quotes limit 5"],
                 ["query", "select quote_id, text, page_start, source_id from quotes limit 5"],
                 ["describe"], ["describe", "events"]]


@pytest.mark.parametrize("args", WIDE_COMMANDS, ids=[" ".join(a)[:40] for a in WIDE_COMMANDS])
def test_tables_fit_an_80_column_terminal(args):
    result = run(*args, columns=80)
    assert result.exit_code == 0, result.output
    assert widest(result.stdout) <= 80, max(result.stdout.splitlines(), key=len)
    assert widest(result.stdout) >= 60  # the table uses the room it has


def test_tables_follow_the_width_they_are_given():
    narrow, wide = run("compare", "ussr", "prc", columns=60), run("compare", "ussr", "prc", columns=140)
    assert widest(narrow.stdout) <= 60 < 100 < widest(wide.stdout) <= 140
    cut = run("query", "select text from quotes order by length(text) desc limit 1", columns=50).stdout
    assert widest(cut) <= 50 and "…" in cut


def test_control_characters_in_cells_are_shown_not_obeyed():
    result = run("query", "select chr(27) || '[31mred' as a, 'bell' || chr(7) as b, chr(8238) || 'txet' as c")
    assert result.exit_code == 0
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b[31mred" in out and "bell\\x07" in out and "\\u202etxet" in out


@pytest.mark.parametrize("charset", ["ascii", "latin-1"])
@pytest.mark.parametrize("args", [["compare", "ussr", "prc", "--dimension", "outcome"], ["coverage"],
                                  ["query", "select text from quotes where text like '%“%' limit 3"], ["describe"]])
def test_a_terminal_that_is_not_utf8_gets_what_it_can_show(args, charset):
    result = run(*args, charset=charset)
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    result.stdout_bytes.decode(charset)  # every byte is one the terminal's encoding has
    if args[0] != "coverage":  # a report of lines, not a table
        assert widest(result.stdout) <= 80


def test_an_ascii_terminal_in_a_real_process():
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "COLUMNS": "80", "HISTPACK_PACKAGE": str(REPO)}
    shown = subprocess.run([sys.executable, "-m", "histpack", "compare", "ussr", "prc", "--dimension", "outcome"],
                           env=env, capture_output=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout.decode("ascii")
    assert '"launches the Cultural' in text and widest(text) <= 80
    missing = subprocess.run([sys.executable, "-m", "histpack", "describe", "atlantis"], env=env,
                             capture_output=True, timeout=120)
    assert missing.returncode == 1 and missing.stderr.decode("ascii").count("\n") == 1
    assert b"--" in missing.stderr  # the em dash of the one-line message, as the terminal can show it


def test_csv_and_json_stay_utf8_whatever_the_terminal():
    utf8 = run("query", "select text from quotes where text like '%“%' limit 2", "--format", "csv")
    ascii_ = run("query", "select text from quotes where text like '%“%' limit 2", "--format", "csv", charset="ascii")
    assert ascii_.exit_code == 0 and ascii_.stdout_bytes == utf8.stdout_bytes and "“".encode() in utf8.stdout_bytes


# --- rows as CSV and JSON --------------------------------------------------------------------------

def test_compare_as_csv_and_json(db):
    from histpack.outputs.compare import ROW_COLUMNS, compare

    expected = compare(db, "ussr", "prc")
    table = list(csv.reader(io.StringIO(run("compare", "ussr", "prc", "--format", "csv").stdout)))
    assert table[0] == ROW_COLUMNS and [r[0] for r in table[1:]] == [r.comparison_id for r in expected]
    rows = json.loads(run("compare", "ussr", "prc", "--format", "json").stdout)
    assert [(r["comparison_id"], r["left_regime_id"], r["right_regime_id"]) for r in rows] == \
        [(r.comparison_id, r.left.regime_id, r.right.regime_id) for r in expected]
    assert all(r["left_quote"] and r["right_pages"] for r in rows)


def test_coverage_as_csv_and_json():
    rows = json.loads(run("coverage", "--format", "json").stdout)
    paragraphs = list(csv.DictReader(open(REPO / "data" / "paragraphs.csv", encoding="utf-8")))
    assert len(rows) == len(paragraphs)
    assert {(r["source_id"], r["paragraph"]) for r in rows} == {(p["source_id"], int(p["seq"])) for p in paragraphs}
    assert all(0 <= r["covered"] <= r["sentences"] for r in rows)
    first = list(csv.reader(io.StringIO(run("coverage", "--format", "csv").stdout)))
    assert first[0] == ["source_id", "paragraph", "section", "page", "sentences", "covered", "anchors"]
    assert len(first) == len(paragraphs) + 1


def test_coverage_of_a_section_a_source_lacks_says_so():
    result = run("coverage", "--section", "note", "--source", "cia-factbook-2026-ukraine")
    assert result.exit_code == 1 and "no paragraph of `cia-factbook-2026-ukraine` is in that section" in result.stderr
    assert "sections: body" in result.stderr


# --- describe ------------------------------------------------------------------------------------------

def test_describe_lists_every_table_and_view_with_its_description(db):
    rows = json.loads(run("describe", "--format", "json").stdout)
    tables = {r[0] for r in db.execute("select table_name from duckdb_tables()").fetchall()}
    assert {r["name"] for r in rows} == tables | set(VIEW_COLUMNS)
    assert all(r["description"] for r in rows)
    counts = {r["name"]: r["rows"] for r in rows if r["kind"] == "table"}
    assert counts["events"] == db.execute("select count(*) from events").fetchone()[0]


def test_describe_a_table_or_view_lists_its_columns_and_descriptions():
    schema = json.loads((REPO / "schemas" / "events.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO(run("describe", "events", "--format", "csv").stdout)))
    assert [(r["column"], r["description"]) for r in rows] == [(f["name"], f["description"]) for f in schema["fields"]]
    assert next(r for r in rows if r["column"] == "date_start")["type"] == "DATE"
    view = json.loads(run("describe", "source_dates", "--format", "json").stdout)
    assert {r["column"]: r["description"] for r in view} == VIEW_COLUMNS["source_dates"]
    unknown = run("describe", "atlantis")
    assert unknown.exit_code == 1 and "no such table or view" in unknown.stderr and "source_dates" in unknown.stderr


# --- query ---------------------------------------------------------------------------------------------

def test_several_statements_show_every_result():
    table = run("query", "select 1 as first_result; select 2 as second_result")
    assert table.exit_code == 0
    assert "-- 1 of 2: select 1 as first_result;" in table.stdout and "-- 2 of 2: select 2 as second_result" in table.stdout
    assert table.stdout.index("first_result") < table.stdout.index("second_result")
    as_csv = run("query", "select 1 as a; select 'x' as b", "--format", "csv")
    assert as_csv.stdout == "a\n1\n\nb\nx\n"
    as_json = run("query", "select 1 as a; select 2 as b", "--format", "json")
    assert as_json.exit_code == 1 and len(as_json.stderr.strip().splitlines()) == 1
    assert "prints the rows of one statement; 2 given" in as_json.stderr


def test_query_reads_standard_input_and_files(tmp_path):
    assert run("query", "-", "--format", "csv", stdin="select 42 as answer;\n").stdout == "answer\n42\n"
    sql = tmp_path / "q.sql"
    sql.write_text("-- a comment\nselect count(*) as n from events;\n", encoding="utf-8")
    rows = json.loads(run("query", "--file", str(sql), "--format", "json").stdout)
    assert rows[0]["n"] > 50
    both = run("query", "select 1", "--file", str(sql))
    neither = run("query")
    for result in (both, neither):
        assert result.exit_code == 1 and "give the SQL as an argument" in result.stderr
    missing = run("query", "--file", str(tmp_path / "nope.sql"))
    assert missing.exit_code == 1 and "nope.sql: cannot be read" in missing.stderr
    writing = run("query", "-", stdin="select 1; drop table events")
    assert writing.exit_code == 1 and "read-only" in writing.stderr


def test_compare_of_one_regime_with_itself_heads_its_columns_apart():
    result = run("compare", "ussr", "ussr", columns=120)
    assert result.exit_code == 0
    assert "ussr: one side" in result.stdout and "ussr: the other side" in result.stdout
    assert "[ukraine]" in result.stdout or "[georgia]" in result.stdout
