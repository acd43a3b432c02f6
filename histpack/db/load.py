"""A Frictionless tabular data package → a typed DuckDB database (read-only queries: `query.py`).

Types, NOT NULL, ENUMs, keys and comments come from the Table Schemas, so any tabular data
package loads; the views of the design contract (docs/design-contract.md) are added when the package holds our tables.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from histpack.engine.check import connect, drop_staged
from histpack.project.sql import ident, literal
from histpack.engine.types import DUCK_TYPES, sql_type  # noqa: F401 - DUCK_TYPES re-exported
from histpack.db.query import QueryRefused, check_read_only, connect_read_only, run_query  # noqa: F401 - moved
from histpack.checks.validate import PackageError, check


# Database files are written in the storage format of DuckDB 1.0, which every DuckDB since 1.0
# reads (DuckDB 2.0's own default is unreadable before 2.0). Tested: DuckDB CLI 1.4.4 and 1.5.6.
STORAGE_VERSION = "v1.0.0"


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def validate_and_load(package: Path, db_path: Path | None, checker=None) -> tuple[list, list[str]]:
    """Validate the package and, if it is valid, create `db_path` from the rows the validation typed
    (each CSV is read once). Returns (problems, notes); with problems, nothing is written.
    The database is written beside `db_path` first, then moved into place; with no `db_path` the
    package is only checked, in memory. `checker(package, con)` replaces `validate.check` (the build
    passes one that names annotation lines)."""
    checker = checker or check
    if db_path is None:
        con = connect()
        problems, checked, notes = checker(Path(package), con)
        if checked is not None:
            checked.close()
        con.close()
        return problems, notes
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".load-", suffix=".duckdb", dir=db_path.parent)
    os.close(fd)
    os.unlink(tmp)
    checked = None
    # DuckDB reads `?` in a database path as URL parameters: such a folder gets the database from a
    # private plain-named folder, copied beside the target, then moved into place
    alias = tempfile.mkdtemp(prefix="histpack-db-") if set("?#") & set(str(db_path.parent.resolve())) else None
    work = os.path.join(alias, "load.duckdb") if alias else tmp
    try:
        con = connect(work, config={"storage_compatibility_version": STORAGE_VERSION})
        try:
            problems, checked, notes = checker(Path(package), con)
            if problems or checked is None:
                return problems, notes
            _create_tables(con, checked)
        finally:
            if checked is not None:
                checked.close()
            con.close()
        if alias:
            shutil.copyfile(work, tmp)
        os.replace(tmp, db_path)
        return [], notes
    finally:
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
        if alias:
            shutil.rmtree(alias, ignore_errors=True)


def load_package(package: Path, db_path: Path) -> Path:
    """Create `db_path` from the package; a package that does not validate is refused (PackageError
    naming the first problem's file and row) and nothing is written."""
    problems, _ = validate_and_load(package, db_path)
    if problems:
        more = f" (and {len(problems) - 1} more problems: run `histpack validate`)" if len(problems) > 1 else ""
        raise PackageError(problems[0].line() + more)
    return Path(db_path)


def load_into(con: duckdb.DuckDBPyConnection, package: Path) -> None:
    """Create the package's typed tables (and views) in an open connection; refuse an invalid package."""
    problems, checked, _ = check(Path(package), con)
    try:
        if problems or checked is None:
            more = f" (and {len(problems) - 1} more problems: run `histpack validate`)" if len(problems) > 1 else ""
            raise PackageError(problems[0].line() + more)
        _create_tables(con, checked)
    finally:
        if checked is not None:
            checked.close()


def _create_tables(con: duckdb.DuckDBPyConnection, checked) -> None:
    """Typed tables named after the resources, rows in file order, from the engine's `__typed_N` rows."""
    enum_types: dict[tuple[str, ...], str] = {}
    created: set[str] = set()
    types: dict[tuple[str, str], str] = {}  # (table, column) → SQL type
    comments: list[str] = []
    for name, staged in checked.staged.items():
        schema = staged.resource.schema or {}
        lines = []
        # A column that references a plain VARCHAR key stays VARCHAR with its enum as a CHECK:
        # DuckDB refuses a foreign key between an ENUM and a VARCHAR column.
        references = {a: types.get((fk["reference"].get("resource") or name, b))
                      for fk in schema.get("foreignKeys", []) or []
                      for a, b in zip(_as_list(fk["fields"]), _as_list(fk["reference"]["fields"]))}
        for field in staged.fields:
            constraints = field.get("constraints") or {}
            kind = field.get("type", "string")
            column_type = sql_type(field)
            check = ""
            if constraints.get("enum") and kind == "string" and references.get(field["name"]) == "VARCHAR":
                check = f" CHECK ({ident(field['name'])} IN ({', '.join(map(literal, constraints['enum']))}))"
            elif constraints.get("enum") and kind == "string":
                values = tuple(dict.fromkeys(map(str, constraints["enum"])))
                if values not in enum_types:
                    type_name = field["name"]
                    if type_name in enum_types.values():
                        type_name = f"{name}_{field['name']}"
                    enum_types[values] = type_name
                    con.execute(f"CREATE TYPE {ident(type_name)} AS ENUM ({', '.join(map(literal, values))})")
                column_type = ident(enum_types[values])
            types[(name, field["name"])] = column_type
            not_null = " NOT NULL" if constraints.get("required") is True else ""
            unique = " UNIQUE" if constraints.get("unique") is True else ""
            lines.append(f"{ident(field['name'])} {column_type}{not_null}{unique}{check}")
        pk = _as_list(schema.get("primaryKey"))
        pk = pk if pk and set(pk) <= set(staged.names) else []
        for fk in schema.get("foreignKeys", []) or []:
            target = fk["reference"].get("resource") or name
            local, remote = _as_list(fk["fields"]), _as_list(fk["reference"]["fields"])
            # DuckDB checks a foreign key on insert, cannot add one later, needs both sides of the same
            # type and the referenced columns to be a key: only such keys are declared; the engine
            # has checked them all.
            same = [types.get((name, a)) for a in local] == [types.get((target, b)) for b in remote]
            target_schema = checked.staged[target].resource.schema or {} if target in checked.staged else {}
            keyed = remote == _as_list(target_schema.get("primaryKey")) or (len(remote) == 1 and any(
                f.get("name") == remote[0] and (f.get("constraints") or {}).get("unique") is True
                for f in target_schema.get("fields", [])))
            if target in created and target != name and same and keyed:
                lines.append(f"FOREIGN KEY ({', '.join(map(ident, local))}) REFERENCES "
                             f"{ident(target)} ({', '.join(map(ident, remote))})")
        if not lines:
            continue
        con.execute(f"CREATE TABLE {ident(name)} (\n  " + ",\n  ".join(lines) + "\n)")
        columns = [f"CAST(t{j} AS {types[(name, f['name'])]})" for j, f in enumerate(staged.fields)]
        try:
            order = " ORDER BY rn" if staged.shifted else ""  # else the view already reads in file order
            con.execute(f"INSERT INTO {ident(name)} SELECT {', '.join(columns)} FROM {staged.table}{order}")
            if pk:  # added after the rows: building its index once costs a fraction of keeping it on insert
                con.execute(f"ALTER TABLE {ident(name)} ADD PRIMARY KEY ({', '.join(map(ident, pk))})")
        except duckdb.Error as exc:
            raise PackageError(f"{staged.resource.place}: DuckDB refused the rows: {' '.join(str(exc).split())}") from None
        drop_staged(con, staged)
        comment = staged.resource.descriptor.get("description") or staged.resource.descriptor.get("title")
        if comment:
            comments.append(f"COMMENT ON TABLE {ident(name)} IS {literal(comment)}")
        for field in staged.fields:
            if field.get("description"):
                comments.append(f"COMMENT ON COLUMN {ident(name)}.{ident(field['name'])} IS "
                                f"{literal(field['description'])}")
        created.add(name)
    _in_one_transaction(con, comments)
    from histpack.model.views import create_views, views_apply

    if views_apply(created):
        create_views(con)


def _in_one_transaction(con: duckdb.DuckDBPyConnection, statements: list[str]) -> None:
    """Run `statements` with one commit (a commit each costs more than a comment), or in the caller's
    transaction if one is open."""
    try:
        con.execute("BEGIN TRANSACTION")
    except duckdb.TransactionException:
        for statement in statements:
            con.execute(statement)
        return
    try:
        for statement in statements:
            con.execute(statement)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
