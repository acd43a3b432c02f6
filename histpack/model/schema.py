"""The one typed schema model: tables, fields, keys and vocabularies, and what each database makes of them.

A `PackageSchema` is read from any Frictionless tabular data package (`from_frictionless`) or made from
the project's models (`histpack.model.tables`). Everything that declares a table elsewhere is rendered
from it, so the databases cannot drift apart:

- the Table Schema JSON of a package (`TableSchema.to_frictionless`);
- DuckDB: `duckdb_plan()` decides once the creation order, the ENUM types, which columns keep their
  vocabulary as a CHECK, and which foreign keys DuckDB can declare; the loaded database
  (`histpack.db.loader`) and `load.sql` (`histpack.outputs.loadsql`) both execute that plan;
- SQLite (`sqlite_tables()`), which declares every foreign key, cycles included;
- Arrow/Parquet field metadata (`arrow_metadata()`).

A key given as one name or as a list of names is normalised here once (`as_names`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from histpack.project.sql import ident, literal

DUCK_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
              "date": "DATE", "datetime": "TIMESTAMP", "time": "TIME", "year": "INTEGER", "yearmonth": "VARCHAR",
              "duration": "VARCHAR", "object": "JSON", "array": "JSON", "geopoint": "VARCHAR",
              "geojson": "JSON", "any": "VARCHAR"}
SQLITE_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "DATE",
                "datetime": "TIMESTAMP", "year": "INTEGER"}
# Names DuckDB already gives a type: an ENUM type named after a column must not take one of them.
DUCKDB_TYPE_NAMES = frozenset("""
    bigint binary bit bitstring blob bool boolean bpchar bytea char date datetime dec decimal double enum float
    float4 float8 guid hugeint int int1 int128 int16 int2 int32 int4 int64 int8 integer integral interval json
    list logical long map null numeric nvarchar oid real row short signed smallint string struct text time
    timestamp timestamptz timetz tinyint ubigint uhugeint uint128 uint16 uint32 uint64 uint8 uinteger union
    usmallint utinyint uuid varbinary varchar varint any array table""".split())


def as_names(value) -> tuple[str, ...]:
    """A key as Table Schema writes it, one name or a list of names, as a tuple of names."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return ()


@dataclass(frozen=True)
class Field:
    """One column: its Table Schema type and constraints, and for a closed vocabulary each value's meaning."""

    name: str
    type: str = "string"
    description: str = ""
    format: str | None = None
    required: bool = False
    unique: bool = False
    enum: tuple = ()
    labels: tuple[str, ...] = ()  # the meaning of each `enum` value, in order ("" where unknown)
    pattern: str | None = None
    minimum: object = None
    maximum: object = None
    min_length: int | None = None
    max_length: int | None = None

    @property
    def meanings(self) -> dict[str, str]:
        """Each value of the vocabulary with its meaning ("" where the schema gives none)."""
        labels = self.labels or ("",) * len(self.enum)
        return {str(value): label for value, label in zip(self.enum, labels)}

    @classmethod
    def from_frictionless(cls, raw: dict) -> "Field":
        constraints = raw.get("constraints") if isinstance(raw.get("constraints"), dict) else {}
        enum = tuple(constraints.get("enum") or ()) if isinstance(constraints.get("enum"), list) else ()
        categories = raw.get("categories") if isinstance(raw.get("categories"), list) else []
        by_value = {str(c.get("value")): str(c.get("label", "")) for c in categories if isinstance(c, dict)}
        return cls(
            name=str(raw.get("name", "")), type=str(raw.get("type") or "string"),
            description=str(raw.get("description") or ""), format=raw.get("format"),
            required=constraints.get("required") is True, unique=constraints.get("unique") is True,
            enum=enum, labels=tuple(by_value.get(str(v), "") for v in enum) if by_value else (),
            pattern=constraints.get("pattern"), minimum=constraints.get("minimum"),
            maximum=constraints.get("maximum"), min_length=constraints.get("minLength"),
            max_length=constraints.get("maxLength"))

    def to_frictionless(self) -> dict:
        out: dict = {"name": self.name, "type": self.type, "description": self.description}
        if self.format is not None:
            out["format"] = self.format
        constraints: dict = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.pattern:
            constraints["pattern"] = self.pattern
        for key, value in (("minimum", self.minimum), ("maximum", self.maximum), ("minLength", self.min_length),
                           ("maxLength", self.max_length)):
            if value is not None:
                constraints[key] = value
        if constraints:
            out["constraints"] = constraints
        if self.enum:  # each value with its meaning (Table Schema v2 `categories`), so the package explains itself
            out["categories"] = [{"value": value, "label": label} for value, label in self.meanings.items()]
        return out


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    table: str  # the referenced table (the table itself for a self-reference)
    reference: tuple[str, ...]

    def text(self, table: str) -> str:
        return f"{table}.{', '.join(self.fields)} → {self.table}.{', '.join(self.reference)}"


@dataclass(frozen=True)
class TableSchema:
    """One table: a resource of the package with its schema."""

    name: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    title: str = ""
    description: str = ""
    path: str | None = None  # the data file, relative to the package
    missing_values: tuple[str, ...] = ("",)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def comment(self) -> str:
        return self.description or self.title

    @classmethod
    def from_frictionless(cls, name: str, schema: dict | None, resource: dict | None = None) -> "TableSchema":
        schema = schema if isinstance(schema, dict) else {}
        resource = resource if isinstance(resource, dict) else {}
        fields = tuple(Field.from_frictionless(f) for f in schema.get("fields", []) or [] if isinstance(f, dict))
        fks = []
        for fk in schema.get("foreignKeys", []) or []:
            if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
                continue
            local, remote = as_names(fk.get("fields")), as_names(fk["reference"].get("fields"))
            if local and len(local) == len(remote):
                fks.append(ForeignKey(local, str(fk["reference"].get("resource") or name), remote))
        path = resource.get("path")
        missing = schema.get("missingValues", [""])
        return cls(name, fields, as_names(schema.get("primaryKey")), tuple(fks),
                   str(resource.get("title") or ""), str(resource.get("description") or ""),
                   path if isinstance(path, str) else None,
                   tuple(str(v) for v in missing) if isinstance(missing, list) else ("",))

    def to_frictionless(self) -> dict:
        schema: dict = {"fields": [f.to_frictionless() for f in self.fields],
                        "missingValues": list(self.missing_values), "primaryKey": list(self.primary_key)}
        if self.foreign_keys:
            schema["foreignKeys"] = [{"fields": list(fk.fields),
                                      "reference": {"resource": "" if fk.table == self.name else fk.table,
                                                    "fields": list(fk.reference)}}
                                     for fk in self.foreign_keys]
        return schema

    def arrow_metadata(self) -> dict[str, tuple[bool, dict[bytes, bytes]]]:
        """Per column: whether Parquet may hold nulls (not when the schema requires it), and its
        description and vocabulary (value → meaning, JSON) as key-value metadata."""
        import json

        out = {}
        for f in self.fields:
            meta = {}
            if f.description:
                meta[b"description"] = f.description.encode("utf-8")
            if f.enum:
                meta[b"vocabulary"] = json.dumps(f.meanings, ensure_ascii=False).encode("utf-8")
            out[f.name] = (not f.required, meta)
        return out


@dataclass(frozen=True)
class Column:
    """A column as a database declares it."""

    name: str
    sql_type: str
    not_null: bool = False
    unique: bool = False
    values: tuple = ()  # a vocabulary kept as a CHECK

    def sql(self) -> str:
        line = f"{ident(self.name)} {self.sql_type}"
        if self.not_null:
            line += " NOT NULL"
        if self.unique:
            line += " UNIQUE"
        if self.values:
            line += f" CHECK ({ident(self.name)} IN ({', '.join(map(sql_value, self.values))}))"
        return line


def sql_value(value) -> str:
    """A vocabulary value as SQL: a number as a number (an integer column's vocabulary), else quoted text."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    return literal(value)


@dataclass(frozen=True)
class TableDDL:
    """A table as one database declares it: its columns, key and the foreign keys it can declare."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]

    def create(self, primary_key: bool = True) -> str:
        """CREATE TABLE; without `primary_key`, the key is left for an ALTER TABLE after the rows."""
        lines = [c.sql() for c in self.columns]
        if primary_key and self.primary_key:
            lines.append(f"PRIMARY KEY ({', '.join(map(ident, self.primary_key))})")
        for fk in self.foreign_keys:
            lines.append(f"FOREIGN KEY ({', '.join(map(ident, fk.fields))}) REFERENCES {ident(fk.table)} "
                         f"({', '.join(map(ident, fk.reference))})")
        return f"CREATE TABLE {ident(self.name)} (\n  " + ",\n  ".join(lines) + "\n)"

    def add_primary_key(self) -> str:
        return f"ALTER TABLE {ident(self.name)} ADD PRIMARY KEY ({', '.join(map(ident, self.primary_key))})"


@dataclass(frozen=True)
class DuckDBPlan:
    """How DuckDB declares a package: ENUM types, then the tables in an order that declares as many
    foreign keys as DuckDB can (it declares a key only to a table created before, and never adds one
    later); the keys it cannot declare (cycles, self-references) are listed, and checked by validation."""

    enums: tuple[tuple[str, tuple[str, ...]], ...]
    tables: tuple[TableDDL, ...]
    undeclared: tuple[str, ...]
    enum_of: dict = field(default_factory=dict)  # (table, column) → ENUM type name

    def create_enum(self, name: str) -> str:
        values = dict(self.enums)[name]
        return f"CREATE TYPE {ident(name)} AS ENUM ({', '.join(map(literal, values))})"

    def enums_for(self, table: str) -> list[str]:
        """The ENUM types first used by `table`, in plan order (each created just before it)."""
        seen: set[str] = set()
        for ddl in self.tables:
            names = [self.enum_of[(ddl.name, c.name)] for c in ddl.columns if (ddl.name, c.name) in self.enum_of]
            fresh = [n for n in dict.fromkeys(names) if n not in seen]
            if ddl.name == table:
                return fresh
            seen |= set(fresh)
        return []


@dataclass(frozen=True)
class PackageSchema:
    """Every table of a package, in the package's order."""

    tables: tuple[TableSchema, ...]

    def __iter__(self) -> Iterator[TableSchema]:
        return iter(self.tables)

    def table(self, name: str) -> TableSchema | None:
        return next((t for t in self.tables if t.name == name), None)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.tables]

    @classmethod
    def from_resources(cls, resources: Iterable[tuple[str, dict | None, dict | None]]) -> "PackageSchema":
        """From (name, Table Schema, resource descriptor) of each resource."""
        return cls(tuple(TableSchema.from_frictionless(name, schema, resource) for name, schema, resource in resources))

    def references(self) -> Iterator[tuple[TableSchema, ForeignKey]]:
        for table in self.tables:
            for fk in table.foreign_keys:
                yield table, fk

    def _keyed(self) -> set[tuple[str, str]]:
        """Columns on either side of a foreign key."""
        out = set()
        for table, fk in self.references():
            out |= {(table.name, c) for c in fk.fields} | {(fk.table, c) for c in fk.reference}
        return out

    def _creation_order(self) -> list[TableSchema]:
        """The table with the fewest references to tables not yet created goes first (package order on ties)."""
        left = list(self.tables)
        ordered = []
        while left:
            names = {t.name for t in left}
            chosen = min(left, key=lambda t: sum(1 for fk in t.foreign_keys if fk.table in names and fk.table != t.name))
            ordered.append(chosen)
            left.remove(chosen)
        return ordered

    def duckdb_plan(self, column_types: dict[tuple[str, str], str] | None = None) -> DuckDBPlan:
        """The DuckDB declaration of every table. `column_types` overrides a column's type (the engine
        reads a column of integers beyond 64 bits as HUGEINT). A string column with a vocabulary is an
        ENUM, except on either side of a foreign key, where it stays VARCHAR with a CHECK (DuckDB refuses
        a key between an ENUM and a VARCHAR column)."""
        column_types = column_types or {}
        keyed = self._keyed()
        enums: dict[tuple[str, ...], str] = {}
        enum_of: dict[tuple[str, str], str] = {}
        types: dict[tuple[str, str], str] = {}
        tables, undeclared, created = [], [], set()
        for table in self._creation_order():
            columns = []
            for f in table.fields:
                sql_type = column_types.get((table.name, f.name)) or DUCK_TYPES.get(f.type, "VARCHAR")
                check: tuple[str, ...] = ()
                if f.enum and f.type == "string":
                    values = tuple(dict.fromkeys(map(str, f.enum)))
                    if (table.name, f.name) in keyed:
                        check = values
                    else:
                        if values not in enums:
                            name = f.name
                            if name in enums.values() or name.lower() in DUCKDB_TYPE_NAMES:
                                name = f"{table.name}_{f.name}"
                            enums[values] = name
                        enum_of[(table.name, f.name)] = enums[values]
                        sql_type = ident(enums[values])
                types[(table.name, f.name)] = sql_type
                columns.append(Column(f.name, sql_type, f.required, f.unique, check))
            names = set(table.names)
            pk = table.primary_key if table.primary_key and set(table.primary_key) <= names else ()
            declared = []
            for fk in table.foreign_keys:
                target = self.table(fk.table)
                keyed_target = target is not None and (fk.reference == target.primary_key or (
                    len(fk.reference) == 1 and (target.field(fk.reference[0]) or Field("")).unique))
                same_types = [types.get((table.name, a)) for a in fk.fields] == \
                    [types.get((fk.table, b)) for b in fk.reference]
                if fk.table in created and fk.table != table.name and keyed_target and same_types \
                        and set(fk.fields) <= names:
                    declared.append(fk)
                else:
                    undeclared.append(fk.text(table.name))
            tables.append(TableDDL(table.name, tuple(columns), pk, tuple(declared)))
            created.add(table.name)
        return DuckDBPlan(tuple((name, values) for values, name in enums.items()), tuple(tables), tuple(undeclared),
                          enum_of)

    def sqlite_tables(self) -> list[TableDDL]:
        """The SQLite declaration of every table, in package order: every foreign key is declared, and a
        vocabulary is a CHECK."""
        out = []
        for table in self.tables:
            columns = tuple(Column(f.name, SQLITE_TYPES.get(f.type, "TEXT"), f.required, f.unique, tuple(f.enum))
                            for f in table.fields)
            pk = table.primary_key if set(table.primary_key) <= set(table.names) else ()
            out.append(TableDDL(table.name, columns, pk, table.foreign_keys))
        return out
