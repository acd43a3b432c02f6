"""A Frictionless tabular data package → a typed DuckDB database (read-only queries: `query.py`).

Types, NOT NULL, ENUMs, keys and comments come from the Table Schemas, so any tabular data
package loads; the views of DESIGN.md are added when the package holds our tables.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import duckdb

from .query import QueryRefused, check_read_only, connect_read_only, run_query  # noqa: F401 - moved
from .validate import read_descriptor

DUCK_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
              "date": "DATE", "datetime": "TIMESTAMP", "time": "TIME", "year": "INTEGER", "yearmonth": "VARCHAR",
              "duration": "VARCHAR", "object": "JSON", "array": "JSON", "geopoint": "VARCHAR",
              "geojson": "JSON", "any": "VARCHAR"}


# Database files are written in the storage format of DuckDB 1.0, which every DuckDB since 1.0
# reads (DuckDB 2.0's own default is unreadable before 2.0). Tested: DuckDB CLI 1.4.4 and 1.5.6.
STORAGE_VERSION = "v1.0.0"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _schema(root: Path, resource: dict) -> dict:
    schema = resource.get("schema", {})
    if isinstance(schema, str):
        schema = json.loads((root / schema).read_text(encoding="utf-8"))
    return schema


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def load_package(package: Path, db_path: Path) -> Path:
    """Create `db_path` from the package: written beside it first, then moved into place."""
    descriptor_path, descriptor = read_descriptor(Path(package))
    root = descriptor_path.parent
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".load-", suffix=".duckdb", dir=db_path.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        con = duckdb.connect(tmp, config={"storage_compatibility_version": STORAGE_VERSION})
        try:
            _create(con, root, descriptor)
        finally:
            con.close()
        os.replace(tmp, db_path)
    finally:
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return db_path


def _create(con: duckdb.DuckDBPyConnection, root: Path, descriptor: dict) -> None:
    resources = [r for r in descriptor["resources"] if r.get("path")]
    schemas = {r["name"]: _schema(root, r) for r in resources}
    enum_types: dict[tuple[str, ...], str] = {}
    created: set[str] = set()
    types: dict[tuple[str, str], str] = {}  # (table, column) → SQL type
    for resource in resources:
        name = resource["name"]
        schema = schemas[name]
        lines = []
        # A column that references a plain VARCHAR key stays VARCHAR with its enum as a CHECK:
        # DuckDB refuses a foreign key between an ENUM and a VARCHAR column.
        references = {a: types.get((fk["reference"].get("resource") or name, b))
                      for fk in schema.get("foreignKeys", [])
                      for a, b in zip(_as_list(fk["fields"]), _as_list(fk["reference"]["fields"]))}
        for field in schema.get("fields", []):
            constraints = field.get("constraints", {})
            sql_type = DUCK_TYPES.get(field.get("type", "string"), "VARCHAR")
            check = ""
            if constraints.get("enum") and field.get("type", "string") == "string" \
                    and references.get(field["name"]) == "VARCHAR":
                check = f" CHECK ({ident(field['name'])} IN ({', '.join(map(literal, constraints['enum']))}))"
            elif constraints.get("enum") and field.get("type", "string") == "string":
                values = tuple(constraints["enum"])
                if values not in enum_types:
                    type_name = field["name"]
                    if type_name in enum_types.values():
                        type_name = f"{name}_{field['name']}"
                    enum_types[values] = type_name
                    con.execute(f"CREATE TYPE {ident(type_name)} AS ENUM ({', '.join(map(literal, values))})")
                sql_type = ident(enum_types[values])
            types[(name, field["name"])] = sql_type
            not_null = " NOT NULL" if constraints.get("required") else ""
            lines.append(f"{ident(field['name'])} {sql_type}{not_null}{check}")
        pk = _as_list(schema.get("primaryKey"))
        if pk:
            lines.append(f"PRIMARY KEY ({', '.join(map(ident, pk))})")
        for fk in schema.get("foreignKeys", []):
            target = fk["reference"].get("resource") or name
            # DuckDB checks a foreign key on insert and cannot add one later: only keys to tables
            # already loaded are declared; `histpack validate` checks them all.
            local, remote = _as_list(fk["fields"]), _as_list(fk["reference"]["fields"])
            # DuckDB also needs both sides of the same type (an ENUM column cannot reference a VARCHAR).
            same = [types.get((name, a)) for a in local] == [types.get((target, b)) for b in remote]
            if target in created and target != name and same:
                lines.append(f"FOREIGN KEY ({', '.join(map(ident, _as_list(fk['fields'])))}) REFERENCES "
                             f"{ident(target)} ({', '.join(map(ident, _as_list(fk['reference']['fields'])))})")
        con.execute(f"CREATE TABLE {ident(name)} (\n  " + ",\n  ".join(lines) + "\n)")
        columns = []
        for field in schema.get("fields", []):
            columns.append(f"CAST({ident(field['name'])} AS {types[(name, field['name'])]})")
        path = str((root / resource["path"]).resolve())
        con.execute(f"INSERT INTO {ident(name)} SELECT {', '.join(columns)} FROM "
                    f"read_csv({literal(path)}, header=true, all_varchar=true, quote='\"', escape='\"', "
                    f"delim=',')")
        comment = resource.get("description") or resource.get("title")
        if comment:
            con.execute(f"COMMENT ON TABLE {ident(name)} IS {literal(comment)}")
        for field in schema.get("fields", []):
            if field.get("description"):
                con.execute(f"COMMENT ON COLUMN {ident(name)}.{ident(field['name'])} IS {literal(field['description'])}")
        created.add(name)
    if {"quotes", "paragraphs", "events", "comparisons"} <= created:
        from .views import create_views
        create_views(con)
