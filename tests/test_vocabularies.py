"""Content vocabularies are data (`annotations/vocabularies.yaml`): a bad file is one error line
naming its line, a row outside a vocabulary is one line listing the values, and a value added to
the file reaches the schemas, the codebook and DuckDB's ENUM types without a code change."""

from __future__ import annotations

import json

import duckdb
import pytest

from conftest import REPO, edit, outputs

V = "annotations/vocabularies.yaml"


def line_of(path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line)


# Each case breaks the copy's vocabularies.yaml; returns (the line the error must name, words it must say).
def meaning_missing(root):
    edit(root / V, "  trial: A judicial or show trial.", "  trial:")
    return line_of(root / V, "  trial:"), ["`event_type` value `trial` has no meaning"]


def value_not_a_word(root):
    edit(root / V, "  famine: Famine", "  Famine: Famine")
    return line_of(root / V, "  Famine:"), ["'Famine' is not a lower-case word"]


def unknown_vocabulary(root):
    edit(root / V, "\nplace_kind:\n", "\nplace_kinds:\n")
    return line_of(root / V, "place_kinds:"), ["unknown vocabulary `place_kinds`", "did you mean `place_kind`?"]


def not_a_mapping(root):
    edit(root / V, "\nthesis_stance:\n  asserted: The essay argues for it.\n  rejected: The essay argues against it.\n",
         "\nthesis_stance: [asserted, rejected]\n")
    return line_of(root / V, "thesis_stance:"), ["`thesis_stance` is ['asserted', 'rejected'], not a mapping"]


def default_value_missing(root):
    edit(root / V, "  essay: The essay author's own position.\n", "")
    return line_of(root / V, "school:"), ["`school` lacks `essay`", "theses.held_by"]


CASES = [meaning_missing, value_not_a_word, unknown_vocabulary, not_a_mapping, default_value_missing]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_a_bad_vocabulary_file_is_one_line_naming_its_line(case, project, cli):
    line, words = case(project)
    before = outputs(project)
    result = cli(project, "build", "--no-db")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert len(result.errors) == 1, result.errors
    assert result.errors[0].startswith(f"error: {V}:{line}: "), result.errors[0]
    for word in words:
        assert word in result.errors[0], (word, result.errors[0])
    assert outputs(project) == before


def test_a_row_outside_its_vocabulary_is_one_line_listing_the_values(project, cli):
    p = project / "annotations" / "comparisons.yaml"
    edit(p, "relation: analogy", "relation: analogue")
    result = cli(project, "build", "--no-db")
    assert result.exit_code == 1 and len(result.errors) == 1, result.errors
    message = result.errors[0]
    assert message.startswith(f"error: annotations/comparisons.yaml:"), message
    assert "`relation` is 'analogue', not one of the allowed values — allowed: similarity, difference, analogy" in message


def test_a_value_added_to_the_file_reaches_schema_codebook_and_duckdb(project, cli):
    edit(project / V, "  assassination: The killing", "  rally: A mass meeting of supporters.\n  assassination: The killing")
    edit(project / V, "  island: An island", "  isle: An island")  # a value renamed in the file and its rows
    prc = project / "annotations" / "prc.yaml"
    prc.write_text(prc.read_text(encoding="utf-8").replace("kind: island", "kind: isle"), encoding="utf-8")
    p = project / "annotations" / "ussr-events.yaml"
    edit(p, "event_type: party_meeting", "event_type: rally")
    result = cli(project, "build", "--db", "build/v.duckdb")
    assert result.exit_code == 0, result.stderr
    events = json.loads((project / "schemas" / "events.json").read_text(encoding="utf-8"))
    enum = next(f for f in events["fields"] if f["name"] == "event_type")["constraints"]["enum"]
    assert enum[-4:] == ["intelligence", "rally", "assassination", "other"]  # in the file's order
    places = json.loads((project / "schemas" / "places.json").read_text(encoding="utf-8"))
    assert next(f for f in places["fields"] if f["name"] == "kind")["constraints"]["enum"][-1] == "isle"
    assert "| `rally` | A mass meeting of supporters. |" in (project / "CODEBOOK.md").read_text(encoding="utf-8")
    con = duckdb.connect(str(project / "build" / "v.duckdb"), read_only=True)
    try:
        column_type = con.execute("SELECT data_type FROM duckdb_columns() WHERE table_name = 'events' "
                                  "AND column_name = 'event_type'").fetchone()[0]
        assert con.execute("SELECT count(*) FROM events WHERE event_type = 'rally'").fetchone()[0] == 1
    finally:
        con.close()
    assert column_type.startswith("ENUM(") and "'rally'" in column_type


def test_the_codebook_needs_only_the_built_package(tmp_path):
    """Values and meanings ride in the package (the schemas' `categories`): a copy of the package
    alone renders the committed codebook, and a meaning changed there is the one the codebook shows."""
    import shutil

    from histpack.engine.reader import Package
    from histpack.outputs.codebook import render

    package = tmp_path / "package"
    package.mkdir()
    shutil.copy2(REPO / "datapackage.json", package)
    for folder in ("data", "schemas"):
        shutil.copytree(REPO / folder, package / folder)
    assert render(Package.open(package)) == (REPO / "CODEBOOK.md").read_text(encoding="utf-8")
    schema_path = package / "schemas" / "events.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    field = next(f for f in schema["fields"] if f["name"] == "event_type")
    next(c for c in field["categories"] if c["value"] == "trial")["label"] = "Relabelled in the package."
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    assert "| `trial` | Relabelled in the package. |" in render(Package.open(package))


def test_an_export_of_the_package_alone_keeps_the_meanings(tmp_path, monkeypatch, cli):
    """Outside any project, the export of a package alone carries the meanings its schemas record."""
    import shutil

    import pyarrow.parquet as pq

    package = tmp_path / "package"
    package.mkdir()
    shutil.copy2(REPO / "datapackage.json", package)
    for folder in ("data", "schemas"):
        shutil.copytree(REPO / folder, package / folder)
    result = cli(tmp_path, "export", "--package", str(package), "--format", "parquet", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    meta = pq.read_schema(tmp_path / "out" / "events.parquet").field("event_type").metadata
    assert json.loads(meta[b"vocabulary"])["trial"] == "A judicial or show trial."


def test_rows_are_checked_against_the_vocabularies_they_are_given():
    """No process-wide vocabularies: the same row is valid against one project's values and refused
    against another's, in one process, in either order, and refused when none are given."""
    from pydantic import ValidationError

    from histpack.model import models as m

    values = {"thesis_id": "t", "statement": "s", "topic": "dissimulation", "stance": "asserted", "quote_id": "q",
              "source_id": "s"}
    ours = m.load_vocabularies(REPO)
    other = {**ours, "thesis_topic": {"weather": "Rain and sun."}}
    assert m.validate_row(m.Thesis, values, ours).topic == "dissimulation"
    with pytest.raises(ValidationError, match="Input should be 'weather'"):
        m.validate_row(m.Thesis, values, other)
    assert m.validate_row(m.Thesis, values, ours).topic == "dissimulation"
    with pytest.raises(ValidationError, match="no content vocabularies"):
        m.Thesis(**values)
