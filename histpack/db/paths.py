"""Where a database is written: the default name, and the paths that are refused."""

from __future__ import annotations

import re
from pathlib import Path

from histpack.engine.reader import read_descriptor
from histpack.project.errors import BuildError
from histpack.project.layout import DEFAULT_DB, FIXED_OUTPUTS, GENERATED_DIRS, INPUT_DIRS, INPUT_FILES
from histpack.project.metadata import METADATA_FILE, read_metadata

DUCKDB_MAGIC = b"DUCK"


def database_path(db_path: Path, folder: Path) -> Path:
    """`db_path` with the `DEFAULT_DB` template filled in: `build/<name>.duckdb`, the name from the
    project's `histpack.yaml` (or, for a package folder without one, its `datapackage.json`), so that
    two projects never write the same default database. Any other path is returned as given."""
    if Path(db_path) != DEFAULT_DB:
        return Path(db_path)
    folder = Path(folder)
    folder = folder.parent if folder.is_file() else folder
    if (folder / METADATA_FILE).is_file():
        name = read_metadata(folder).name
    else:
        name = str(read_descriptor(folder)[1].get("name") or "")
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
            raise BuildError(str(folder / "datapackage.json"), "the package has no usable `name` to name its database",
                             "give --db PATH")
    return Path(str(DEFAULT_DB).replace("{name}", name))


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
