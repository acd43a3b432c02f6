"""A corpus of two analysed sources, built from data only: the project plus the labelled fixture
source of `tests/fixtures/second-source/` (not a real text). Every table, view and command is
checked on it, and the single-source package of the repository is unchanged by the mechanism."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from conftest import REPO, copy_project

FIXTURE = REPO / "tests" / "fixtures" / "second-source"
SECOND = "fixture-second-source"
FIRST = "thom-2015-ewjus"


def only_the_essay(root: Path) -> None:
    """The repository's further analysed sources out of the copy: the corpus here is the essay and the fixture."""
    import yaml

    removed = []
    for metadata in (root / "sources").glob("*.yaml"):
        data = yaml.safe_load(metadata.read_text(encoding="utf-8"))
        if data["source_id"] != FIRST:
            (root / "sources" / data["text_file"]).unlink()
            metadata.unlink()
            removed.append(data["source_id"])
    for path in (root / "annotations").glob("*.yaml"):
        # a file of another source, or one of the essay's that attests another source's rows (named after it)
        if (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("source", FIRST) != FIRST \
                or any(source_id in path.name for source_id in removed):
            path.unlink()


def add_fixture_source(root: Path) -> None:
    only_the_essay(root)
    for folder in ("sources", "annotations"):
        for path in (FIXTURE / folder).iterdir():
            shutil.copy2(path, root / folder / path.name)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    from histpack.pipeline.build import build

    root = copy_project(tmp_path_factory.mktemp("corpus") / "project")
    add_fixture_source(root)
    build(root, db_path=Path("build/corpus.duckdb"))
    return root


@pytest.fixture(scope="module")
def con(corpus):
    connection = duckdb.connect(str(corpus / "build" / "corpus.duckdb"), read_only=True)
    yield connection
    connection.close()


def rows(root: Path, table: str) -> list[dict]:
    with open(root / "data" / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def invoke(*args: str):
    from histpack.cli.app import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_both_sources_are_analysed_and_described(corpus):
    sources = {r["source_id"]: r for r in rows(corpus, "sources")}
    assert sources[FIRST]["role"] == sources[SECOND]["role"] == "analyzed"
    descriptor = json.loads((corpus / "datapackage.json").read_text(encoding="utf-8"))
    titles = [s["title"] for s in descriptor["sources"]]
    assert titles == ["“A fixture text for histpack's tests”",
                      "Françoise Thom, “Reflections on Stalin and the Holodomor”, East/West: Journal of Ukrainian "
                      "Studies 2, no. 1 (2015): 81-92"]
    assert descriptor["sources"][0]["license"] == "Written for histpack's tests; not a real source"


def test_each_source_has_its_own_text_and_page_map(corpus):
    paragraphs = rows(corpus, "paragraphs")
    assert {p["source_id"] for p in paragraphs} == {FIRST, SECOND}
    fixture = [p for p in paragraphs if p["source_id"] == SECOND]
    assert [p["paragraph_id"] for p in fixture][:2] == [f"{SECOND}-p001", f"{SECOND}-p002"]
    assert {p["page_start"] for p in fixture} == {"1", "2"}  # the leading space of the last line starts page 2
    assert {s["source_id"] for s in rows(corpus, "page_spans")} == {FIRST, SECOND}


def test_every_evidence_row_names_the_source_of_its_quote(corpus):
    quotes = {q["quote_id"]: q["source_id"] for q in rows(corpus, "quotes")}
    descriptor = json.loads((corpus / "datapackage.json").read_text(encoding="utf-8"))
    evidence = [r["name"] for r in descriptor["resources"] if r["name"] != "quotes"
                and {"quote_id", "source_id"} <= {f["name"] for f in
                                                 json.loads((corpus / r["schema"]).read_text())["fields"]}]
    assert set(evidence) >= {"persons", "places", "regimes", "events", "phases", "purges", "rhetoric", "theses",
                             "comparisons", "comparison_sides", "terms", "term_occurrences", "attestations"}
    seen = set()
    for table in evidence:
        for row in rows(corpus, table):
            assert row["source_id"] == quotes[row["quote_id"]], (table, row)
            seen.add(row["source_id"])
    assert seen == {FIRST, SECOND}
    fixture_event = next(r for r in rows(corpus, "events") if r["event_id"] == "1929-12-fixture-assault-on-villages")
    assert fixture_event["source_id"] == SECOND


def test_citations_say_which_source_they_stand_in(corpus):
    citations = rows(corpus, "citations")
    assert citations and {c["citing_source_id"] for c in citations} == {FIRST}
    assert all(c["source_id"] != c["citing_source_id"] for c in citations)  # the cited work is another column


def test_attestations_and_the_source_dates_view(con):
    attested = con.execute("select attestation_id, source_id, coalesce(event_id, phase_id, place_id), date_edtf "
                           "from attestations order by 1").fetchall()
    assert attested == [("fixture-dizzy-with-success", SECOND, "1930-03-02-dizzy-with-success", "1930-03-02"),
                        ("fixture-famine", SECOND, "ussr-collectivization-1932-1933-famine", "1932/1933"),
                        ("fixture-great-leap", SECOND, "1957-1958-great-leap-forward", "1958"),
                        ("fixture-revolts-ukraine", SECOND, "1930-02-peasant-revolts-ukraine", "1930-21"),
                        ("fixture-seed-grain", SECOND, "1932-12-seed-grain-confiscation", "1932-12"),
                        ("fixture-ukraine", SECOND, "ukraine", None),
                        ("thom-evdokimov-liquidation-wrong", FIRST, None, None),
                        ("thom-frinovskii-arrest-confession", FIRST, None, None)]
    agreement = dict(con.execute("select entity_id, agreement from source_dates").fetchall())
    assert agreement.pop("ussr-collectivization-1932-1933-famine") == "nested"
    assert agreement == {"1930-03-02-dizzy-with-success": "same", "1932-12-seed-grain-confiscation": "same",
                         "1930-02-peasant-revolts-ukraine": "nested", "1957-1958-great-leap-forward": "nested"}
    both = con.execute("select source_id, origin from entity_evidence where entity_id = 'ukraine' "
                       "order by source_id").fetchall()
    assert both == [(SECOND, "attestation"), (FIRST, "row")]


def test_source_dates_tells_disagreement_from_overlap(con):
    """The view's classification, on the dates the two sources give (a scratch copy of its inputs)."""
    scratch = duckdb.connect()
    try:
        scratch.execute("create table entity_evidence (entity_kind varchar, entity_id varchar, label varchar, "
                        "source_id varchar, date_edtf varchar, quote_id varchar, page integer, date_start date, "
                        "date_end date, attestation_id varchar, date_basis varchar)")
        scratch.execute("""insert into entity_evidence values
            ('event', 'e1', 'x', 'a', '1930', 'qa', 1, '1930-01-01', '1930-12-31', NULL, 'explicit'),
            ('event', 'e1', 'x', 'b', '1931', 'qb', 1, '1931-01-01', '1931-12-31', 'b-e1', 'explicit'),
            ('event', 'e2', 'y', 'a', '1930/1931', 'qa', 1, '1930-01-01', '1931-12-31', NULL, 'inferred'),
            ('event', 'e2', 'y', 'b', '1931/1932', 'qb', 1, '1931-01-01', '1932-12-31', 'b-e2', 'explicit')""")
        sql = con.execute("select sql from duckdb_views() where view_name = 'source_dates'").fetchone()[0]
        scratch.execute(sql)
        assert scratch.execute("select entity_id, attestation_b, agreement, basis_a, basis_b from source_dates "
                               "order by 1").fetchall() \
            == [("e1", "b-e1", "differ", "explicit", "explicit"), ("e2", "b-e2", "overlap", "inferred", "explicit")]
    finally:
        scratch.close()


def test_validate_accepts_the_corpus_and_refuses_a_source_mismatch(corpus, tmp_path):
    assert invoke("validate", "--package", str(corpus)).exit_code == 0
    broken = tmp_path / "broken"
    shutil.copytree(corpus, broken, ignore=shutil.ignore_patterns("build"))
    path = broken / "data" / "attestations.csv"
    path.write_bytes(path.read_bytes().replace(f",{SECOND},".encode(), f",{FIRST},".encode(), 1))
    result = invoke("validate", "--package", str(broken))
    assert result.exit_code == 1
    assert "data/attestations.csv: row 2: attestations row `fixture-dizzy-with-success`: `source_id` " \
           f"'{FIRST}' but its quote is from '{SECOND}'" in result.stderr


def test_compare_and_timeline_by_source(corpus, tmp_path):
    everything = invoke("compare", "ussr", "prc", "--package", str(corpus))
    assert everything.exit_code == 0 and "— Thom 2015, " in everything.stdout
    only_fixture = invoke("compare", "ussr", "prc", "--source", SECOND, "--package", str(corpus))
    assert only_fixture.exit_code == 0
    assert only_fixture.stdout.strip() == "no comparison between ussr and prc"
    wrong = invoke("compare", "ussr", "prc", "--source", "nope", "--package", str(corpus))
    assert wrong.exit_code == 1
    assert wrong.stderr.strip() == (f"error: --source nope: names no analysed source of the package — "
                                    f"analysed sources: {SECOND}, {FIRST}")
    svg = tmp_path / "t.svg"
    assert invoke("timeline", "--out", str(svg), "--source", SECOND, "--package", str(corpus)).exit_code == 0
    assert "Fixture: events, campaigns, purges and rhetoric" in svg.read_text(encoding="utf-8")
    assert invoke("timeline", "--out", str(svg), "--package", str(corpus)).exit_code == 0
    assert "Fixture · Thom 2015: events, campaigns, purges and rhetoric" in svg.read_text(encoding="utf-8")


def test_timeline_items_hold_every_date_the_source_gives(corpus, con):
    from histpack.outputs.timeline import timeline_items

    everything, _ = timeline_items(con)
    fixture, _ = timeline_items(con, SECOND)
    attested = {(a["attestation_id"], a["date_edtf"]) for a in rows(corpus, "attestations")
                if a["source_id"] == SECOND and a["date_edtf"]}
    own = {(e["event_id"], e["date_edtf"]) for e in rows(corpus, "events") if e["source_id"] == SECOND}
    assert len(attested) >= 5 and own
    assert {(i.attestation_id, i.date_edtf) for i in fixture if i.attestation_id} == attested
    assert {(i.item_id, i.date_edtf) for i in fixture if not i.attestation_id} == own
    assert ("phase", "ussr-collectivization-1932-1933-famine", "fixture-famine", "attestations", "1932/1933") in [
        (i.kind, i.item_id, i.attestation_id, i.table, i.date_edtf) for i in fixture]
    assert {i.source_id for i in everything} == {FIRST, SECOND}
    assert set(fixture) < set(everything)


def test_cite_names_each_source(corpus):
    dataset = invoke("cite", "--format", "bibtex", "--package", str(corpus))
    assert "Encodes “A fixture text for histpack's tests”; Françoise Thom, “Reflections" in dataset.stdout
    ambiguous = invoke("cite", "--what", "essay", "--package", str(corpus))
    assert ambiguous.exit_code == 1 and "the package encodes 2 sources: say which one" in ambiguous.stderr
    fixture = invoke("cite", "--what", "essay", "--source", SECOND, "--format", "ris", "--package", str(corpus))
    assert fixture.stdout.splitlines() == ["TY  - GEN", "TI  - A fixture text for histpack's tests", "ER  - "]
    row = invoke("cite", "--row", "attestations:fixture-seed-grain", "--package", str(corpus))
    assert row.stdout.startswith("Fixture, 2\n“In December 1932 the seed grain was taken")
    cff = (corpus / "CITATION.cff").read_text(encoding="utf-8")
    assert "the sources it encodes" in cff and cff.count("- type: ") == 2


def test_coverage_per_source(corpus):
    result = invoke("coverage", "--source", SECOND, "--package", str(corpus))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"{SECOND}:"
    assert f"{FIRST}:" not in result.stdout


def test_query_export_and_sqlite_carry_the_new_table_and_views(corpus, tmp_path):
    query = invoke("query", "--format", "csv", "select count(*) as n from source_dates", "--package", str(corpus))
    assert query.exit_code == 0 and query.stdout.splitlines()[-1] == "5"
    out = tmp_path / "corpus.sqlite"
    assert invoke("export", "--format", "sqlite", "--out", str(out), "--package", str(corpus)).exit_code == 0
    import sqlite3

    lite = sqlite3.connect(out)
    try:
        assert lite.execute("select count(*) from attestations").fetchone() == (8,)
        assert lite.execute("select count(*) from source_dates").fetchone() == (5,)
    finally:
        lite.close()


def test_a_file_without_its_source_among_several_is_one_error_per_file(corpus, tmp_path):
    from histpack.pipeline.build import build
    from histpack.project.errors import BuildErrors

    root = copy_project(tmp_path / "p")
    add_fixture_source(root)
    path = root / "annotations" / "terms.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(f"source: {FIRST}", "", 1), encoding="utf-8")
    with pytest.raises(BuildErrors) as caught:
        build(root, db_path=None)
    lines = [str(e) for e in caught.value.errors]
    assert len(lines) == 1 and lines[0].startswith("annotations/terms.yaml:")
    assert "several analysed sources: the file must say which one its quotes are from" in lines[0]


def test_the_readme_steps_add_a_source(tmp_path):
    """The README's "Adding a source", step by step, on a copy of the project."""
    import hashlib
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Adding a source", 1)[1].split("\n#", 1)[0]
    steps = re.findall(r"^(\d)\. ", section, flags=re.M)
    assert steps == ["1", "2", "3", "4"]
    root = copy_project(tmp_path / "p")
    only_the_essay(root)
    # 1. the text, as received
    text = root / "sources" / "my-source.txt"
    text.write_bytes((FIXTURE / "sources" / f"{SECOND}.txt").read_bytes())
    # 2. its yaml: source_id, text_file, sha256, record with role: analyzed and cited_as, layout
    (root / "sources" / "my-source.yaml").write_text(
        "source_id: my-source\ntext_file: my-source.txt\n"
        f"sha256: {hashlib.sha256(text.read_bytes()).hexdigest()}\n"
        "record: {role: analyzed, cited_as: Mine}\n"
        "layout: {first_page: 1, last_page: 2, sections: [{name: body, starts: FIXTURE TEXT}]}\n", encoding="utf-8")
    # 3. annotations that begin with `source:`
    (root / "annotations" / "my-source-attestations.yaml").write_text(
        "source: my-source\nattestations:\n"
        "  - attestation_id: mine-seed-grain\n    event_id: 1932-12-seed-grain-confiscation\n"
        "    quote: In December 1932 the seed grain was taken\n    date_edtf: 1932-12\n", encoding="utf-8")
    # 4. build
    result = invoke("build", "--db", "build/mine.duckdb", "--package", str(root))
    assert result.exit_code == 0, result.stderr
    query = invoke("query", "--format", "csv", "--package", str(root),
                   "select source_a, date_a, source_b, date_b, agreement from source_dates")
    assert query.stdout.splitlines() == ["source_a,date_a,source_b,date_b,agreement",
                                         "my-source,1932-12,thom-2015-ewjus,1932-12,same"]
    coverage = invoke("coverage", "--source", "my-source", "--no-list", "--package", str(root))
    assert coverage.exit_code == 0 and "sentences covered: 1/" in coverage.stdout


def test_quote_ids_stay_unique_when_two_sources_share_words_and_offsets(tmp_path):
    from histpack.pipeline.build import build

    root = copy_project(tmp_path / "p")
    add_fixture_source(root)
    for suffix in ("txt", "yaml"):
        data = (FIXTURE / "sources" / f"{SECOND}.{suffix}").read_text(encoding="utf-8")
        (root / "sources" / f"fixture-copy.{suffix}").write_text(data.replace(SECOND, "fixture-copy"), encoding="utf-8")
    (root / "annotations" / "fixture-copy.yaml").write_text(
        "source: fixture-copy\nattestations:\n  - attestation_id: copy-seed-grain\n"
        "    event_id: 1932-12-seed-grain-confiscation\n"
        "    quote: In December 1932 the seed grain was taken from the collective farms.\n", encoding="utf-8")
    build(root, db_path=None)
    quotes = {(q["source_id"], q["quote_id"]) for q in rows(root, "quotes") if "seed" in q["quote_id"]}
    assert quotes == {("fixture-copy", "q2-in-december-1932-the-seed-423-491-fixture-copy"),
                      (SECOND, "q2-in-december-1932-the-seed-423-491-fixture-second-source")}
