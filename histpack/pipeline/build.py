"""The whole pipeline as one call: sources + annotations → validated package → DuckDB.

The new outputs are written to a staging folder, validated there, and swapped into place by the
roll-forward journal of `histpack.project.journal`: a reader sees all the old outputs or all the new
ones. The database is loaded beside its final name and renamed into place with that swap, so a build
stopped before it leaves the previous package and database as they were. One build of a project runs
at a time (a second one stops in one line). A build first finishes a swap a killed build left behind (explicitly: finding the project does
not). The build manages only the files it generated (its manifest is the previous `datapackage.json`'s
resource and schema paths, plus `datapackage.json`, `CODEBOOK.md`, `CITATION.cff`, `load.sql`): it
deletes no other file in `data/` or `schemas/` and refuses to overwrite one.

Every row is validated once, by its model (the models generate the Table Schemas); the written
tables are then read back into DuckDB with their schema's types and held to the project's rules
(`histpack.checks.rules`), whose findings name the annotation line.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from histpack.model import models as m
from histpack.annotate.project import resolve_project
from histpack.text.sources import analyzed_records
from histpack.db.cache import package_key
from histpack.db.loader import validate_and_load
from histpack.engine.reader import read_descriptor
from histpack.project.errors import BuildError, BuildErrors, Finding
from histpack.project.interrupts import deferred
from histpack.db.paths import DEFAULT_DB, database_path, database_target
from histpack.project.journal import (OUTPUT_PATH, STAGING_PREFIX, checkpoint, one_writer, process_alive, recover,
                                      roll_forward, write_journal)
from histpack.project.layout import FIXED_OUTPUTS, Project, find_root
from histpack.project.metadata import read_metadata
from histpack.package.files import render
from histpack.annotate.resolve import Resolution, error_order



@dataclass
class BuildReport:
    rows: dict[str, int]
    checks: list[str] = field(default_factory=list)
    db_path: Path | None = None


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
                    if isinstance(item, str) and OUTPUT_PATH.match(item):
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
                  if OUTPUT_PATH.match(p) and (root / p).is_file() and not (root / p).is_symlink())


def package_checker(resolution: Resolution):
    """The build's check of the package it wrote, for `duck.validate_and_load`: the Table Schema checks
    (the engine) and the project's rules, in one pass whose typed rows are then loaded. A rule's
    violation names the annotation line that made the row (or, for a row the builder generated, the
    written file and row), and raises BuildErrors."""

    def checker(staging: Path, con):
        from histpack.engine.check import check_package
        from histpack.engine.report import problems as report
        from histpack.checks.rules import create_rule_tables, run_rules

        checked = check_package(staging, con)
        schema = checked.package.database_schema()
        try:
            problems, _ = report(checked)
            made = create_rule_tables(con, checked)
            violations = run_rules(con, schema)
            for name in made:
                con.execute(f'DROP TABLE "{name}"')
        except BaseException:
            checked.close()
            raise
        if violations:
            checked.close()
            paths = {t.name: t.path for t in schema}
            errors = []
            for v in violations:
                file, line = resolution.where.get((v.table, v.key), ("(", None))
                if file.startswith("("):  # a row the builder generated: the written file and row
                    errors.append(BuildError(Finding(v.message, f"(built package) {paths[v.table]}", row=v.rowid + 2,
                                                     kind=v.rule, hint=v.hint)))
                else:
                    errors.append(BuildError(Finding(v.message, file, line=line, kind=v.rule, hint=v.hint)))
            raise BuildErrors(sorted(errors, key=error_order))
        if problems:  # a rule's finding names the annotation line, so it goes first
            checked.close()
            raise BuildErrors([BuildError(replace(p, file=f"(built package) {p.file}")) for p in problems])
        return [], checked, checked.notes

    return checker


def _sweep_incoming(db_target: Path) -> None:
    """Remove the databases builds killed before their swap left beside `db_target`."""
    for leftover in db_target.parent.glob(f".{glob.escape(db_target.name[:80])}.*.incoming.tmp"):
        pid = leftover.name[len(db_target.name[:80]) + 2:].split(".")[0]
        if pid.isdigit() and not process_alive(int(pid)):
            leftover.unlink(missing_ok=True)


def documents(package: Path) -> dict[str, bytes]:
    """CODEBOOK.md, CITATION.cff and load.sql, rendered from a built package (and the models)."""
    from histpack.engine.reader import Package
    from histpack.outputs.cite import cff
    from histpack.outputs.codebook import render as codebook
    from histpack.outputs.loadsql import FILENAME as LOAD_SQL, render as load_sql

    pkg = Package.open(package)
    return {"CODEBOOK.md": codebook(pkg).encode("utf-8"), "CITATION.cff": cff(pkg).encode("utf-8"),
            LOAD_SQL: load_sql(package).encode("utf-8")}


# --- the build -------------------------------------------------------------------------------

def build(root: Path | None = None, db_path: Path | None = DEFAULT_DB) -> BuildReport:
    """Build, validate and load; raise BuildError/BuildErrors and touch nothing on failure."""
    project = Project(find_root(root))
    with one_writer(project.root):  # one build of a project at a time
        return _build(project, db_path)


def _build(project: Project, db_path: Path | None) -> BuildReport:
    recover(project.root)  # a swap a killed build left unfinished, and staging folders of dead builds
    db_target = None
    if db_path is not None:
        db_path = database_path(db_path, project.root)
        db_target = database_target(Path(db_path) if Path(db_path).is_absolute() else project.root / db_path,
                                    project.root, display=str(db_path))
        _sweep_incoming(db_target)
    checkpoint("resolve")
    resolution, canonicals, records, also = resolve_project(project)
    files = render(resolution.rows, analyzed_records(records, also), read_metadata(project.root), resolution.vocabularies)
    stale = _plan(project.root, {**files, **dict.fromkeys(FIXED_OUTPUTS[1:], b"")})
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=project.root))
    committed, incoming, db = False, None, None
    try:
        for step, (relative, data) in enumerate(sorted(files.items()), start=1):
            checkpoint("write", step)
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        # one engine pass checks the written package, runs the rules and (with a target) loads DuckDB,
        # into a name of its own beside the database: it replaces the database with the package's swap
        if db_target is not None:
            incoming = db_target.with_name(f".{db_target.name[:80]}.{os.getpid()}.incoming.tmp")
        validate_and_load(staging, incoming, package_checker(resolution), display=db_path and str(db_path))
        key = package_key(*read_descriptor(staging)) if incoming is not None else None  # of the files loaded
        for relative, data in documents(staging).items():  # from the validated package only
            (staging / relative).write_bytes(data)
            files[relative] = data
        checkpoint("commit")
        journal = {"staging": staging.name, "install": sorted(files), "remove": stale}
        with deferred():
            write_journal(project.root, journal)
            committed = True
            roll_forward(project.root, journal)
            if incoming is not None:
                os.replace(incoming, db_target)
                db = db_target
    finally:
        if not committed:
            shutil.rmtree(staging, ignore_errors=True)
        if incoming is not None:
            incoming.unlink(missing_ok=True)
    if db is not None:
        from histpack.db.cache import remember

        remember(key, db)  # query, compare, timeline and site then open it without loading again
    rows = {model.table.name: len(resolution.rows.get(model.table.name, [])) for model in m.MODELS}
    checks = ["canonical text and page map", "quotes resolved verbatim", "models (types, enums, ids, dates)",
              "ids unique", "Table Schema checks of the written package (DuckDB engine)",
              "references, cross-table rules, quotes, pages and EDTF on the written tables"]
    if db is not None:
        checks.append("DuckDB loaded")
    return BuildReport(rows, checks, db)


def out_of_date(root: Path | None = None) -> list[str]:
    """The generated files (package, CODEBOOK.md, CITATION.cff, load.sql) that differ from what a build
    would write now, or are missing: nothing is written in the project (a scratch folder is used)."""
    project = Project(find_root(root))
    resolution, _, records, also = resolve_project(project)
    files = render(resolution.rows, analyzed_records(records, also), read_metadata(project.root), resolution.vocabularies)
    with tempfile.TemporaryDirectory(prefix="histpack-check-") as scratch:
        for relative, data in files.items():
            (Path(scratch) / relative).parent.mkdir(parents=True, exist_ok=True)
            (Path(scratch) / relative).write_bytes(data)
        files.update(documents(Path(scratch)))
    stale = []
    for relative, data in sorted(files.items()):
        path = project.root / relative
        if not path.is_file() or path.read_bytes() != data:
            stale.append(relative)
    return stale
