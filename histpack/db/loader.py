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
from histpack.engine.types import WIDE
from histpack.model.schema import PackageSchema, TableSchema
from histpack.checks.validate import check
from histpack.db import paths
from histpack.project.errors import BuildError, Finding, PackageError
from histpack.project.interrupts import reraise
from histpack.project.journal import checkpoint
from histpack.project.writer import Protected, atomic_file, write_failed


# Database files are written in the storage format of DuckDB 1.0, which every DuckDB since 1.0
# reads (DuckDB 2.0's own default is unreadable before 2.0). Tested: DuckDB CLI 1.4.4 and 1.5.6.
STORAGE_VERSION = "v1.0.0"


class _Invalid(Exception):
    """The package did not validate: nothing is written."""

    def __init__(self, problems: list, notes: list[str]):
        super().__init__()
        self.problems, self.notes = problems, notes


def validate_and_load(package: Path, db_path: Path | None, checker=None, *,
                      protected: Protected | None = None, display: str | None = None) -> tuple[list, list[str]]:
    """Validate the package and, if it is valid, create `db_path` from the rows the validation typed
    (each CSV is read once). Returns (problems, notes); with problems, nothing is written.
    The database goes through the safe writer (`histpack.project.writer`): written beside `db_path`,
    checked to hold every table, then moved into place; `db_path` may not be a link, a special file or
    a file of `protected` (by default the package and its project). With no `db_path` the package is
    only checked, in memory. `checker(package, con)` replaces `validate.check` (the build passes one that
    names annotation lines). `display` names the database in messages (default: `db_path`)."""
    checker = checker or check
    if db_path is None:
        con = connect()
        problems, checked, notes = checker(Path(package), con)
        if checked is not None:
            checked.close()
        con.close()
        return problems, notes
    if protected is None:
        protected = paths.protected(package)
    alias = None
    display = display or str(db_path)
    try:
        with atomic_file(db_path, protected=protected, noun="a database path", suffix=".duckdb",
                         hint="write the database under build/", display=display) as tmp:
            # DuckDB reads `?` in a database path as URL parameters: such a folder gets the database from a
            # private plain-named folder, copied beside the target, then moved into place
            if set("?#") & set(str(tmp.parent.resolve())):
                alias = tempfile.mkdtemp(prefix="histpack-db-")
            work = os.path.join(alias, "load.duckdb") if alias else str(tmp)
            checked = None
            con = connect(work, config={"storage_compatibility_version": STORAGE_VERSION})
            try:
                checkpoint("load")
                problems, checked, notes = checker(Path(package), con)
                if problems or checked is None:
                    raise _Invalid(problems, notes)
                tables = _create_tables(con, checked)
                con.execute("CHECKPOINT")
            finally:
                if checked is not None:
                    checked.close()
                con.close()
            _verify(work, tables, display)
            if alias:
                shutil.copyfile(work, tmp)
    except _Invalid as invalid:
        return invalid.problems, invalid.notes
    except (duckdb.IOException, duckdb.TransactionException, duckdb.FatalException) as exc:  # a full disk
        raise write_failed(display, exc) from None
    finally:
        if alias:
            shutil.rmtree(alias, ignore_errors=True)
    return [], notes


def _verify(database: str, tables: list[str], display: str) -> None:
    """A database written whole holds every table it was given (a full disk can leave it without them)."""
    try:
        con = duckdb.connect(database, read_only=True)
        try:
            found = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        finally:
            con.close()
    except duckdb.Error as exc:
        raise BuildError(display, f"was not written whole ({' '.join(str(exc).split())[:200]})",
                         "free some disk space, or write elsewhere; nothing was changed") from None
    if not set(tables) <= found:
        raise BuildError(display, f"was written without {len(set(tables) - found)} of its {len(tables)} tables "
                                  "(the disk may be full)", "free some disk space, or write elsewhere; nothing was changed")


def load_package(package: Path, db_path: Path) -> Path:
    """Create `db_path` from the package; a package that does not validate is refused (PackageError
    naming the first problem's file and row) and nothing is written."""
    problems, _ = validate_and_load(package, db_path)
    if problems:
        raise PackageError.refused(problems)
    return Path(db_path)


def load_into(con: duckdb.DuckDBPyConnection, package: Path) -> None:
    """Create the package's typed tables (and views) in an open connection; refuse an invalid package."""
    problems, checked, _ = check(Path(package), con)
    try:
        if problems or checked is None:
            raise PackageError.refused(problems)
        _create_tables(con, checked)
    finally:
        if checked is not None:
            checked.close()


def _create_tables(con: duckdb.DuckDBPyConnection, checked) -> list[str]:
    """Typed tables named after the resources, rows in file order, from the engine's `__h$typed_N` rows,
    declared as the schema model's DuckDB plan says (the plan `load.sql` follows too)."""
    _refuse_names_duckdb_merges(checked)
    tables, types = [], {}
    for name, staged in checked.staged.items():
        resource = staged.resource
        tables.append(TableSchema.from_frictionless(name, {**(resource.schema or {}), "fields": staged.fields},
                                                    resource.descriptor))
        types |= {(name, f["name"]): "HUGEINT" for f in staged.fields if f.get(WIDE) is True}
    plan = PackageSchema(tuple(tables)).duckdb_plan(types)
    for enum, _ in plan.enums:
        con.execute(plan.create_enum(enum))
    created: set[str] = set()
    comments: list[str] = []
    for ddl, table in ((ddl, next(t for t in tables if t.name == ddl.name)) for ddl in plan.tables):
        staged = checked.staged[ddl.name]
        if not ddl.columns:
            continue
        con.execute(ddl.create(primary_key=False))
        columns = [f"CAST(t{j} AS {column.sql_type})" for j, column in enumerate(ddl.columns)]
        try:
            order = " ORDER BY rn" if staged.shifted else ""  # else the view already reads in file order
            con.execute(f"INSERT INTO {ident(ddl.name)} SELECT {', '.join(columns)} FROM {staged.table}{order}")
            if ddl.primary_key:  # added after the rows: building its index once costs a fraction of keeping it on insert
                con.execute(ddl.add_primary_key())
        except (duckdb.IOException, duckdb.TransactionException):
            raise  # the database could not be written, not the rows' fault
        except duckdb.Error as exc:
            reraise(exc)
            raise PackageError(Finding(f"DuckDB refused the rows: {' '.join(str(exc).split())}",
                                       staged.resource.place)) from None
        drop_staged(con, staged)
        if table.comment:
            comments.append(f"COMMENT ON TABLE {ident(ddl.name)} IS {literal(table.comment)}")
        comments += [f"COMMENT ON COLUMN {ident(ddl.name)}.{ident(f.name)} IS {literal(f.description)}"
                     for f in table.fields if f.description]
        created.add(ddl.name)
    _in_one_transaction(con, comments)
    from histpack.model.views import create_views, views_apply

    if views_apply(created):
        create_views(con)
    return sorted(created)


def _refuse_names_duckdb_merges(checked) -> None:
    """DuckDB's names ignore case: two columns (or tables) whose names differ only in case are one name
    there, so such a package is refused in one line naming its file instead of half loaded."""
    seen: dict[str, str] = {}
    for name, staged in checked.staged.items():
        other = seen.setdefault(name.casefold(), name)
        if other != name:
            raise PackageError(Finding(f"resources `{other}` and `{name}` differ only in case, and DuckDB's table "
                                       "names ignore case: one database cannot hold both", staged.resource.place,
                                       hint="rename one of them"))
        columns: dict[str, str] = {}
        for field in staged.names:
            other = columns.setdefault(field.casefold(), field)
            if other != field:
                raise PackageError(Finding(f"columns `{other}` and `{field}` differ only in case, and DuckDB's "
                                           "column names ignore case: one table cannot hold both",
                                           staged.resource.place, hint="rename one of them"))


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
