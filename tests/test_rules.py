"""The project's own rules (`histpack/checks/rules.py`) on the committed package's tables: each rule passes on
the real data and names the right row once the data is broken; only histpack packages are held to them."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from histpack.checks import rules
from histpack.checks.validate import read_descriptor
from histpack.model.conventions import FORMAT, MARKER, is_histpack_package
from conftest import REPO, edit

A = "annotations"


@pytest.fixture(scope="module")
def package():
    from histpack.engine.reader import read_package

    pkg = read_package(REPO)
    return pkg.descriptor, pkg.database_schema()


@pytest.fixture(scope="module")
def loaded(package, tmp_path_factory) -> Path:
    """The committed tables, typed, in a database file read once per module (the engine's check of the
    package is most of a test's cost)."""
    path = tmp_path_factory.mktemp("rules") / "tables.duckdb"
    connection = duckdb.connect(str(path))
    rules.load_tables(connection, REPO)
    connection.close()
    return path


@pytest.fixture
def con(loaded, tmp_path):
    """The committed tables, typed, in a DuckDB of the test's own (a copy: tests break its rows)."""
    copy = tmp_path / "tables.duckdb"
    shutil.copyfile(loaded, copy)
    connection = duckdb.connect(str(copy))
    yield connection
    connection.close()


def _csv_row(table: str, column: str, value: str) -> tuple[int, dict]:
    """Row number in data/TABLE.csv (header = row 1) of the first row whose `column` is `value`."""
    with open(REPO / f"data/{table}.csv", encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.DictReader(f), start=2):
            if row[column] == value:
                return number, row
    raise AssertionError((table, column, value))


def _problems(con, package) -> list[str]:
    return [p.text() for p in rules.project_problems(con, package[0], package[1])]


def test_the_committed_package_keeps_every_rule(con, package):
    assert is_histpack_package(package[0])
    assert rules.run_rules(con, package[1]) == []
    assert len(rules.RULES) >= 12


def _one(con, package, sql: str, params=()) -> str:
    con.execute(sql, list(params))
    found = _problems(con, package)
    assert len(found) == 1, found
    return found[0]


def test_a_quote_that_is_not_the_text(con, package):
    number, row = _csv_row("quotes", "quote_id", "q81-after-the-defeat-of-trotsky")
    line = _one(con, package, "UPDATE quotes SET text = replace(text, 'Trotsky', 'Trotskii') WHERE quote_id = ?",
                [row["quote_id"]])
    assert line == (f"data/quotes.csv: row {number}: quote `{row['quote_id']}`: text differs from the canonical "
                    f"text at {row['char_start']}-{row['char_end']}")


def test_a_quote_on_the_wrong_page(con, package):
    number, row = _csv_row("quotes", "quote_id", "q81-after-the-defeat-of-trotsky")
    line = _one(con, package, "UPDATE quotes SET page_end = 82 WHERE quote_id = ?", [row["quote_id"]])
    assert line == f"data/quotes.csv: row {number}: quote `{row['quote_id']}`: pages 81-82 but the page map gives 81-81"


def test_a_quote_with_the_wrong_prefix(con, package):
    number, row = _csv_row("quotes", "quote_id", "q81-as-long-as-stalin-faced")
    line = _one(con, package, "UPDATE quotes SET prefix = 'a traitor! ' WHERE quote_id = ?", [row["quote_id"]])
    assert line == f"data/quotes.csv: row {number}: quote `{row['quote_id']}`: prefix/suffix do not match the text around it"


def test_paragraph_offsets_follow_from_the_text(con, package):
    number, row = _csv_row("paragraphs", "paragraph_id", "thom-2015-ewjus-p003")
    line = _one(con, package, "UPDATE paragraphs SET char_start = char_start + 1 WHERE paragraph_id = ?",
                [row["paragraph_id"]])
    assert line.startswith(f"data/paragraphs.csv: row {number}: paragraph offsets {int(row['char_start']) + 1}-")


def test_a_citation_on_the_wrong_page_or_not_in_the_text(con, package):
    number, row = _csv_row("citations", "citation_id", "balaev-236")
    assert _one(con, package, "UPDATE citations SET page = 87 WHERE citation_id = 'balaev-236'") == \
        f"data/citations.csv: row {number}: citation `balaev-236`: page 87 but the page map gives 88"
    con.execute("UPDATE citations SET page = 88, cited_as = 'Balaev 237' WHERE citation_id = 'balaev-236'")
    assert _problems(con, package) == [
        f"data/citations.csv: row {number}: citation `balaev-236`: cited_as differs from the text at its offsets"]


def test_citations_are_checked_against_the_source_they_stand_in(con, package):
    """With two essays in the package, a citation is checked against the text of its `citing_source_id`."""
    con.execute("DELETE FROM paragraphs WHERE source_id <> 'thom-2015-ewjus'; "
                "DELETE FROM page_spans WHERE source_id <> 'thom-2015-ewjus'")
    con.execute("UPDATE paragraphs SET source_id = 'b-second-essay'; UPDATE page_spans SET source_id = 'b-second-essay'")
    con.execute("INSERT INTO paragraphs (paragraph_id, source_id, seq, section, char_start, char_end, page_start, "
                "page_end, text) VALUES ('a-p001', 'a-first-essay', 1, 'body', 0, 9, 1, 1, 'Unrelated')")
    con.execute("INSERT INTO page_spans VALUES ('a-first-essay', 0, 9, 1)")
    check = rules.RULES["citation_text_and_page"].check
    con.execute("UPDATE citations SET citing_source_id = 'b-second-essay'")
    assert check(con, package[1]) == []
    con.execute("UPDATE citations SET citing_source_id = 'a-first-essay' WHERE citation_id = 'balaev-236'")
    assert [v.message for v in check(con, package[1])] == [
        "citation `balaev-236`: cited_as differs from the text at its offsets"]


def test_derived_dates_must_agree_with_the_edtf(con, package):
    number, row = _csv_row("events", "date_edtf", "1943-11-14")
    line = _one(con, package, "UPDATE events SET date_end = DATE '1943-11-15' WHERE event_id = ?", [row["event_id"]])
    assert line == (f"data/events.csv: row {number}: date_start, date_end, date_precision ('1943-11-14', "
                    f"'1943-11-15', 'day') do not agree with date_edtf '1943-11-14' ('1943-11-14', '1943-11-14', 'day')")
    con.execute("UPDATE events SET date_edtf = '1943-24' WHERE event_id = ?", [row["event_id"]])
    found = _problems(con, package)
    assert len(found) == 1 and found[0].startswith(f"data/events.csv: row {number}: `date_edtf`: winter as season code")


def test_each_distinct_date_is_parsed_once(con, package, monkeypatch):
    from histpack.annotate import dates

    calls = []
    real = dates._range  # every reading ends here, by the edtf grammar or by the plain-form path
    monkeypatch.setattr(dates, "_range", lambda value, *rest: calls.append(value) or real(value, *rest))
    dates._derive.cache_clear()
    values = {r[0] for table, column in (("events", "date_edtf"), ("phases", "date_edtf"), ("purges", "date_edtf"),
                                        ("rhetoric", "date_edtf"), ("regimes", "period_edtf"),
                                        ("attestations", "date_edtf"))
              for r in con.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL").fetchall()}
    rows = sum(con.execute(f"SELECT count({c}) FROM {t}").fetchone()[0] for t, c in (
        ("events", "date_edtf"), ("phases", "date_edtf"), ("purges", "date_edtf"), ("rhetoric", "date_edtf"),
        ("regimes", "period_edtf"), ("attestations", "date_edtf")))
    for _ in range(2):
        assert rules.RULES["edtf_dates"].check(con, package[1]) == []
    assert rows > len(values) > 50
    assert sorted(calls) == sorted(values)


def test_the_quick_parse_is_the_edtf_packages_own_reading(con):
    """Level-0/1 grammar first gives the object `edtf.parse_edtf` gives, for every date of the package."""
    from edtf import parse_edtf

    from histpack.annotate.dates import _parse

    values = [r[0] for r in con.execute("SELECT date_edtf FROM events UNION SELECT date_edtf FROM phases "
                                        "UNION SELECT period_edtf FROM regimes UNION SELECT date_edtf FROM rhetoric "
                                        "WHERE date_edtf IS NOT NULL").fetchall() if r[0]]
    for value in values:
        quick, full = _parse(value), parse_edtf(value)
        assert type(quick) is type(full), value
        assert (quick.lower_strict(), quick.upper_strict()) == (full.lower_strict(), full.upper_strict()), value


@pytest.mark.parametrize("sql, table, key, message", [
    ("UPDATE persons SET regime_id = NULL WHERE person_id = 'hitler'", "persons", "hitler",
     "persons row `hitler`: an actor needs `regime_id`"),
    ("UPDATE persons SET regime_id = 'nazi_germani' WHERE person_id = 'hitler'", "persons", "hitler",
     "persons row `hitler`: `regime_id` 'nazi_germani' is not a regime_id in regimes"),
    ("UPDATE quotes SET speaker_id = 'stalin' WHERE quote_id = 'q81-after-the-defeat-of-trotsky'", "quotes",
     "q81-after-the-defeat-of-trotsky", "quote `q81-after-the-defeat-of-trotsky`: an author-voice quote has no speaker_id"),
    ("UPDATE comparisons SET basis = 'inferred', basis_note = NULL WHERE comparison_id = "
     "(SELECT min(comparison_id) FROM comparisons WHERE basis = 'explicit')", "comparisons", None,
     "an inferred comparison needs basis_note saying why"),
    ("DELETE FROM comparison_sides WHERE comparison_id = (SELECT min(comparison_id) FROM comparison_sides) AND side_id = "
     "(SELECT min(side_id) FROM comparison_sides WHERE comparison_id = (SELECT min(comparison_id) FROM comparison_sides))",
     "comparisons", None, "a comparison needs at least two sides"),
    ("UPDATE terms SET quote_id = (SELECT o.quote_id FROM term_occurrences o JOIN quotes q USING (quote_id) "
     "WHERE o.term_id = terms.term_id ORDER BY q.char_start DESC LIMIT 1) WHERE term_id = (SELECT term_id "
     "FROM term_occurrences GROUP BY term_id HAVING count(*) > 1 ORDER BY term_id LIMIT 1)", "terms", None,
     "`quote` must be the term's first occurrence"),
    ("UPDATE phases SET seq = 1 WHERE phase_id = 'prc-collectivization-1956-retreat'", "phases",
     "prc-collectivization-1953-offensive", "phases of prc/collectivization: `seq` values repeat"),
    ("UPDATE phases SET date_start = DATE '1952-01-01' WHERE phase_id = 'prc-collectivization-1956-retreat'", "phases",
     "prc-collectivization-1956-retreat", "starts before `prc-collectivization-1953-offensive` (seq 1)"),
])
def test_cross_table_rules_name_the_row(con, package, sql, table, key, message):
    con.execute(sql)
    found = [v for v in rules.run_rules(con, package[1]) if message in v.message]
    assert len(found) == 1, [v.message for v in rules.run_rules(con, package[1])]
    violation = found[0]
    assert violation.table == table
    if key is not None:
        assert violation.key == (key,)
        number, _ = _csv_row(table, rules._primary_key(package[1], table)[0], key)
        assert violation.rowid + 2 == number


def test_a_rhetoric_quote_must_be_the_speakers(con, package):
    rhetoric_id, quote_id = con.execute("SELECT rhetoric_id, quote_id FROM rhetoric ORDER BY rowid LIMIT 1").fetchone()
    con.execute("UPDATE quotes SET speaker_id = 'hitler' WHERE quote_id = ?", [quote_id])
    messages = [v.message for v in rules.RULES["rhetoric_quotes_the_speaker"].check(con, package[1])]
    assert messages and all(m.startswith("rhetoric row `") for m in messages)
    assert any(m.startswith(f"rhetoric row `{rhetoric_id}`: its quote must be the speaker's own words") for m in messages)


# --- histpack packages and the others --------------------------------------------------------------

THIRD_PARTY_QUOTES = "quote_id,said_by,words\nq1,Ann,Hello\nq2,Bob,Bye\n"


def _third_party(root: Path, marker: bool) -> Path:
    root.mkdir()
    (root / "quotes.csv").write_text(THIRD_PARTY_QUOTES, encoding="utf-8")
    (root / "paragraphs.csv").write_text("n,text\n1,Hello and bye\n", encoding="utf-8")
    (root / "page_spans.csv").write_text("start,end,page\n0,13,1\n", encoding="utf-8")
    fields = {"quotes": ["quote_id", "said_by", "words"], "paragraphs": ["n", "text"],
              "page_spans": ["start", "end", "page"]}
    descriptor = {"name": "someone-elses", "resources": [
        {"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource",
         "schema": {"fields": [{"name": f, "type": "integer" if f in ("n", "start", "end", "page") else "string"}
                               for f in columns]}} for name, columns in fields.items()]}
    if marker:
        descriptor[MARKER] = {"format": FORMAT}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return root


def test_a_third_party_package_with_tables_called_quotes_is_not_held_to_our_rules(tmp_path, cli):
    result = cli(tmp_path, "validate", str(_third_party(tmp_path / "theirs", marker=False)))
    assert result.exit_code == 0, result.stderr


def test_a_package_that_claims_to_be_ours_without_our_columns_is_refused(tmp_path, cli):
    result = cli(tmp_path, "validate", str(_third_party(tmp_path / "claims", marker=True)))
    assert result.exit_code == 1
    assert len(result.errors) == 1 and "says it is a histpack package" in result.errors[0]


def test_our_package_is_recognised_by_its_marker(project, cli):
    number, row = _csv_row("quotes", "quote_id", "q81-after-the-defeat-of-trotsky")
    edit(project / "data/quotes.csv", "the defeat of Trotsky in December 1927", "the defeat of Trotsky in December 1928")
    result = cli(project, "validate", ".")
    assert result.exit_code == 1
    assert result.errors == [f"error: data/quotes.csv: row {number}: quote `{row['quote_id']}`: text differs from the "
                             f"canonical text at {row['char_start']}-{row['char_end']} — the file was changed after "
                             f"the build: restore it or rebuild"]
    descriptor = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    del descriptor[rules.MARKER]
    (project / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = cli(project, "validate", ".")  # now only the file's hash tells it was changed
    assert len(result.errors) == 1 and result.errors[0].startswith("error: data/quotes.csv: the file is not the one")


# --- the build runs the same rules and names the annotation line -------------------------------------

def test_the_build_names_the_annotation_line_of_a_cross_table_rule(project, cli):
    path = project / A / "persons.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("person_id: hitler")
    block_end = text.index("    regime_id: nazi_germany", start)
    path.write_text(text[:block_end] + text[block_end:].replace("    regime_id: nazi_germany\n", "", 1), encoding="utf-8")
    line = text[:start].count("\n") + 1
    result = cli(project, "build", "--no-db")
    assert result.exit_code == 1
    assert result.errors == [f"error: {A}/persons.yaml:{line}: persons row `hitler`: an actor needs `regime_id`"]


# --- a source's text withheld by its rights (a release) --------------------------------------------

def test_a_changed_text_no_longer_matches_its_hash(con, package):
    number, _ = _csv_row("sources", "source_id", "thom-2015-ewjus")
    line = _one(con, package, "UPDATE sources SET text_sha256 = repeat('0', 64) WHERE source_id = 'thom-2015-ewjus'")
    assert line == (f"data/sources.csv: row {number}: source `thom-2015-ewjus`: its paragraphs' text does not match "
                    f"`text_sha256`")


def test_a_text_withheld_where_its_rights_allow_only_quotations_keeps_the_rules(con, package):
    con.execute("UPDATE paragraphs SET text = NULL WHERE source_id = 'thom-2015-ewjus'")
    assert _problems(con, package) == []
    assert rules.withheld_texts(con) == ["thom-2015-ewjus"]


def test_a_withheld_text_still_checks_each_quote_by_its_hash_and_place(con, package):
    con.execute("UPDATE paragraphs SET text = NULL WHERE source_id = 'thom-2015-ewjus'")
    number, row = _csv_row("quotes", "quote_id", "q81-after-the-defeat-of-trotsky")
    line = _one(con, package, "UPDATE quotes SET text = replace(text, 'Trotsky', 'Trotzky') WHERE quote_id = ?",
                [row["quote_id"]])
    assert line == f"data/quotes.csv: row {number}: quote `{row['quote_id']}`: its text does not match `text_sha256`"
    con.execute("UPDATE quotes SET text = replace(text, 'Trotzky', 'Trotsky') WHERE quote_id = ?", [row["quote_id"]])
    line = _one(con, package, "UPDATE quotes SET paragraph_id = 'thom-2015-ewjus-p010' WHERE quote_id = ?",
                [row["quote_id"]])
    assert line == (f"data/quotes.csv: row {number}: quote `{row['quote_id']}`: offsets {row['char_start']}-"
                    f"{row['char_end']} are not inside its paragraph")


def test_a_text_withheld_in_part_or_against_its_rights_is_named(con, package):
    number, _ = _csv_row("sources", "source_id", "thom-2015-ewjus")
    line = _one(con, package, "UPDATE paragraphs SET text = NULL WHERE paragraph_id = 'thom-2015-ewjus-p002'")
    assert line.startswith(f"data/sources.csv: row {number}: source `thom-2015-ewjus`: 1 of its ")
    con.execute("UPDATE paragraphs SET text = NULL WHERE source_id = 'thom-2015-ewjus'")
    con.execute("UPDATE sources SET redistribution = 'full_text' WHERE source_id = 'thom-2015-ewjus'")
    assert _problems(con, package) == [f"data/sources.csv: row {number}: source `thom-2015-ewjus`: its text is "
                                       f"withheld but its rights (`redistribution` full_text) allow the full text"]


def test_quote_words_are_withheld_only_where_even_quotations_are(con, package):
    number, row = _csv_row("quotes", "quote_id", "q81-after-the-defeat-of-trotsky")
    line = _one(con, package, "UPDATE quotes SET text = NULL WHERE quote_id = ?", [row["quote_id"]])
    assert line == (f"data/quotes.csv: row {number}: quote `{row['quote_id']}`: no text, but the rights of "
                    f"`thom-2015-ewjus` allow quotations")
    con.execute("UPDATE sources SET redistribution = 'nothing' WHERE source_id = 'thom-2015-ewjus'")
    assert _problems(con, package) == []
