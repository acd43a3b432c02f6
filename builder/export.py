"""Open the package anywhere: a DuckDB connection for notebooks, and typed Parquet, CSV or JSON
Lines files for other tools.

Both load the package exactly as `histpack load` does (types, ENUMs, keys, comments and views,
all from the Table Schemas), into an in-memory database, so nothing is left behind.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import duckdb

from . import duck
from .duck import ident, literal
from .errors import BuildError
from .validate import read_descriptor


class ExportFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"
    jsonl = "jsonl"


COPY_OPTIONS = {
    ExportFormat.csv: "(FORMAT csv, HEADER true)",
    ExportFormat.jsonl: "(FORMAT json)",
}


def default_package() -> Path:
    """The project around the working directory, else the one this `builder` was installed from."""
    from .build import find_root

    try:
        return find_root()
    except BuildError:
        return find_root(Path(__file__).resolve().parent)


def load_into(con: duckdb.DuckDBPyConnection, package: Path) -> dict:
    """Create the package's tables (and views) in an open connection; return the descriptor."""
    descriptor_path, descriptor = read_descriptor(Path(package))
    duck._create(con, descriptor_path.parent, descriptor)
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


def export(package: Path, fmt: ExportFormat | str, out: Path) -> list[Path]:
    """One file per table in `out`: typed (dates as DATE, integers as integers, enums as strings)."""
    fmt = ExportFormat(fmt)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BuildError(str(out), "is a file, not a folder", "give --out a folder")
    con = duckdb.connect()
    try:
        descriptor = load_into(con, package)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for resource in descriptor["resources"]:
            name = resource["name"]
            target = out / f"{name}.{fmt.value}"
            columns = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [name]).fetchall()
            select = ", ".join(f"CAST({ident(c)} AS VARCHAR) AS {ident(c)}" if t.startswith("ENUM") else ident(c)
                               for c, t in columns)
            query = f"SELECT {select} FROM {ident(name)}"
            if fmt is ExportFormat.parquet:
                _write_parquet(con, query, _required(package, resource), target)
            else:
                con.execute(f"COPY ({query}) TO {literal(str(target.resolve()))} {COPY_OPTIONS[fmt]}")
            written.append(target)
        return written
    finally:
        con.close()



def _required(package: Path, resource: dict) -> set[str]:
    root = read_descriptor(Path(package))[0].parent
    schema = duck._schema(root, resource)
    return {f["name"] for f in schema.get("fields", []) if f.get("constraints", {}).get("required")}


def _write_parquet(con: duckdb.DuckDBPyConnection, query: str, required: set[str], target: Path) -> None:
    """Through Arrow, so that a column is NOT NULL in Parquet exactly when the Table Schema requires
    it (DuckDB's own writer marks every column without nulls in the data as required)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = con.sql(query).arrow()
    table = table.read_all() if hasattr(table, "read_all") else table  # DuckDB ≥ 1.4 returns a reader
    schema = pa.schema([field.with_nullable(field.name not in required) for field in table.schema])
    pq.write_table(table.cast(schema), target, compression="zstd")
