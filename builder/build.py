"""The whole pipeline as one call: sources + annotations → validated package → DuckDB.

Outputs are written to a staging folder and checked there; only a checked package replaces
`data/`, `schemas/` and `datapackage.json`, so a failed build leaves the previous ones as
they were. Every row is validated once, by its model (the models generate the Table Schemas);
the written tables are then read back into DuckDB with their schema's types and held to the
project's rules (`rules.py`), whose findings name the annotation line. The full generic
validation of the published package is `histpack validate`'s job (CI runs it).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import models as m
from .annotations import read_annotations
from .canonical import CanonicalText, SourceMetadata, build_canonical_text
from .duck import load_package
from .errors import BuildError, BuildErrors
from .layout import DEFAULT_DB, find_root
from .package import read_metadata, render
from .resolve import ANNOTATED_TABLES, Resolution, _error_order, resolve

GENERATED_DIRS = ("data", "schemas")


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


def load_sources(project: Project) -> tuple[dict[str, CanonicalText], dict[str, dict], dict[str, list]]:
    canonicals, records, also = {}, {}, {}
    for path in sorted(project.sources.glob("*.yaml")):
        metadata = SourceMetadata.load(path)
        canonicals[metadata.source_id] = build_canonical_text(metadata)
        records[metadata.source_id] = metadata.record
        also[metadata.source_id] = yaml.safe_load(path.read_text(encoding="utf-8")).get("also_at", [])
    if not canonicals:
        raise BuildError(str(project.sources), "no source metadata (`*.yaml`) found")
    return canonicals, records, also


def resolve_project(project: Project) -> tuple[Resolution, dict[str, CanonicalText], dict, dict]:
    canonicals, records, also = load_sources(project)
    raw = read_annotations(project.annotations, project.root, set(ANNOTATED_TABLES))
    return resolve(raw, canonicals, records), canonicals, records, also


def _replace_outputs(staging: Path, root: Path, files: dict[str, bytes]) -> None:
    for directory in GENERATED_DIRS:
        (root / directory).mkdir(exist_ok=True)
        for stale in (root / directory).iterdir():
            if stale.is_file() and f"{directory}/{stale.name}" not in files:
                stale.unlink()
    for relative in sorted(files):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, target)


def check_rules(staging: Path, descriptor: dict, resolution: Resolution) -> None:
    """The project's rules on the tables as written; a violation names the annotation line that made
    the row (or, for a row the builder generated, the written file and row)."""
    import duckdb

    from .rules import load_tables, run_rules, with_schemas

    descriptor = with_schemas(staging, descriptor)
    con = duckdb.connect()
    try:
        load_tables(con, staging, descriptor)
        violations = run_rules(con, descriptor)
    finally:
        con.close()
    if not violations:
        return
    paths = {r["name"]: r["path"] for r in descriptor["resources"]}
    errors = []
    for v in violations:
        where = resolution.where.get((v.table, v.key), "(")
        if where.startswith("("):
            where = f"(built package) {paths[v.table]}: row {v.rowid + 2}"
        errors.append(BuildError(where, v.message, v.hint))
    raise BuildErrors(sorted(errors, key=_error_order))


def documents(package: Path) -> dict[str, bytes]:
    """CODEBOOK.md, CITATION.cff and load.sql, rendered from a built package (and the models)."""
    from .cite import Package, cff
    from .codebook import render as codebook
    from .loadsql import FILENAME as LOAD_SQL, render as load_sql

    pkg = Package.open(package)
    return {"CODEBOOK.md": codebook(pkg).encode("utf-8"), "CITATION.cff": cff(pkg).encode("utf-8"),
            LOAD_SQL: load_sql(package).encode("utf-8")}


def build(root: Path | None = None, db_path: Path | None = DEFAULT_DB) -> BuildReport:
    """Build, validate and load; raise BuildError/BuildErrors and touch nothing on failure."""
    project = Project(find_root(root))
    resolution, canonicals, records, also = resolve_project(project)
    primary = next(sid for sid, r in records.items() if r.get("role") == "analyzed")
    files = render(resolution.rows, records[primary], also[primary], read_metadata(project.root))
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=project.root))
    try:
        for relative, data in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        check_rules(staging, json.loads(files["datapackage.json"]), resolution)
        for relative, data in documents(staging).items():  # from the validated package only
            (staging / relative).write_bytes(data)
            files[relative] = data
        db = None
        if db_path is not None:
            db = load_package(staging, project.root / db_path if not Path(db_path).is_absolute() else Path(db_path))
        _replace_outputs(staging, project.root, files)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    rows = {model.table.name: len(resolution.rows.get(model.table.name, [])) for model in m.MODELS}
    checks = ["canonical text and page map", "quotes resolved verbatim", "models (types, enums, ids, dates)",
              "ids unique", "written tables read back with their schemas' types",
              "references, cross-table rules, quotes, pages and EDTF on the written tables"]
    if db is not None:
        checks.append("DuckDB loaded")
    return BuildReport(rows, checks, db)
