"""The whole pipeline as one call: sources + annotations → validated package → DuckDB.

Outputs are written to a staging folder and validated there; only a valid package replaces
`data/`, `schemas/` and `datapackage.json`, so a failed build leaves the previous ones as
they were.
"""

from __future__ import annotations

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
from .package import read_metadata, render
from .resolve import ANNOTATED_TABLES, Resolution, resolve
from .validate import validate_package

DEFAULT_DB = Path("build/thom2015.duckdb")
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


def find_root(start: Path | None = None) -> Path:
    """The project folder: the nearest one up from `start` holding `sources/` and `annotations/`."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "sources").is_dir() and (candidate / "annotations").is_dir():
            return candidate
    raise BuildError(str(here), "not inside a histpack project (no sources/ and annotations/ folders)",
                     "run the command from the repository")


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
        problems = validate_package(staging)
        if problems:
            raise BuildErrors([BuildError(f"(built package) {p.where}", p.message) for p in problems])
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
              "ids unique, references resolve, cross-table rules", "frictionless validation",
              "quotes, pages and EDTF re-checked on the written package"]
    if db is not None:
        checks.append("DuckDB loaded")
    return BuildReport(rows, checks, db)
