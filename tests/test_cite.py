"""`histpack cite`: references that parse and render, pinpoint row citations, nothing invented."""

from __future__ import annotations

from pathlib import Path
import json
import shutil
import subprocess
import sys

import bibtexparser
import pytest
import yaml

from histpack.engine.reader import Package
from histpack.outputs.cite import cff, cite_row, pinpoint, reference
from conftest import REPO

DOI = "10.21226/T2TG6W20"
THOM = "thom-2015-ewjus"  # the package encodes several sources: the essay is cited by its id


def histpack(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "histpack.cli.app", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def pkg() -> Package:
    return Package.open(REPO)


@pytest.fixture(scope="module")
def descriptor() -> dict:
    return json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def record() -> dict:
    return yaml.safe_load((REPO / "sources/thom-2015-ewjus.yaml").read_text(encoding="utf-8"))["record"]


@pytest.fixture(scope="module")
def project_meta() -> dict:
    """histpack.yaml as a person wrote it: the source of the release date and version."""
    return yaml.safe_load((REPO / "histpack.yaml").read_text(encoding="utf-8"))


def parse_one(text: str):
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert len(library.entries) == 1
    return library.entries[0]


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_essay_bibtex_parses_with_doi_and_pages(pkg, record, fmt):
    entry = parse_one(reference(pkg, fmt, "essay", THOM))
    assert entry.entry_type == "article"
    assert entry.fields_dict["doi"].value == DOI == record["doi"]
    assert entry.fields_dict["pages"].value == "81--92"
    assert entry.fields_dict["title"].value == "{Reflections on Stalin and the Holodomor}"
    assert entry.fields_dict["author"].value == "Thom, Françoise"
    assert entry.fields_dict["volume"].value == "2" and entry.fields_dict["number"].value == "1"


@pytest.mark.parametrize("fmt,kind", [("bibtex", "misc"), ("biblatex", "dataset")])
def test_dataset_bibtex_from_the_descriptor_without_a_made_up_doi(pkg, descriptor, project_meta, fmt, kind):
    entry = parse_one(reference(pkg, fmt, "dataset"))
    assert entry.entry_type == kind
    released = project_meta["released"]
    if fmt == "bibtex":
        assert entry.fields_dict["year"].value == str(released.year)
    else:
        assert entry.fields_dict["date"].value == released.isoformat()
    assert descriptor["version"] == project_meta["version"]
    assert entry.key == descriptor["name"]
    assert entry.fields_dict["title"].value == "{" + descriptor["title"] + "}"
    assert entry.fields_dict["version"].value == descriptor["version"]
    authors = [c["title"] for c in descriptor["contributors"] if c.get("role") == "author"]
    assert entry.fields_dict["author"].value == " and ".join("{" + a + "}" for a in authors)
    assert "doi" not in entry.fields_dict and "url" not in entry.fields_dict
    assert DOI in entry.fields_dict["note"].value  # the essay's DOI, named as the essay's


def test_cli_bibtex_is_the_dataset_reference():
    result = histpack("cite", "--format", "bibtex")
    assert result.returncode == 0, result.stderr
    assert parse_one(result.stdout).key == "thom-2015-holodomor"


def _render(items: list[dict]) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return "\n".join(str(entry) for entry in bibliography.bibliography())


def test_csl_json_of_the_essay_renders_with_citeproc(pkg):
    items = json.loads(reference(pkg, "csl-json", "essay", THOM))
    text = _render(items)
    assert "Reflections on Stalin and the Holodomor" in text
    assert "Thom" in text and "2015" in text and "81" in text and "92" in text


@pytest.mark.filterwarnings("ignore:The following arguments for Reference are unsupported")
def test_csl_json_of_the_dataset_renders_with_citeproc(pkg, descriptor, project_meta):
    items = json.loads(reference(pkg, "csl-json", "dataset"))
    assert items[0]["version"] == descriptor["version"]
    assert "DOI" not in items[0] and "URL" not in items[0]
    text = _render(items)
    assert descriptor["title"] in text
    assert f"histpack contributors ({project_meta['released'].year})" in text and "n.d." not in text


def test_ris_and_apa(pkg, project_meta):
    ris = reference(pkg, "ris", "essay", THOM).splitlines()
    assert ris[0] == "TY  - JOUR" and ris[-1] == "ER  - "
    assert {"SP  - 81", "EP  - 92", f"DO  - {DOI}", "AU  - Thom, Françoise"} <= set(ris)
    dataset_ris = reference(pkg, "ris", "dataset").splitlines()
    assert dataset_ris[0] == "TY  - DATA" and f"PY  - {project_meta['released'].year}" in dataset_ris
    assert "AU  - histpack contributors" in dataset_ris
    assert reference(pkg, "apa", "essay", THOM) == (
        "Thom, F. (2015). Reflections on Stalin and the Holodomor. East/West: Journal of Ukrainian Studies, "
        "2(1), 81–92. https://doi.org/10.21226/T2TG6W20\n")
    assert reference(pkg, "apa", "dataset").startswith(f"histpack contributors. ({project_meta['released'].year}). "
                                                        "Stalin,")


def test_committed_citation_cff_is_the_generated_one(pkg):
    assert (REPO / "CITATION.cff").read_text(encoding="utf-8") == cff(pkg)


def test_citation_cff_content(pkg, descriptor, record, project_meta):
    doc = yaml.safe_load(cff(pkg))
    assert doc["cff-version"] == "1.2.0" and doc["type"] == "dataset"
    assert doc["title"] == descriptor["title"] and doc["version"] == descriptor["version"] == project_meta["version"]
    assert doc["date-released"] == project_meta["released"].isoformat()  # a string, as the CFF schema wants
    assert doc["license"] == "CC-BY-4.0"  # one SPDX identifier: the data's; MIT (code) is named in the message
    assert "MIT (code)" in doc["message"]
    assert "doi" not in doc and "url" not in doc and "repository-code" not in doc
    (essay,) = [r for r in doc["references"] if r.get("doi")]
    assert essay["doi"] == record["doi"] and (essay["start"], essay["end"]) == ("81", "92")
    assert essay["authors"] == [{"family-names": "Thom", "given-names": "Françoise"}]


def test_cff_is_only_for_the_dataset():
    result = histpack("cite", "--what", "essay", "--format", "cff")
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1


def test_row_citation_gives_page_and_words():
    result = histpack("cite", "--row", "rhetoric:goebbels-cut-the-bridges")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Thom 2015, 90"
    assert lines[1].startswith("“We have gone so far, especially in the Jewish question")
    assert "a people who have cut the bridges behind them" in lines[1]
    assert "Goebbels 78-79" in lines[2]
    assert lines[3].startswith("Row rhetoric:goebbels-cut-the-bridges (quote q90-we-have-gone-so-far) in: ")


def test_row_citation_uses_the_quote_of_the_row(pkg, db):
    quotes = {q["quote_id"]: q for q in pkg.rows("quotes")}
    read_as = dict(db.execute("select quote_id, text_sic from quote_context").fetchall())
    cited_as = {s["source_id"]: s["cited_as"] for s in pkg.rows("sources")}
    pages: dict[str, set] = {}
    for span in pkg.rows("page_spans"):
        pages.setdefault(span["source_id"], set()).add(span["page"])
    paginated = {s["source_id"] for s in pkg.rows("sources") if s["pages"] or len(pages.get(s["source_id"], ())) > 1}
    keyed = [("rhetoric", r, r["rhetoric_id"]) for r in pkg.rows("rhetoric")]
    keyed += [("events", r, r["event_id"]) for r in pkg.rows("events")]
    keyed += [("comparison_sides", r, f"{r['comparison_id']}/{r['side_id']}") for r in pkg.rows("comparison_sides")]
    for table, row, key in keyed:
        cited = cite_row(pkg, f"{table}:{key}")
        quote = quotes[row["quote_id"]]
        assert cited.text == read_as[quote["quote_id"]]  # the words, with “[sic]” after the source's own slips
        assert cited.text.replace(" [sic]", "") == quote["text"]
        if quote["source_id"] in paginated:
            assert cited.pinpoint == f"{cited_as[quote['source_id']]}, {pinpoint(quote['page_start'], quote['page_end'])}"
        else:  # a statute or a web page has no printed page to cite
            assert cited.pinpoint == cited_as[quote["source_id"]]
    assert cite_row(pkg, "events:1930-12-19-rykov-fired").pinpoint.startswith("Thom 2015, ")
    assert {q["source_id"] for q in quotes.values()} - paginated, "the package has sources without printed pages"


def test_page_ranges_use_an_en_dash(pkg):
    assert pinpoint(86, 87) == "86–87" and pinpoint("86", "86") == "86"
    spanning = next(p for p in pkg.rows("paragraphs") if p["page_start"] != p["page_end"])
    cited = cite_row(pkg, f"paragraphs:{spanning['paragraph_id']}")
    assert cited.pinpoint == f"Thom 2015, {spanning['page_start']}–{spanning['page_end']}"


@pytest.mark.parametrize("spec,message", [
    ("rhetoric:no-such-row", "no row `no-such-row` in rhetoric"),
    ("nowhere:x", "unknown table `nowhere`"),
    ("rhetoric", "expected TABLE:ID"),
    ("event_persons:1929-12-14-bauman-memorandum", "rows are named by event_id/person_id"),
])
def test_bad_row_is_one_error_line(spec, message):
    result = histpack("cite", "--row", spec)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_dataset_metadata_is_read_from_the_package(tmp_path):
    for name in ("data", "schemas"):
        shutil.copytree(REPO / name, tmp_path / name)
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["title"] = "Another title"
    descriptor["version"] = "9.8.7"
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = histpack("cite", "--format", "bibtex", "--package", str(tmp_path))
    entry = parse_one(result.stdout)
    assert entry.fields_dict["title"].value == "{Another title}"
    assert entry.fields_dict["version"].value == "9.8.7"


def test_an_institution_is_one_author_and_a_statute_is_cited_as_one():
    """`author_type: organization` keeps "Parliament of Canada" whole; `work_type` picks each format's type."""
    from histpack.engine.reader import Package
    from histpack.outputs.cite import cff_reference, csl_essay_item, essay, reference

    pkg = Package.open(REPO)
    act = essay(pkg, "canada-2008-holodomor-act")
    assert act["author_type"] == "organization" and act["work_type"] == "legislation"
    ref = cff_reference(act)
    assert (ref["type"], ref["authors"], ref["collection-title"]) == (
        "statute", [{"name": "Parliament of Canada"}], "Statutes of Canada")
    assert "journal" not in ref
    assert csl_essay_item(act)["type"] == "legislation"
    assert csl_essay_item(act)["author"] == [{"literal": "Parliament of Canada"}]
    bib = reference(pkg, "bibtex", "essay", "canada-2008-holodomor-act")
    assert bib.startswith("@misc{") and "author       = {{Parliament of Canada}}" in bib
    assert reference(pkg, "biblatex", "essay", "canada-2008-holodomor-act").startswith("@legislation{")
    ris = reference(pkg, "ris", "essay", "cia-factbook-2026-ukraine").splitlines()
    assert ris[:3] == ["TY  - ELEC", "AU  - Central Intelligence Agency", "TI  - Ukraine: Introduction: Background"]
    assert "T2  - The World Factbook" in ris
    thom = cff_reference(essay(pkg, "thom-2015-ewjus"))
    assert thom["type"] == "article" and thom["journal"] == "East/West: Journal of Ukrainian Studies"


def test_works_the_sources_cite_export_as_a_bibliography(pkg):
    """`cite --what works`: every cited work (role `cited`) a citation points to, as its record gives it (no
    invented title), with a note of where it is cited; BibTeX parses, CSL-JSON renders, RIS has one record each."""
    from histpack.outputs.cite import reference

    works = {s["source_id"]: s for s in pkg.rows("sources") if s["role"] == "cited"}
    cited = {c["source_id"] for c in pkg.rows("citations")} & set(works)
    assert len(cited) > 15
    library = bibtexparser.parse_string(reference(pkg, "bibtex", "works"))
    assert not library.failed_blocks
    entries = {e.key: e.fields_dict for e in library.entries}
    assert set(entries) == cited
    assert entries["conquest"]["author"].value == "{Conquest}" and "title" not in entries["conquest"]
    assert "“Conquest 118” (p. 82)" in entries["conquest"]["note"].value
    assert entries["stalin-ob-industrializatsii"]["title"].value == "{Ob industrializatsii}"
    assert entries["khaustov-et-al"]["author"].value.endswith(" and others")
    danilov = [c for c in pkg.rows("citations") if c["source_id"] == "danilov"]
    assert all(f"“{c['cited_as']}” (p. {c['page']})" in entries["danilov"]["note"].value for c in danilov)
    items = json.loads(reference(pkg, "csl-json", "works"))
    assert {i["id"] for i in items} == cited and {"family": "Conquest"} in next(
        i["author"] for i in items if i["id"] == "conquest")
    rendered = _render(items).splitlines()
    assert len(rendered) == len(cited) and any(line.startswith("Conquest") for line in rendered)
    ris = reference(pkg, "ris", "works")
    assert ris.count("ER  - ") == len(cited) and ris.count("TY  - ") == len(cited)
    assert reference(pkg, "bibtex", "works", "cia-factbook-2026-ukraine") == ""  # it cites no work


def test_works_are_exported_for_reference_managers_only():
    result = histpack("cite", "--what", "works", "--format", "apa")
    assert result.returncode == 1 and "use one of: bibtex, biblatex, csl-json, ris" in result.stderr
    alias = histpack("cite", "--what", "source", "--source", "canada-2008-holodomor-act")
    assert alias.returncode == 0 and alias.stdout.startswith("Parliament of Canada (2008).")
    assert alias.stdout == histpack("cite", "--what", "essay", "--source", "canada-2008-holodomor-act").stdout
