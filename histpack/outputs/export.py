"""Open the package anywhere: a DuckDB connection for notebooks; typed Parquet, CSV or JSON
Lines files (tables and views) for other tools; a SQLite database for Datasette (`sqlite.py`).

All load the package exactly as `histpack load` does (types, ENUMs, keys, comments and views,
all from the Table Schemas), into an in-memory database, so nothing is left behind.
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path

import duckdb

from histpack.db import loader as duck
from histpack.engine.reader import resource_schema
from histpack.db.paths import protected
from histpack.model.schema import TableSchema
from histpack.project.writer import NAME_LIMIT, atomic_file, check_target, fit_name
from histpack.project.sql import ident, literal
from histpack.project.errors import BuildError
from histpack.checks.validate import read_descriptor, validate_package
from histpack.project.errors import PackageError
from histpack.model.views import VIEW_COLUMNS, VIEW_COMMENTS, VIEWS


class ExportFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"
    jsonl = "jsonl"
    sqlite = "sqlite"


COPY_OPTIONS = {
    ExportFormat.csv: "(FORMAT csv, HEADER true)",
    ExportFormat.jsonl: "(FORMAT json)",
}


def default_package() -> Path:
    """The project around the working directory, else the one this `histpack` was installed from."""
    from histpack.project.layout import find_root

    try:
        return find_root()
    except BuildError:
        return find_root(Path(__file__).resolve().parent)


def load_into(con: duckdb.DuckDBPyConnection, package: Path) -> dict:
    """Create the package's tables (and views) in an open connection; return the descriptor."""
    descriptor_path, descriptor = read_descriptor(Path(package))
    duck.load_into(con, descriptor_path.parent)
    return descriptor


def connect(db_path: str | Path | None = None, package: str | Path | None = None,
            read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the package loaded: tables, keys, ENUMs, comments and views.

    Without `db_path`, the project's committed package is loaded into an in-memory database.
    With `db_path`, that database file is opened, and first created from the package if it
    does not exist yet.
    """
    source = Path(package) if package is not None else None
    if db_path is None:
        con = duckdb.connect()
        load_into(con, source or default_package())
        return con
    db_path = Path(db_path)
    if not db_path.exists():
        duck.load_package(source or default_package(), db_path)
    return duckdb.connect(str(db_path), read_only=read_only)


def _columns(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    return con.execute("SELECT column_name, data_type FROM information_schema.columns "
                       "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [name]).fetchall()


def _select(con: duckdb.DuckDBPyConnection, name: str, fmt: ExportFormat | None = None) -> str:
    """Every column of a table or view, ENUMs as plain strings (other tools need no DuckDB types). In JSON
    Lines, NaN and ±infinity are null: JSON has no such numbers (DuckDB would write the invalid `NaN`)."""

    def column(c: str, t: str) -> str:
        if t.startswith("ENUM"):
            return f"CAST({ident(c)} AS VARCHAR) AS {ident(c)}"
        if fmt is ExportFormat.jsonl and t in ("DOUBLE", "FLOAT", "REAL"):
            return f"CASE WHEN isfinite({ident(c)}) THEN {ident(c)} END AS {ident(c)}"
        return ident(c)

    return "SELECT " + ", ".join(column(c, t) for c, t in _columns(con, name)) + f" FROM {ident(name)}"


def view_schema(name: str) -> dict:
    """A view's columns as a Table Schema of descriptions (no types: those are the query's), so that
    the Parquet export carries them as it does a table's."""
    return {"fields": [{"name": column, "description": description}
                       for column, description in VIEW_COLUMNS[name].items()]}


def _views(con: duckdb.DuckDBPyConnection) -> list[str]:
    present = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    return [name for name in VIEWS if name in present]


def export(package: Path, fmt: ExportFormat | str, out: Path) -> list[Path]:
    """One file per table and per view in `out`: typed (dates as DATE, integers as integers, enums
    as strings); in Parquet, column descriptions and vocabularies ride along as field metadata."""
    fmt = ExportFormat(fmt)
    out = Path(out)
    if fmt is ExportFormat.sqlite:
        from histpack.outputs.sqlite import export_sqlite
        return export_sqlite(package, out)
    guard = protected(package)
    check_target(out, folder=True, protected=guard, noun="an output folder",
                 hint="write exports to a folder of their own, such as build/export")
    con, descriptor = _loaded(Path(package))
    try:
        root = read_descriptor(Path(package))[0].parent
        written = []
        targets = [(r["name"], resource_schema(root, r), r.get("description") or r.get("title") or "")
                   for r in descriptor["resources"]]
        targets += [(name, view_schema(name), VIEW_COMMENTS[name]) for name in _views(con)]
        files = _file_names(out, [name for name, _, _ in targets], fmt, guard)  # all checked before any is written
        out.mkdir(parents=True, exist_ok=True)
        for (name, schema, description), target in zip(targets, files):
            query = _select(con, name, fmt)
            with atomic_file(target, within=out, protected=guard, suffix=f".{fmt.value}") as tmp:
                if fmt is ExportFormat.parquet:
                    _write_parquet(con, query, schema, description, tmp)
                else:
                    con.execute(f"COPY ({query}) TO {literal(str(tmp))} {COPY_OPTIONS[fmt]}")
            written.append(target)
        return written
    finally:
        con.close()


def _file_names(out: Path, names: list[str], fmt: ExportFormat, guard) -> list[Path]:
    """`<out>/<name>.<format>` for each table and view (a `/` in a name is a folder; a part too long for
    the file system is cut and given a hash, `fit_name`), each checked by the safe writer, before any
    file is written; two names that would give one file are refused instead of one table being lost."""
    files, seen = [], {}
    for name in names:
        if any(part in ("", ".", "..") for part in name.split("/")):  # `/tmp/x`, `../x`: refused if it leaves `out`
            check_target(out / f"{name}.{fmt.value}", within=out, protected=guard)
        *folders, stem = name.split("/")
        target = out.joinpath(*map(fit_name, folders), f"{fit_name(stem, NAME_LIMIT - 1 - len(fmt.value))}.{fmt.value}")
        check_target(target, within=out, protected=guard, display=str(out / f"{name}.{fmt.value}"))
        key = os.path.normcase(os.path.normpath(os.path.abspath(target)))
        if key in seen:
            raise BuildError(str(target), f"resources `{seen[key]}` and `{name}` would both be written to this file",
                             "rename one of them")
        seen[key] = name
        files.append(target)
    return files


def _loaded(package: Path) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """The package's database, read-only: the cached one (`cache.py`: made once per package, shared with
    query), else, where the cache cannot be written, loaded into memory. An invalid package is refused
    with its first problem either way."""
    from histpack.db.cache import cached_database

    def refuse(checked_package: Path) -> None:
        problems = validate_package(checked_package)
        if problems:
            raise PackageError.refused(problems)

    try:
        database = cached_database(package, refuse)
    except OSError:
        con = duckdb.connect()
        try:
            return con, load_into(con, package)
        except BaseException:
            con.close()
            raise
    return duckdb.connect(str(database), read_only=True), read_descriptor(package)[1]


def _write_parquet(con: duckdb.DuckDBPyConnection, query: str, schema: dict, description: str,
                   target: Path) -> None:
    """Through Arrow, so that a column is NOT NULL in Parquet exactly when the Table Schema requires
    it (DuckDB's own writer marks every column without nulls in the data as required), and carries
    the schema's description and vocabulary."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = con.sql(query).arrow()
    table = table.read_all() if hasattr(table, "read_all") else table  # DuckDB ≥ 1.4 returns a reader
    columns = TableSchema.from_frictionless("", schema).arrow_metadata()
    fields = [field.with_nullable(columns.get(field.name, (True, {}))[0])
              .with_metadata(columns.get(field.name, (True, {}))[1] or None) for field in table.schema]
    arrow_schema = pa.schema(fields, metadata={b"description": description.encode("utf-8")} if description else None)
    pq.write_table(table.cast(arrow_schema), target, compression="zstd")
