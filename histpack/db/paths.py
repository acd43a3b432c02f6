"""Where outputs may be written: the default database, and what no output may replace (`protected`)."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from histpack.engine.reader import package_files, read_descriptor
from histpack.project.errors import BuildError
from histpack.project.layout import (DEFAULT_DB, FIXED_OUTPUTS, GENERATED_DIRS, INPUT_DIRS, INPUT_FILES, find_root,
                                     is_project)
from histpack.project.metadata import METADATA_FILE, read_metadata
from histpack.project.writer import Protected, check_target

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


def database_to_read(db_path: Path, display: str | None = None) -> Path:
    """`db_path` if it is a DuckDB database a command can open, else one line saying what it is: missing,
    a folder, a pipe or a device (never opened, so it cannot block), or a file of another kind."""
    where = display or str(db_path)
    try:
        mode = os.stat(db_path).st_mode
    except FileNotFoundError:
        raise BuildError(where, "no such database", "run `histpack build` or `histpack load` first") from None
    except OSError as exc:
        raise BuildError(where, f"cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else \
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"
        raise BuildError(where, f"is {kind}, not a database", "give a DuckDB file made by `histpack build` or `load`")
    try:
        database = is_duckdb_file(Path(db_path))
    except OSError as exc:
        raise BuildError(where, f"cannot be read: {exc.strerror}") from None
    if not database:
        raise BuildError(where, "is not a DuckDB database", "give a DuckDB file made by `histpack build` or `load`")
    return Path(db_path)


def protected(*packages: Path | None) -> Protected:
    """What no output may replace or enter: the inputs and generated files of the project around each
    package (if it is in one), and every file each package's descriptor names (a third party's too)."""
    out = Protected()
    for package in packages:
        if package is None:
            continue
        package = Path(package)
        folder = package if package.is_dir() else package.parent
        try:
            root = find_root(folder)
        except BuildError:
            root = None
        if root is not None and is_project(root):
            for name in INPUT_DIRS + INPUT_FILES:
                out.add(root / name, "an input of the project")
            for name in GENERATED_DIRS + FIXED_OUTPUTS:
                out.add(root / name, "part of the project's package")
        for path in package_files(package):
            out.add(path, "a file of the package")
    return out


def database_target(db_path: Path, *packages: Path | None, display: str | None = None) -> Path:
    """Where a database may be written: never a link, a special file, a folder, a package or input
    file, nor an existing file that is not a DuckDB database."""
    target = check_target(db_path, protected=protected(*packages), display=display, noun="a database path",
                          hint="write the database under build/")
    if target.is_file() and target.stat().st_size and not is_duckdb_file(target):
        raise BuildError(display or str(db_path), "exists and is not a DuckDB database; refused to overwrite it",
                         "give another file name, or delete the file first")
    return target
