"""`histpack release`, `verify-text` and `diff` on this repository: the archive respects each text's rights,
validates on its own, is the same bytes twice, carries valid deposit metadata; a reader's copy of the essay
restores it in full; the diff of two versions counts exactly, and release refuses a version it contradicts."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, copy_project, edit

DOCUMENTS = ("README.md", "CODEBOOK.md", "CITATION.cff", "load.sql", "LICENSE")
ESSAY = "thom-2015-ewjus"
ARCHIVE = "thom-2015-holodomor-0.2.0.zip"


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env).stdout


def committed_project(target: Path) -> Path:
    """A copy of the project with its documents, committed in a git repository of its own."""
    copy_project(target)
    for name in DOCUMENTS:
        shutil.copy2(REPO / name, target / name)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "the package")
    return target


def histpack(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "histpack.cli.app", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


def unpack(archive: Path, target: Path) -> Path:
    with zipfile.ZipFile(archive) as z:
        z.extractall(target)
    (folder,) = target.iterdir()
    return folder


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> tuple[Path, Path]:
    """This repository released twice, from two copies of the same commit: (first archive, second archive)."""
    archives = []
    for name in ("a", "b"):
        root = committed_project(tmp_path_factory.mktemp(f"release-{name}") / "project")
        result = histpack(root, "release")
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"wrote dist/{ARCHIVE} (62 files; first release) and CHANGELOG.md\n"
        archives.append(root / "dist" / ARCHIVE)
    return archives[0], archives[1]


@pytest.fixture(scope="module")
def members(released) -> dict[str, bytes]:
    with zipfile.ZipFile(released[0]) as z:
        return {i.filename.split("/", 1)[1]: z.read(i) for i in z.infolist()}


def test_two_releases_of_one_commit_are_byte_identical(released):
    assert released[0].read_bytes() == released[1].read_bytes()


def test_the_archive_holds_the_package_documents_and_deposit_metadata(members):
    assert {"datapackage.json", "README.md", "CODEBOOK.md", "CITATION.cff", "load.sql", "CHANGELOG.md",
            ".zenodo.json", "datacite.xml", "SHA256SUMS", "sources/thom-2015-ewjus.yaml",
            "sources/canada-2008-holodomor-act.txt", "data/quotes.csv", "schemas/quotes.json"} <= set(members)
    listed = {}
    for line in members["SHA256SUMS"].decode().splitlines():
        digest, path = line.split("  ", 1)
        listed[path] = digest
    assert listed == {p: hashlib.sha256(b).hexdigest() for p, b in members.items() if p != "SHA256SUMS"}
    assert members["CHANGELOG.md"].decode().startswith("# Changelog\n")
    assert "## 0.2.0 — 2026-11-27\n\nFirst release.\n" in members["CHANGELOG.md"].decode()


def _uncovered_runs(canonical, spans: list[tuple[int, int]], shortest: int = 30) -> list[str]:
    covered = [False] * len(canonical.text)
    for start, end in spans:
        covered[start:end] = [True] * (end - start)
    runs, start = [], None
    for i, hit in enumerate([*covered, True]):
        if not hit and start is None:
            start = i
        elif hit and start is not None:
            run = canonical.text[start:i].strip()
            if len(run) >= shortest:
                runs.append(run)
            start = None
    return runs


def test_the_archive_holds_no_essay_text_beyond_its_quotes(members, canonical):
    quotes = list(csv.DictReader(io.StringIO(members["data/quotes.csv"].decode())))
    citations = list(csv.DictReader(io.StringIO(members["data/citations.csv"].decode())))
    spans = [(int(q["char_start"]), int(q["char_end"])) for q in quotes if q["source_id"] == ESSAY]
    spans += [(int(c["char_start"]), int(c["char_end"])) for c in citations if c["citing_source_id"] == ESSAY]
    runs = _uncovered_runs(canonical, spans)
    assert len(runs) >= 15  # the essay's text between its quotes: what must not be in the archive
    everything = "\n".join(b.decode("utf-8") for b in members.values())
    found = [run for run in runs if run in everything]
    assert found == []
    assert f"sources/{ESSAY}.txt" not in members
    paragraphs = list(csv.DictReader(io.StringIO(members["data/paragraphs.csv"].decode())))
    assert {p["text"] for p in paragraphs if p["source_id"] == ESSAY} == {""}
    assert {q["prefix"] + q["suffix"] for q in quotes if q["source_id"] == ESSAY} == {""}
    assert all(p["text"] for p in paragraphs if p["source_id"] != ESSAY)  # the free texts are whole
    # a control: the working package does hold that text
    assert sum(run in (REPO / "data/paragraphs.csv").read_text(encoding="utf-8") for run in runs) == len(runs)


def test_the_archive_validates_with_frictionless_and_histpack(released, tmp_path):
    folder = unpack(released[0], tmp_path)
    done = histpack(folder, "validate", ".")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "valid: Table Schema and histpack checks passed\n"
    assert "the text of `thom-2015-ewjus` is withheld by its rights" in done.stderr
    frictionless = Path(sys.executable).with_name("frictionless")
    checked = subprocess.run([str(frictionless), "validate", "--json", "datapackage.json"], cwd=folder,
                             capture_output=True, text=True, timeout=600)
    assert json.loads(checked.stdout)["valid"] is True, checked.stdout[-2000:]


def _schemas() -> Path | None:
    from histpack.outputs.deposit import DATACITE_SCHEMA, ZENODO_SCHEMA

    for folder in (os.environ.get("HISTPACK_DEPOSIT_SCHEMAS"), REPO.parent / "shared" / "schemas"):
        if folder and (Path(folder) / ZENODO_SCHEMA).is_file() and (Path(folder) / DATACITE_SCHEMA).is_file():
            return Path(folder)
    return None


def test_the_deposit_metadata_validates_against_the_published_schemas(members):
    from histpack.outputs.deposit import deposit_problems

    folder = _schemas()
    if folder is None:
        pytest.skip("the published Zenodo and DataCite schemas are not here (HISTPACK_DEPOSIT_SCHEMAS or "
                    "../shared/schemas; see histpack/outputs/deposit.py)")
    zenodo, datacite = members[".zenodo.json"], members["datacite.xml"]
    assert deposit_problems(zenodo, datacite, folder) == []
    broken = deposit_problems(zenodo.replace(b'"upload_type": "dataset"', b'"upload_type": "data"'),
                              datacite.replace(b'resourceTypeGeneral="Dataset"', b'resourceTypeGeneral="Data"'), folder)
    assert len(broken) == 2 and broken[0].startswith(".zenodo.json: upload_type: 'data' is not one of")
    assert broken[1].startswith("datacite.xml:") and "resourceTypeGeneral" in broken[1]


def test_the_deposit_metadata_follows_histpack_yaml(members):
    import datetime as dt

    from histpack.project.metadata import read_metadata

    meta = read_metadata(REPO)
    zenodo = json.loads(members[".zenodo.json"])
    assert (zenodo["title"], zenodo["version"], zenodo["publication_date"], zenodo["license"]) == \
        (meta.title, meta.version, meta.released.isoformat(), "CC-BY-4.0")
    assert zenodo["creators"] == [{"name": "histpack contributors"}]
    assert {"identifier": "10.21226/T2TG6W20", "relation": "isDerivedFrom", "scheme": "doi"} in \
        zenodo["related_identifiers"]
    from lxml import etree

    ns = {"d": "http://datacite.org/schema/kernel-4"}
    xml = etree.fromstring(members["datacite.xml"])
    assert xml.findtext("d:identifier", namespaces=ns) == "(:tba)"  # no DOI yet: DataCite's "to be assigned"
    assert xml.findtext("d:version", namespaces=ns) == meta.version
    assert xml.findtext("d:publicationYear", namespaces=ns) == str(meta.released.year) == str(dt.date(2026, 1, 1).year)


# --- a reader's own copy of the essay -------------------------------------------------------------------------

def test_the_essay_file_restores_the_release_in_full(released, tmp_path):
    folder = unpack(released[0], tmp_path / "release")
    before = histpack(folder, "coverage", "--package", ".")
    assert before.returncode == 1 and before.stderr.splitlines() == [
        f"error: {ESSAY}: its text is withheld in this package (its rights allow no more than quotations) — "
        f"restore it from your own copy: histpack verify-text {ESSAY} FILE"]
    copy = tmp_path / "my-copy.txt"
    shutil.copy2(REPO / f"sources/{ESSAY}.txt", copy)
    done = histpack(folder, "verify-text", ESSAY, str(copy), "--package", ".")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (f"{copy}: the text as received of {ESSAY} (SHA-256 matches); restored 30 paragraphs: "
                           f"data/paragraphs.csv, data/quotes.csv, sources/{ESSAY}.txt, datapackage.json\n")
    for name in ("data/paragraphs.csv", "data/quotes.csv", "datapackage.json"):
        assert (folder / name).read_bytes() == (REPO / name).read_bytes(), name
    valid = histpack(folder, "validate", ".")
    assert valid.returncode == 0 and valid.stderr == "", valid.stderr
    full = histpack(folder, "coverage", "--package", ".")
    assert full.returncode == 0, full.stderr
    assert full.stdout == histpack(REPO, "coverage").stdout
    assert "sentences covered: 221/221 (100.0%)" in full.stdout


def test_a_changed_copy_is_one_clear_line(released, tmp_path):
    folder = unpack(released[0], tmp_path / "release")
    copy = tmp_path / "changed.txt"
    copy.write_bytes((REPO / f"sources/{ESSAY}.txt").read_bytes().replace(b"Holodomor", b"Holodomore", 1))
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    done = histpack(folder, "verify-text", ESSAY, str(copy), "--package", ".")
    assert done.returncode == 1
    digest = hashlib.sha256(copy.read_bytes()).hexdigest()
    rows = {r["source_id"]: r for r in csv.DictReader(open(folder / "data/sources.csv", encoding="utf-8"))}
    assert done.stderr.splitlines() == [
        f"error: {copy}: is not the text of `{ESSAY}`: its SHA-256 is {digest}; the package records "
        f"e5ff734427352f126221a851188ccb5fab6602cd10ff0441c6a9e933ed2766eb for the text as received and "
        f"{rows[ESSAY]['text_sha256']} for its canonical text — use the file exactly as published (its source is "
        f"in sources/{ESSAY}.yaml)"]
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


# --- refusals ----------------------------------------------------------------------------------------------

@pytest.fixture
def project_to_release(tmp_path) -> Path:
    return committed_project(tmp_path / "project")


def test_release_refuses_uncommitted_inputs_stale_outputs_and_a_released_version(project_to_release):
    root = project_to_release
    edit(root / "annotations/ussr-events.yaml", "editorial_note: Not a conflict of date.", "editorial_note: Not a conflict of dates.")
    assert histpack(root, "release").stderr.splitlines() == [
        "error: annotations/ussr-events.yaml: has uncommitted changes — a release is made from a commit: commit or "
        "undo them"]
    git(root, "commit", "-qam", "a corrected note, not rebuilt")
    assert histpack(root, "release").stderr.splitlines() == [
        "error: data/events.csv: is out of date with the inputs (and 1 more file) — run `histpack build` and commit "
        "the result"]
    assert not (root / "dist").exists()
    git(root, "checkout", "-q", "HEAD~1")
    assert histpack(root, "release").returncode == 0
    again = histpack(root, "release")
    assert again.stderr.splitlines() == [
        f"error: dist/{ARCHIVE}: version 0.2.0 already has a release — raise `version` in histpack.yaml (and "
        f"`released`), rebuild and commit"]


# --- what changed between two versions --------------------------------------------------------------------

def _rewrite(path: Path, change) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows = change(rows)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory) -> tuple[Path, Path]:
    """The committed package (old) and a copy with rows of `events` removed, added and changed and a column
    added to `terms` (new)."""
    base = tmp_path_factory.mktemp("versions")
    old, new = base / "old", base / "new"
    for folder in (old, new):
        for name in ("data", "schemas"):
            shutil.copytree(REPO / name, folder / name)
        shutil.copy2(REPO / "datapackage.json", folder / "datapackage.json")

    def events(rows):
        header, body = rows[0], rows[1:]
        at = {name: i for i, name in enumerate(header)}
        out = []
        for row in body:
            if row[0] == "1917-romanov-dynasty-overthrown":
                continue
            if row[0] == "1925-stalin-national-question":
                row[at["summary"]] += " Corrected."
            if row[0] == "1927-voikov-murder":
                row[at["title"]] += " (corrected)"
                row[at["editorial_note"]] = "A corrected note."
            out.append(row)
        added = [list(body[0]), list(body[0])]
        added[0][0], added[1][0] = "1999-test-one", "1999-test-two"
        return [header, *out, *added]

    _rewrite(new / "data/events.csv", events)
    _rewrite(new / "data/terms.csv", lambda rows: [rows[0] + ["x_note"]] + [r + [""] for r in rows[1:]])
    schema = json.loads((new / "schemas/terms.json").read_text(encoding="utf-8"))
    schema["fields"].append({"name": "x_note", "type": "string"})
    (new / "schemas/terms.json").write_text(json.dumps(schema), encoding="utf-8")
    return old, new


def test_diff_counts_rows_and_columns_exactly(two_versions):
    old, new = two_versions
    text = histpack(REPO, "diff", str(old), str(new))
    assert text.returncode == 0, text.stderr
    assert text.stdout == (
        f"{old} (0.2.0) → {new} (0.2.0): major changes\n"
        "events: 2 rows added; 1 row removed; 2 rows changed (editorial_note 1, summary 1, title 1)\n"
        "  + 1999-test-one\n  + 1999-test-two\n  - 1917-romanov-dynasty-overthrown\n"
        "  ~ 1925-stalin-national-question: summary\n  ~ 1927-voikov-murder: title, editorial_note\n"
        "terms: column added: x_note\n")
    as_csv = histpack(REPO, "diff", str(old), str(new), "--format", "csv")
    assert as_csv.stdout.splitlines() == [
        "table,change,key,columns", "events,row_added,1999-test-one,", "events,row_added,1999-test-two,",
        "events,row_removed,1917-romanov-dynasty-overthrown,", "events,row_changed,1925-stalin-national-question,summary",
        "events,row_changed,1927-voikov-murder,title|editorial_note", "terms,column_added,,x_note"]
    found = json.loads(histpack(REPO, "diff", str(old), str(new), "--format", "json").stdout)
    assert found["level"] == "major"
    assert [(t["table"], t["level"], len(t["rows_added"]), len(t["rows_removed"]), len(t["rows_changed"]))
            for t in found["tables"]] == [("events", "major", 2, 1, 2), ("terms", "minor", 0, 0, 0)]
    same = histpack(REPO, "diff", str(old), str(old))
    assert same.stdout == f"{old} → {old}: the tables are the same\n"


@pytest.mark.slow  # about 8 s (three releases): `.ci/run` runs it with the slow cases
def test_release_writes_the_changelog_and_refuses_a_version_the_diff_contradicts(project_to_release):
    root = project_to_release
    assert histpack(root, "release").returncode == 0
    git(root, "add", "CHANGELOG.md")
    git(root, "commit", "-qm", "release 0.2.0")
    edit(root / "annotations/ussr-events.yaml", "events:\n", "events:\n"
         "  - event_id: 1917-1920-ukrainian-exile\n    regime_id: bolshevik_russia\n    date_edtf: 1917/1920\n"
         "    event_type: other\n    title: Ukrainian independence efforts in exile\n"
         "    summary: Supporters of the independence efforts, later in exile.\n"
         "    quote: \"supporters of the Ukrainian independence efforts in 1917-20 and then later in exile\"\n")
    edit(root / "histpack.yaml", "version: 0.2.0", "version: 0.2.1")
    assert histpack(root, "build", "--no-db").returncode == 0
    git(root, "commit", "-qam", "a new event")
    refused = histpack(root, "release")
    assert refused.stderr.splitlines() == [
        "error: histpack.yaml: version 0.2.1: does not follow 0.2.0 for the changes since it (minor: `events`: 1 row "
        "added) — use 0.3.0 or 1.0.0 (README, “Versions”)"]
    assert sorted(p.name for p in (root / "dist").iterdir()) == [ARCHIVE]
    edit(root / "histpack.yaml", "version: 0.2.1", "version: 0.3.0")
    edit(root / "histpack.yaml", "released: 2026-11-27", "released: 2026-12-01")
    assert histpack(root, "build", "--no-db").returncode == 0
    git(root, "commit", "-qam", "0.3.0")
    done = histpack(root, "release")
    assert done.stdout == ("wrote dist/thom-2015-holodomor-0.3.0.zip (62 files; changes since 0.2.0: minor) and "
                           "CHANGELOG.md\n"), done.stderr
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    from histpack.pipeline.release import CHANGELOG_HEAD

    assert changelog == CHANGELOG_HEAD + (  # newest first
        "## 0.3.0 — 2026-12-01\n\nChanges since 0.2.0: minor (README, “Versions”).\n\n"
        "- `events`: 1 row added\n  - added: `1917-1920-ukrainian-exile`\n\n"
        "## 0.2.0 — 2026-11-27\n\nFirst release.\n")
    with zipfile.ZipFile(root / "dist/thom-2015-holodomor-0.3.0.zip") as z:
        assert z.read("thom-2015-holodomor-0.3.0/CHANGELOG.md").decode() == changelog
