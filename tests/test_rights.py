"""Text rights as data: each `sources/<id>.yaml` states what of its text may be redistributed; the
statement reaches the `sources` table and the descriptor, and a wrong one is one line at its key."""

from __future__ import annotations

import csv
import hashlib

from conftest import REPO, edit


def _sources() -> dict[str, dict]:
    with open(REPO / "data/sources.csv", encoding="utf-8", newline="") as f:
        return {r["source_id"]: r for r in csv.DictReader(f)}


def test_each_analysed_source_states_its_rights_and_the_hash_of_its_text(canonical):
    rows = _sources()
    analysed = {sid: r["redistribution"] for sid, r in rows.items() if r["role"] == "analyzed"}
    assert analysed == {"thom-2015-ewjus": "quotations", "canada-2008-holodomor-act": "full_text",
                        "cia-factbook-2026-russia": "full_text", "cia-factbook-2026-ukraine": "full_text"}
    assert {r["redistribution"] for r in rows.values() if r["role"] == "cited"} == {""}
    assert rows["thom-2015-ewjus"]["text_sha256"] == hashlib.sha256(canonical.text.encode("utf-8")).hexdigest()
    import json

    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    assert {s["title"].split(",")[0]: s["redistribution"] for s in descriptor["sources"]}["Françoise Thom"] == "quotations"


def test_a_source_without_a_statement_is_quotations_only(tmp_path):
    from histpack.text.canonical import SourceMetadata

    path = tmp_path / "sources" / "x.yaml"
    path.parent.mkdir()
    text = (REPO / "sources/canada-2008-holodomor-act.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("redistribution: full_text\n", ""), encoding="utf-8")
    assert SourceMetadata.load(path).redistribution == "quotations"


def test_a_wrong_statement_is_one_line_at_its_key(project, cli):
    edit(project / "sources/canada-2008-holodomor-act.yaml", "redistribution: full_text", "redistribution: all")
    line = next(n for n, text in enumerate((project / "sources/canada-2008-holodomor-act.yaml")
                                            .read_text(encoding="utf-8").splitlines(), 1) if text.startswith("redis"))
    result = cli(project, "build", "--no-db")
    assert result.exit_code == 1
    assert result.errors == [f"error: sources/canada-2008-holodomor-act.yaml:{line}: source metadata `redistribution` "
                             f"is 'all': Input should be 'full_text', 'quotations' or 'nothing' — fix it at that line "
                             f"(docs/architecture.md, “Adding a source” describes every key)"]


def test_a_text_that_may_not_be_redistributed_at_all_leaves_only_offsets_pages_and_hashes(project, cli, tmp_path):
    """`nothing`: the public package holds none of the text's words (not even its quotes'), still validates,
    and the text file restores it to the working package's bytes."""
    import csv as csvmodule
    import io

    from histpack.checks.validate import validate_package
    from histpack.outputs.withhold import public_files, restore_text

    act = "canada-2008-holodomor-act"
    edit(project / f"sources/{act}.yaml", "redistribution: full_text", "redistribution: nothing")
    assert cli(project, "build", "--no-db").exit_code == 0
    files = public_files(project)
    quotes = [q for q in csvmodule.DictReader(io.StringIO(files["data/quotes.csv"].decode())) if q["source_id"] == act]
    assert quotes and {q["text"] + q["prefix"] + q["suffix"] for q in quotes} == {""}
    assert all(len(q["text_sha256"]) == 64 for q in quotes)
    assert f"sources/{act}.txt" not in files and f"sources/{act}.yaml" in files
    words = [q["text"] for q in csvmodule.DictReader(open(project / "data/quotes.csv", encoding="utf-8"))
             if q["source_id"] == act and len(q["text"]) > 20]
    text_tables = (files["data/quotes.csv"] + files["data/paragraphs.csv"]).decode("utf-8")
    assert words and [w for w in words if w in text_tables] == []
    released = tmp_path / "released"
    for relative, data in files.items():
        (released / relative).parent.mkdir(parents=True, exist_ok=True)
        (released / relative).write_bytes(data)
    assert validate_package(released) == []
    restore_text(released, act, project / f"sources/{act}.txt")
    for name in ("data/paragraphs.csv", "data/quotes.csv"):  # the act's rows as built (the essay stays withheld)
        restored, built = ([r for r in csvmodule.DictReader(open(root / name, encoding="utf-8")) if r["source_id"] == act]
                           for root in (released, project))
        assert restored == built, name
    assert validate_package(released) == []
