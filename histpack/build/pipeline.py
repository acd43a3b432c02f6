"""The whole pipeline as one call: sources + annotations → validated package → DuckDB.

Outputs are atomic, by a roll-forward journal:

1. the new outputs are written to a staging folder `.staging-<pid>-*/` in the project and
   validated there; a failure or a signal (SIGINT/SIGTERM) removes the folder, and the previous
   outputs stay as they were;
2. only a valid package is committed: the journal `.histpack-journal.json` (written whole, by a
   rename) lists the files to move into place and the stale ones to delete;
3. the files are renamed into place one by one, stale ones deleted, then the journal and the
   staging folder are removed. Signals wait until this step ends.

If the process dies during step 3 anyway (SIGKILL, power loss), the next command (`histpack …`,
through `recover()`) finds the journal and finishes the renames before reading anything: every
command sees either all the old outputs or all the new ones. Staging folders of dead processes are
swept at the next start.

The build manages only the files it generated (its manifest is the previous `datapackage.json`'s
resource and schema paths, plus `datapackage.json`, `CODEBOOK.md`, `CITATION.cff`, `load.sql`): it deletes no
other file in `data/` or `schemas/` and refuses to overwrite one.

Every row is validated once, by its model (the models generate the Table Schemas); the written
tables are then read back into DuckDB with their schema's types and held to the project's rules
(`rules.py`), whose findings name the annotation line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from histpack.model import models as m
from histpack.annotate.annotations import read_annotations
from histpack.text.canonical import CanonicalText, SourceMetadata, build_canonical_text
from histpack.db.load import validate_and_load
from histpack.project.errors import BuildError, BuildErrors
from histpack.project.interrupts import deferred
from histpack.project.layout import DEFAULT_DB, JOURNAL, STAGING_PREFIX, database_path, find_root
from histpack.package.files import read_metadata, render
from histpack.annotate.resolve import ANNOTATED_TABLES, Resolution, _error_order, resolve

GENERATED_DIRS = ("data", "schemas")
FIXED_OUTPUTS = ("datapackage.json", "CODEBOOK.md", "CITATION.cff", "load.sql")
INPUT_FILES = ("histpack.yaml",)
INPUT_DIRS = ("sources", "annotations")
_OUTPUT_PATH = re.compile(r"^(data|schemas)/[^/\\]+$")


@dataclass
class Project:
    """Where a project's inputs and outputs are."""

    root: Path

    @property
    def sources(self) -> Path:
        return self.root / "sources"

    @property
    def annotations(self) -> Path:
        return self.root / "annotations"


@dataclass
class BuildReport:
    rows: dict[str, int]
    checks: list[str] = field(default_factory=list)
    db_path: Path | None = None


def _checkpoint(stage: str, step: int | None = None) -> None:
    """Test hook: `HISTPACK_TEST_PAUSE_AT=swap:3` pauses here so a test can signal the process."""
    wanted = os.environ.get("HISTPACK_TEST_PAUSE_AT")
    if wanted and wanted == (stage if step is None else f"{stage}:{step}"):
        sys.stderr.write(f"histpack: paused at {wanted}\n")
        sys.stderr.flush()
        time.sleep(float(os.environ.get("HISTPACK_TEST_PAUSE_SECONDS", "30")))


# --- sources ---------------------------------------------------------------------------------

def load_sources(project: Project) -> tuple[dict[str, CanonicalText], dict[str, dict], dict[str, list]]:
    canonicals, records, also = {}, {}, {}
    defined_in: dict[str, str] = {}
    for path in sorted(project.sources.glob("*.yaml")):
        if path.name.startswith(".") or path.name.endswith("~"):
            continue
        if path.is_dir():
            raise BuildError(f"sources/{path.name}:1", "a folder named like source metadata", "rename it")
        metadata = SourceMetadata.load(path, project.root)
        if metadata.source_id in defined_in:
            raise BuildError(f"{metadata.display}:1", f"source_id `{metadata.source_id}` is already used by "
                             f"{defined_in[metadata.source_id]}", "give each essay its own source_id")
        defined_in[metadata.source_id] = metadata.display
        canonicals[metadata.source_id] = build_canonical_text(metadata)
        records[metadata.source_id] = metadata.record
        also[metadata.source_id] = metadata.also_at
    if not canonicals:
        raise BuildError("sources", "no source metadata (`*.yaml`) found")
    return canonicals, records, also


def resolve_project(project: Project) -> tuple[Resolution, dict[str, CanonicalText], dict, dict]:
    canonicals, records, also = load_sources(project)
    analyzed_sources(records)
    raw = read_annotations(project.annotations, project.root, set(ANNOTATED_TABLES), set(canonicals))
    return resolve(raw, canonicals, records), canonicals, records, also


def analyzed_sources(records: dict[str, dict]) -> list[str]:
    """The sources the annotations encode (`role: analyzed`), in id order; at least one."""
    analyzed = sorted(sid for sid, r in records.items() if r.get("role") == "analyzed")
    if not analyzed:
        raise BuildError("sources", "no source has `role: analyzed` in its record",
                         "mark each text the annotations encode with `record: {role: analyzed, …}`")
    return analyzed


def analyzed_records(records: dict[str, dict], also: dict[str, list]) -> dict[str, tuple[dict, list]]:
    """source_id → (record, also_at) of every analysed source: what the descriptor's `sources` lists."""
    return {sid: (records[sid], also[sid]) for sid in analyzed_sources(records)}


# --- outputs: manifest, staging, journal -----------------------------------------------------

def managed_outputs(root: Path) -> set[str] | None:
    """The files the last build generated (relative paths), from its datapackage.json; None when
    that descriptor is missing or unreadable, so nothing is known to be the user's."""
    try:
        descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
        resources = descriptor["resources"]
        paths = set(FIXED_OUTPUTS)
        for resource in resources:
            for key in ("path", "schema"):
                value = resource.get(key)
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str) and _OUTPUT_PATH.match(item):
                        paths.add(item)
        return paths
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _plan(root: Path, files: dict[str, bytes]) -> list[str]:
    """The stale outputs to delete; refuse to overwrite any file the build does not manage."""
    managed = managed_outputs(root)
    for relative in sorted(files):
        target = root / relative
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise BuildError(relative, "is not a regular file, and the build would replace it",
                             "move it away; the build writes only plain files")
        if managed is not None and relative not in managed and target.exists():
            raise BuildError(relative, "the build would overwrite this file, which it did not generate",
                             "move or rename it (the build manages only the files listed in datapackage.json)")
    if managed is None:
        return []
    return sorted(p for p in managed - set(files)
                  if _OUTPUT_PATH.match(p) and (root / p).is_file() and not (root / p).is_symlink())


def _write_journal(root: Path, journal: dict) -> None:
    tmp = root / f"{JOURNAL}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(journal, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / JOURNAL)


def _roll_forward(root: Path, journal: dict) -> None:
    """Move the staged files into place and delete the stale ones; safe to run again after a crash."""
    staging = root / journal["staging"]
    for step, relative in enumerate(journal["install"], start=1):
        _checkpoint("swap", step)
        source = staging / relative
        if source.exists():
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, root / relative)
    for relative in journal["remove"]:
        (root / relative).unlink(missing_ok=True)
    (root / JOURNAL).unlink()
    shutil.rmtree(staging, ignore_errors=True)


def _valid_journal(root: Path, journal) -> bool:
    return (isinstance(journal, dict) and isinstance(journal.get("staging"), str)
            and journal["staging"].startswith(STAGING_PREFIX) and "/" not in journal["staging"]
            and all(isinstance(p, str) and (_OUTPUT_PATH.match(p) or p in FIXED_OUTPUTS)
                    for p in journal.get("install", []) + journal.get("remove", [])))


def recover(root: Path) -> None:
    """Finish an output swap a dead build left half-done, and sweep staging folders of dead builds."""
    journal_path = root / JOURNAL
    if journal_path.exists():
        try:
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            journal = None
        if not _valid_journal(root, journal):
            raise BuildError(JOURNAL, "an unfinished build left a journal that cannot be read",
                             "delete it and run `histpack build`")
        with deferred():
            _roll_forward(root, journal)
    (root / f"{JOURNAL}.tmp").unlink(missing_ok=True)
    for stale in root.glob(f"{STAGING_PREFIX}*"):
        if stale.is_dir() and not _owner_alive(stale.name):
            shutil.rmtree(stale, ignore_errors=True)


def _owner_alive(name: str) -> bool:
    match = re.match(rf"^{re.escape(STAGING_PREFIX)}(\d+)-", name)
    if not match:
        return False
    pid = int(match.group(1))
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def package_checker(descriptor: dict, resolution: Resolution):
    """The build's check of the package it wrote, for `duck.validate_and_load`: the Table Schema checks
    (the engine) and the project's rules, in one pass whose typed rows are then loaded. A rule's
    violation names the annotation line that made the row (or, for a row the builder generated, the
    written file and row), and raises BuildErrors."""

    def checker(staging: Path, con):
        from histpack.engine.check import check_package
        from histpack.engine.report import problems as report
        from histpack.checks.rules import create_rule_tables, run_rules, with_schemas

        schemas = with_schemas(staging, descriptor)
        checked = check_package(staging, con)
        try:
            problems, _ = report(checked)
            made = create_rule_tables(con, checked)
            violations = run_rules(con, schemas)
            for name in made:
                con.execute(f'DROP TABLE "{name}"')
        except BaseException:
            checked.close()
            raise
        if violations:
            checked.close()
            paths = {r["name"]: r["path"] for r in schemas["resources"]}
            errors = []
            for v in violations:
                where = resolution.where.get((v.table, v.key), "(")
                if where.startswith("("):
                    where = f"(built package) {paths[v.table]}: row {v.rowid + 2}"
                errors.append(BuildError(where, v.message, v.hint))
            raise BuildErrors(sorted(errors, key=_error_order))
        if problems:  # a rule's finding names the annotation line, so it goes first
            checked.close()
            raise BuildErrors([BuildError(f"(built package) {p.where}", p.message) for p in problems])
        return [], checked, checked.notes

    return checker


def documents(package: Path) -> dict[str, bytes]:
    """CODEBOOK.md, CITATION.cff and load.sql, rendered from a built package (and the models)."""
    from histpack.outputs.cite import Package, cff
    from histpack.outputs.codebook import render as codebook
    from histpack.outputs.loadsql import FILENAME as LOAD_SQL, render as load_sql

    pkg = Package.open(package)
    return {"CODEBOOK.md": codebook(pkg).encode("utf-8"), "CITATION.cff": cff(pkg).encode("utf-8"),
            LOAD_SQL: load_sql(package).encode("utf-8")}


# --- where a database or an export may be written ---------------------------------------------

DUCKDB_MAGIC = b"DUCK"


def is_duckdb_file(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(12)[8:12] == DUCKDB_MAGIC


def project_path_refusal(path: Path, root: Path) -> str | None:
    """Why `path` is part of the project's inputs or package (so nothing may be written there), or None."""
    target = path.resolve()
    root = root.resolve()
    if target == root:
        return "is the project folder"
    for name in (*INPUT_DIRS, *GENERATED_DIRS):
        if target == root / name or target.is_relative_to(root / name):
            kind = "input" if name in INPUT_DIRS else "package"
            return f"is in the project's {kind} folder `{name}/`"
    if target.parent == root and target.name in FIXED_OUTPUTS:
        return "is one of the package's files"
    if target.parent == root and target.name in INPUT_FILES:
        return "is one of the project's input files"
    return None


def check_db_target(db_path: Path, root: Path | None, display: str | None = None) -> Path:
    """The database path to write, after refusing project files and files that are not DuckDB databases."""
    where = display or str(db_path)
    if root is not None:
        reason = project_path_refusal(db_path, root)
        if reason:
            raise BuildError(where, f"refused as a database path: it {reason}", "write the database under build/")
    if db_path.is_dir():
        raise BuildError(where, "is a folder, not a database file", "give a file name such as build/data.duckdb")
    if db_path.is_file() and db_path.stat().st_size and not is_duckdb_file(db_path):
        raise BuildError(where, "exists and is not a DuckDB database; refused to overwrite it",
                         "give another file name, or delete the file first")
    return db_path


def check_output_folder(out: Path, *roots: Path) -> None:
    """Refuse to write an export into a project's inputs or package."""
    for root in roots:
        reason = project_path_refusal(out, root)
        if reason:
            raise BuildError(str(out), f"refused as an output folder: it {reason}",
                             "write exports to a folder of their own, such as build/export")


# --- the build -------------------------------------------------------------------------------

def build(root: Path | None = None, db_path: Path | None = DEFAULT_DB) -> BuildReport:
    """Build, validate and load; raise BuildError/BuildErrors and touch nothing on failure."""
    project = Project(find_root(root))
    db_target = None
    if db_path is not None:
        db_path = database_path(db_path, project.root)
        db_target = check_db_target(Path(db_path) if Path(db_path).is_absolute() else project.root / db_path,
                                    project.root, str(db_path))
    _checkpoint("resolve")
    resolution, canonicals, records, also = resolve_project(project)
    files = render(resolution.rows, analyzed_records(records, also), read_metadata(project.root))
    stale = _plan(project.root, {**files, **dict.fromkeys(FIXED_OUTPUTS[1:], b"")})
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=project.root))
    committed = False
    try:
        for step, (relative, data) in enumerate(sorted(files.items()), start=1):
            _checkpoint("write", step)
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        # one engine pass checks the written package, runs the rules and (with a target) loads DuckDB
        validate_and_load(staging, db_target, package_checker(json.loads(files["datapackage.json"]), resolution))
        db = db_target
        for relative, data in documents(staging).items():  # from the validated package only
            (staging / relative).write_bytes(data)
            files[relative] = data
        journal = {"staging": staging.name, "install": sorted(files), "remove": stale}
        with deferred():
            _write_journal(project.root, journal)
            committed = True
            _roll_forward(project.root, journal)
    finally:
        if not committed:
            shutil.rmtree(staging, ignore_errors=True)
    if db is not None:
        from histpack.db.cache import remember

        remember(project.root, db)  # query, compare, timeline and site then open it without loading again
    rows = {model.table.name: len(resolution.rows.get(model.table.name, [])) for model in m.MODELS}
    checks = ["canonical text and page map", "quotes resolved verbatim", "models (types, enums, ids, dates)",
              "ids unique", "Table Schema checks of the written package (DuckDB engine)",
              "references, cross-table rules, quotes, pages and EDTF on the written tables"]
    if db is not None:
        checks.append("DuckDB loaded")
    return BuildReport(rows, checks, db)
