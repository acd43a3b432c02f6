"""The package as a SQLite database, with a Datasette `metadata.json` beside it.

Keys, NOT NULL and vocabularies (as CHECKs) come from the Table Schemas; SQLite, unlike DuckDB,
declares every foreign key, cycles included. Empty cells are NULL, dates ISO text in DATE
columns, and the views of `views.py` are translated to SQLite's dialect.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from pathlib import Path

import duckdb

from histpack.db import loader as duck
from histpack.engine.reader import read_package, resource_schema
from histpack.project.errors import BuildError, Finding
from histpack.db.paths import protected
from histpack.project.sql import ident
from histpack.project.writer import atomic_file, check_target, write_failed, write_text
from histpack.model.views import SOURCE_WORDS, VIEW_COLUMNS, VIEW_COMMENTS, VIEWS, views_apply

LABEL_COLUMNS = ("name", "title", "label", "cited_as", "summary", "statement", "target")


def sqlite_view_sql(sql: str) -> str:
    """A view of `views.py` in SQLite's dialect (the only DuckDB-isms they use are these)."""
    sql = re.sub(r"\byear\(([\w.]+)\)", r"CAST(strftime('%Y', \1) AS INTEGER)", sql)
    sql = re.sub(r"\bAS VARCHAR\)", "AS TEXT)", sql)

    def group_by_all(match: re.Match) -> str:
        columns = [c.strip() for c in match.group(1).split(",") if "(" not in c]
        return f"SELECT {match.group(1)} FROM {match.group(2)} GROUP BY {', '.join(columns)}"

    return re.sub(r"SELECT ([^()]*(?:\([^()]*\)[^()]*)*) FROM (\w+) GROUP BY ALL", group_by_all, sql)


def _value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _refuse_nan_where_required(resource: dict, schema: dict, rows: list[tuple]) -> None:
    """SQLite has no NaN: it stores one as NULL, which a required column refuses. Say where, in one line."""
    fields = schema.get("fields", [])
    keys = schema.get("primaryKey") or []
    keys = [keys] if isinstance(keys, str) else keys
    required = [i for i, f in enumerate(fields) if (f.get("constraints") or {}).get("required") or f["name"] in keys]
    for number, row in enumerate(rows, start=2):
        for i in required:
            if isinstance(row[i], float) and math.isnan(row[i]):
                path = resource.get("path")
                raise BuildError(Finding(f"`{fields[i]['name']}` is NaN, which SQLite stores as NULL, and the column is "
                                         "required", path if isinstance(path, str) else resource["name"], row=number,
                                         hint="export this package as Parquet, CSV or JSON Lines instead"))


def datasette_metadata(descriptor: dict, schemas: dict[str, dict], database: str) -> dict:
    """Datasette's metadata.json: title, description, licence and source, and per table and view its
    description, its columns' descriptions and its own source and licence lines.

    A table's source is the dataset itself, under the data licence; a table holding the words of the
    analysed sources (its resource carries `rights`, as `quotes` and `paragraphs` do), or a view showing
    a quote's words (`SOURCE_WORDS`), names those sources and their own terms instead, since the data
    licence does not cover them."""
    licences = descriptor.get("licenses", [])
    data = next((lic for lic in licences if lic.get("part") == "data"), licences[0] if licences else {})
    dataset = {"source": descriptor.get("title") or descriptor.get("name", ""),
               "source_url": descriptor.get("homepage", ""),
               "license": data.get("name", ""), "license_url": data.get("path", "")}
    texts = descriptor.get("sources") or []

    def own_terms(rights: str) -> dict:
        lines = {"source": "; ".join(s.get("title", "") for s in texts if s.get("title")), "license": rights}
        if len(texts) == 1 and texts[0].get("path"):
            lines["source_url"] = texts[0]["path"]
        return lines

    rights = {r["name"]: r["rights"] for r in descriptor["resources"] if r.get("rights")}
    tables = {}
    for resource in descriptor["resources"]:
        name = resource["name"]
        fields = schemas[name].get("fields", [])
        entry = {"description": resource.get("description") or resource.get("title", ""),
                 "columns": {f["name"]: f["description"] for f in fields if f.get("description")}}
        names = [f["name"] for f in fields]
        label = next((c for c in LABEL_COLUMNS if c in names), None)
        if label:
            entry["label_column"] = label
        entry.update(own_terms(rights[name]) if name in rights else dataset)
        tables[name] = entry
    if views_apply(tables):
        quoted = rights.get("quotes", "")
        for view, comment in VIEW_COMMENTS.items():
            entry = {"description": comment, "columns": dict(VIEW_COLUMNS[view])}
            entry.update(own_terms(quoted) if view in SOURCE_WORDS and quoted else dataset)
            tables[view] = entry
    tables = {name: {k: v for k, v in entry.items() if v} for name, entry in tables.items()}
    meta = {"title": descriptor.get("title", descriptor.get("name", "")),
            "description": descriptor.get("description", ""), **dataset,
            "databases": {database: {"tables": tables}}}
    return {k: v for k, v in meta.items() if v}


SQLITE_MAGIC = b"SQLite format 3\x00"


def _refuse_to_replace_others(out: Path, metadata_path: Path) -> None:
    """An export replaces a previous export (a SQLite database, and Datasette metadata of a database of
    that name), never another file that happens to have the name."""
    if out.is_file() and out.stat().st_size:
        with open(out, "rb") as handle:
            if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                raise BuildError(str(out), "exists and is not a SQLite database; refused to overwrite it",
                                 "give another file name, or delete the file first")
    if metadata_path.is_file() and metadata_path.stat().st_size:
        try:
            meta = json.loads(metadata_path.read_text(encoding="utf-8"))
            ours = isinstance(meta, dict) and isinstance(meta.get("databases"), dict) and out.stem in meta["databases"]
        except (UnicodeDecodeError, ValueError):
            ours = False
        if not ours:
            raise BuildError(str(metadata_path), f"exists and is not the Datasette metadata of {out.name}; refused to "
                             "overwrite it", "give another file name for the database, or delete the file first")


def export_sqlite(package: Path, out: Path) -> list[Path]:
    """`out` (a .sqlite/.db file) and `<stem>.metadata.json` beside it, each through the safe writer:
    written whole or not at all (mode 0644, like every output), never over a link, a special file or a file
    of the package; an existing `out` is replaced only if it is a SQLite database, an existing metadata
    file only if it is Datasette metadata of a database of that name (a previous export)."""
    out = Path(out)
    guard = protected(package)
    if out.is_dir() and not out.is_symlink():
        raise BuildError(str(out), "is a folder", "give --out a file name for the SQLite database, e.g. build/package.sqlite")
    metadata_path = out.with_name(f"{out.stem}.metadata.json")
    check_target(out, protected=guard)
    check_target(metadata_path, protected=guard)
    _refuse_to_replace_others(out, metadata_path)
    pkg = read_package(Path(package))
    root, descriptor = pkg.root, pkg.descriptor
    resources = [r for r in descriptor["resources"] if r.get("path")]
    schemas = {r["name"]: resource_schema(root, r) for r in resources}
    tables = {ddl.name: ddl for ddl in pkg.database_schema().sqlite_tables()}
    source = duckdb.connect()
    try:
        duck.load_into(source, root)
        with atomic_file(out, protected=guard, suffix=".sqlite") as tmp:
            con = sqlite3.connect(tmp)
            try:
                for resource in resources:
                    name = resource["name"]
                    con.execute(tables[name].create())
                    columns = [f["name"] for f in schemas[name].get("fields", [])]
                    rows = source.execute(f"SELECT {', '.join(map(ident, columns))} FROM {ident(name)}").fetchall()
                    _refuse_nan_where_required(resource, schemas[name], rows)
                    con.executemany(f"INSERT INTO {ident(name)} VALUES ({', '.join('?' * len(columns))})",
                                    [tuple(_value(v) for v in row) for row in rows])
                names = {r["name"] for r in resources}
                if views_apply(names):
                    for view, sql in VIEWS.items():
                        con.execute(f"CREATE VIEW {ident(view)} AS {sqlite_view_sql(sql)}")
                con.commit()
                problems = con.execute("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise BuildError(str(out), f"foreign key check failed: {problems[0]}", "run `histpack validate`")
            except sqlite3.OperationalError as exc:  # a full disk, a file too large
                raise write_failed(str(out), exc) from None
            finally:
                con.close()
        meta = datasette_metadata(descriptor, schemas, out.stem)
        write_text(metadata_path, json.dumps(meta, indent=2, ensure_ascii=False) + "\n", protected=guard)
    finally:
        source.close()
    return [out, metadata_path]
