"""One schema model behind every database: the DuckDB file `histpack build` writes, the database `load.sql`
makes (in the Python client and in the DuckDB CLIs) and the SQLite export declare the keys, unique
constraints and vocabularies that `histpack.model.schema` plans for them, table by table."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess

import duckdb
import pytest

from conftest import REPO
from histpack.engine.reader import read_package
from histpack.model.schema import PackageSchema, TableSchema
from test_load_sql import require_clis


@pytest.fixture(scope="module")
def schema() -> PackageSchema:
    return read_package(REPO).database_schema()


def expected(schema: PackageSchema, dialect: str) -> dict:
    """Per table: primary key, foreign keys, unique columns, and each vocabulary column's values."""
    plan = schema.duckdb_plan()
    declared = {ddl.name: ddl.foreign_keys for ddl in plan.tables} if dialect == "duckdb" else \
        {t.name: t.foreign_keys for t in schema}
    out = {}
    for table in schema:
        out[table.name] = {
            "primary key": tuple(table.primary_key),
            "foreign keys": {(fk.fields, fk.table, fk.reference) for fk in declared[table.name]},
            "unique": {f.name for f in table.fields if f.unique},
            "vocabularies": {f.name: set(map(str, f.enum)) for f in table.fields if f.enum},
        }
    return out


def _values(text: str) -> set[str]:
    return set(re.findall(r"'((?:[^']|'')*)'", text))


def declared_in_duckdb(con: duckdb.DuckDBPyConnection) -> dict:
    out: dict = {}
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall():
        out[table] = {"primary key": (), "foreign keys": set(), "unique": set(), "vocabularies": {}}
    for table, kind, columns, target, remote, expression in con.execute(
            "SELECT table_name, constraint_type, constraint_column_names, referenced_table, referenced_column_names, "
            "expression FROM duckdb_constraints()").fetchall():
        entry = out[table]
        if kind == "PRIMARY KEY":
            entry["primary key"] = tuple(columns)
        elif kind == "FOREIGN KEY":
            entry["foreign keys"].add((tuple(columns), target, tuple(remote)))
        elif kind == "UNIQUE":
            entry["unique"] |= set(columns)
        elif kind == "CHECK" and " IN " in (expression or ""):
            entry["vocabularies"][columns[0]] = _values(expression)
    for table, column, data_type in con.execute("SELECT table_name, column_name, data_type FROM duckdb_columns()"
                                                ).fetchall():
        if data_type.startswith("ENUM(") and table in out:  # a view's columns are not declared
            out[table]["vocabularies"][column] = _values(data_type)
    return out


def declared_in_sqlite(path) -> dict:
    con = sqlite3.connect(path)
    try:
        out = {}
        for table, sql in con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall():
            info = con.execute(f'PRAGMA table_info("{table}")').fetchall()
            key = tuple(name for _, name, *_rest, pk in sorted(info, key=lambda r: r[5]) if pk)
            fks: dict[int, list] = {}
            for fk_id, seq, target, column, remote, *_ in con.execute(f'PRAGMA foreign_key_list("{table}")'):
                fks.setdefault(fk_id, []).append((seq, column, target, remote))
            unique = set()
            for _, index, is_unique, origin, _partial in con.execute(f'PRAGMA index_list("{table}")').fetchall():
                if is_unique and origin == "u":
                    unique |= {r[2] for r in con.execute(f'PRAGMA index_info("{index}")').fetchall()}
            checks = re.findall(r'"((?:[^"]|"")+)" IN \(([^)]*)\)', sql)
            out[table] = {
                "primary key": key,
                "foreign keys": {(tuple(p[1] for p in sorted(parts)), parts[0][2], tuple(p[3] for p in sorted(parts)))
                                 for parts in fks.values()},
                "unique": unique,
                "vocabularies": {column: _values(values) for column, values in checks},
            }
        return out
    finally:
        con.close()


def test_the_built_database_declares_what_the_schema_model_plans(schema, package_database):
    con = duckdb.connect(str(package_database), read_only=True)
    try:
        assert declared_in_duckdb(con) == expected(schema, "duckdb")
    finally:
        con.close()


def test_load_sql_declares_what_the_schema_model_plans(schema, tmp_path):
    path = tmp_path / "load.duckdb"
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        con = duckdb.connect(str(path))
        con.execute((REPO / "load.sql").read_text(encoding="utf-8"))
        assert declared_in_duckdb(con) == expected(schema, "duckdb")
    finally:
        con.close()
        os.chdir(cwd)


def test_load_sql_in_the_duckdb_cli_declares_the_same(schema, tmp_path):
    for cli in require_clis():
        target = tmp_path / f"{os.path.basename(os.path.dirname(os.path.dirname(cli)))}.duckdb"
        with open(REPO / "load.sql", "rb") as sql:
            result = subprocess.run([cli, str(target)], stdin=sql, cwd=REPO, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        con = duckdb.connect(str(target), read_only=True)
        try:
            assert declared_in_duckdb(con) == expected(schema, "duckdb"), cli
        finally:
            con.close()


def test_the_sqlite_export_declares_every_key_of_the_schema_model(schema, tmp_path, cli):
    result = cli(REPO, "export", "--format", "sqlite", "--out", str(tmp_path / "package.sqlite"))
    assert result.exit_code == 0, result.stderr
    found = declared_in_sqlite(tmp_path / "package.sqlite")
    assert found == expected(schema, "sqlite")
    # SQLite declares every key; DuckDB all but those the plan lists as undeclarable
    plan = schema.duckdb_plan()
    in_duckdb = sum(len(ddl.foreign_keys) for ddl in plan.tables)
    assert sum(len(t["foreign keys"]) for t in found.values()) == in_duckdb + len(plan.undeclared) > in_duckdb


def test_one_plan_for_any_package_keys_unique_and_vocabularies():
    """A third party's schema: a unique column, an integer vocabulary, a self-reference and a field named
    like a DuckDB type all come out of the one plan the same way in both dialects."""
    farms = TableSchema.from_frictionless("farms", {
        "fields": [{"name": "id", "type": "integer", "constraints": {"required": True}},
                   {"name": "code", "type": "string", "constraints": {"unique": True}},
                   {"name": "text", "type": "string", "constraints": {"enum": ["a", "b"]}},
                   {"name": "size", "type": "integer", "constraints": {"enum": [1, 2]}},
                   {"name": "parent", "type": "integer"}],
        "primaryKey": "id", "foreignKeys": [{"fields": "parent", "reference": {"resource": "", "fields": "id"}}]})
    plan = PackageSchema((farms,)).duckdb_plan()
    assert plan.enums == (("farms_text", ("a", "b")),)  # `text` is a DuckDB type name: the table's name first
    assert plan.undeclared == ("farms.parent → farms.id",)
    con = duckdb.connect()
    con.execute(plan.create_enum("farms_text"))
    con.execute(plan.tables[0].create())
    con.execute("INSERT INTO farms VALUES (1, 'x', 'a', 2, NULL)")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO farms VALUES (2, 'x', 'b', 1, 1)")  # code is unique
    lite = sqlite3.connect(":memory:")
    lite.execute(PackageSchema((farms,)).sqlite_tables()[0].create())
    lite.execute("INSERT INTO farms VALUES (1, 'x', 'a', 2, NULL)")
    with pytest.raises(sqlite3.IntegrityError):
        lite.execute("INSERT INTO farms VALUES (2, 'y', 'b', 3, 1)")  # 3 is not in the integer vocabulary
