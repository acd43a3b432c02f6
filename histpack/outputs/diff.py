"""What changed between two versions of a package, table by table, by primary key.

Each side is a package folder or a release archive. Both tables are read by DuckDB as text (a cell is
compared as written), joined on the primary key: rows added, rows removed, rows changed with the columns
that changed; columns added or removed; a table added or removed. A table without a primary key is
compared as a multiset of rows. The whole comparison is a few SQL queries per table.

`level` is what the versioning policy (README, "Versions") asks of the next version number:
major for anything a citation or a query could lose (a removed table, column, row or id, a changed
primary key or field type), minor for additions (tables, columns, rows), patch for changed values of
existing rows (corrections); `none` when the tables are the same.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import duckdb

from histpack.engine.reader import read_descriptor, resource_schema
from histpack.project.errors import BuildError
from histpack.project.sql import ident, literal

LEVELS = ("none", "patch", "minor", "major")


@dataclass
class TableDiff:
    table: str
    key: list[str]
    status: str = "same"  # same, added, removed, changed
    added: list[str] = field(default_factory=list)  # primary keys ("/"-joined), or whole rows without a key
    removed: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)  # (key, changed columns)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    types_changed: list[str] = field(default_factory=list)
    key_changed: bool = False

    @property
    def level(self) -> str:
        if self.status == "removed" or self.removed or self.columns_removed or self.types_changed or self.key_changed:
            return "major"
        if self.status == "added" or self.added or self.columns_added:
            return "minor"
        return "patch" if self.changed else "none"

    def column_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _, columns in self.changed:
            for column in columns:
                counts[column] = counts.get(column, 0) + 1
        return dict(sorted(counts.items()))


@dataclass
class PackageDiff:
    old: str
    new: str
    old_version: str
    new_version: str
    tables: list[TableDiff]

    @property
    def level(self) -> str:
        return max((t.level for t in self.tables), key=LEVELS.index, default="none")

    def reasons(self) -> list[str]:
        """Why the level is what it is, in words, for a refusal."""
        out = []
        for t in self.tables:
            if t.level == self.level and t.level != "none":
                out.append(_summary(t))
        return out


@contextlib.contextmanager
def opened(path: Path) -> Iterator[Path]:
    """The package folder at `path`; a release archive is unpacked to a temporary folder first."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        from histpack.outputs.release import read_archive

        _, files = read_archive(path)
        with tempfile.TemporaryDirectory(prefix="histpack-diff-") as scratch:
            for relative, data in files.items():
                target = Path(scratch) / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            yield Path(scratch)
    elif path.is_dir() or path.name == "datapackage.json":
        yield path if path.is_dir() else path.parent
    else:
        raise BuildError(str(path), "is neither a package folder nor a release archive (.zip)",
                         "give a folder with a datapackage.json, or a release's .zip")


def _tables(root: Path) -> tuple[dict, dict[str, tuple[str, dict]]]:
    """(descriptor, resource name → (its CSV path, its Table Schema)) of the one-file resources."""
    descriptor_path, descriptor = read_descriptor(root)
    out = {}
    for resource in descriptor["resources"]:
        if isinstance(resource.get("path"), str):
            out[resource["name"]] = (str(descriptor_path.parent / resource["path"]), resource_schema(
                descriptor_path.parent, resource))
    return descriptor, out


def _read(con, name: str, path: str, columns: list[str]) -> None:
    spec = "{" + ", ".join(f"{literal(c)}: 'VARCHAR'" for c in columns) + "}"
    con.execute(f"CREATE TABLE {ident(name)} AS SELECT * FROM read_csv({literal(path)}, header = true, "
                f"columns = {spec}, quote = '\"', escape = '\"', auto_detect = false)")


def _header(path: str) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle), [])


def _key_text(columns: list[str], alias: str) -> str:
    return " || '/' || ".join(f"coalesce({alias}.{ident(c)}, '')" for c in columns)


def _compare(con, name: str, key: list[str], old_cols: list[str], new_cols: list[str]) -> TableDiff:
    result = TableDiff(name, key, "changed")
    common = [c for c in new_cols if c in old_cols]
    result.columns_added = [c for c in new_cols if c not in old_cols]
    result.columns_removed = [c for c in old_cols if c not in new_cols]
    if key and all(k in common for k in key):
        on = " AND ".join(f"o.{ident(k)} IS NOT DISTINCT FROM n.{ident(k)}" for k in key)
        result.added = [r[0] for r in con.execute(f"SELECT {_key_text(key, 'n')} FROM n ANTI JOIN o ON {on} "
                                                  f"ORDER BY 1").fetchall()]
        result.removed = [r[0] for r in con.execute(f"SELECT {_key_text(key, 'o')} FROM o ANTI JOIN n ON {on} "
                                                    f"ORDER BY 1").fetchall()]
        values = [c for c in common if c not in key]
        if values:
            flags = ", ".join(f"o.{ident(c)} IS DISTINCT FROM n.{ident(c)}" for c in values)
            rows = con.execute(f"SELECT {_key_text(key, 'n')}, {flags} FROM o JOIN n ON {on} "
                               f"WHERE {' OR '.join(f'o.{ident(c)} IS DISTINCT FROM n.{ident(c)}' for c in values)} "
                               f"ORDER BY 1").fetchall()
            result.changed = [(r[0], [c for c, hit in zip(values, r[1:]) if hit]) for r in rows]
    else:
        listed = ", ".join(ident(c) for c in common)
        row = " || ',' || ".join(f"coalesce({ident(c)}, '')" for c in common)
        result.added = [r[0] for r in con.execute(f"SELECT {row} FROM (SELECT {listed} FROM n EXCEPT ALL "
                                                  f"SELECT {listed} FROM o) ORDER BY 1").fetchall()]
        result.removed = [r[0] for r in con.execute(f"SELECT {row} FROM (SELECT {listed} FROM o EXCEPT ALL "
                                                    f"SELECT {listed} FROM n) ORDER BY 1").fetchall()]
    if not (result.added or result.removed or result.changed or result.columns_added or result.columns_removed):
        result.status = "same"
    return result


def _types(schema: dict) -> dict[str, str]:
    return {f.get("name"): f.get("type", "string") for f in schema.get("fields", []) if isinstance(f, dict)}


def _key(schema: dict) -> list[str]:
    key = schema.get("primaryKey") or []
    return [key] if isinstance(key, str) else list(key)


def diff_packages(old: Path, new: Path) -> PackageDiff:
    """Every table's changes from the package (or release) `old` to `new`."""
    with opened(old) as old_root, opened(new) as new_root:
        old_descriptor, old_tables = _tables(old_root)
        new_descriptor, new_tables = _tables(new_root)
        tables = []
        con = duckdb.connect()
        try:
            for name in sorted(set(old_tables) | set(new_tables)):
                if name not in old_tables:
                    path, schema = new_tables[name]
                    _read(con, "n", path, _header(path))
                    rows = con.execute(f"SELECT {_key_text(_key(schema), 'n') if _key(schema) else 'NULL'} FROM n "
                                       f"ORDER BY 1").fetchall()
                    tables.append(TableDiff(name, _key(schema), "added", added=[r[0] or "" for r in rows]))
                elif name not in new_tables:
                    tables.append(TableDiff(name, _key(old_tables[name][1]), "removed"))
                else:
                    (old_path, old_schema), (new_path, new_schema) = old_tables[name], new_tables[name]
                    old_cols, new_cols = _header(old_path), _header(new_path)
                    _read(con, "o", old_path, old_cols)
                    _read(con, "n", new_path, new_cols)
                    found = _compare(con, name, _key(new_schema), old_cols, new_cols)
                    found.key_changed = _key(old_schema) != _key(new_schema)
                    old_types, new_types = _types(old_schema), _types(new_schema)
                    found.types_changed = [c for c in new_types if c in old_types and old_types[c] != new_types[c]]
                    if found.key_changed or found.types_changed:
                        found.status = "changed"
                    tables.append(found)
                for table in ("o", "n"):
                    con.execute(f"DROP TABLE IF EXISTS {table}")
        finally:
            con.close()
    return PackageDiff(str(old), str(new), str(old_descriptor.get("version", "")),
                       str(new_descriptor.get("version", "")), tables)


# --- how a diff is shown -------------------------------------------------------------------------------

def _summary(t: TableDiff) -> str:
    if t.status == "added":
        return f"`{t.table}`: table added ({len(t.added)} rows)"
    if t.status == "removed":
        return f"`{t.table}`: table removed"
    parts = []
    if t.added:
        parts.append(f"{len(t.added)} row{'s' if len(t.added) != 1 else ''} added")
    if t.removed:
        parts.append(f"{len(t.removed)} row{'s' if len(t.removed) != 1 else ''} removed")
    if t.changed:
        columns = ", ".join(f"{c} {n}" for c, n in t.column_counts().items())
        parts.append(f"{len(t.changed)} row{'s' if len(t.changed) != 1 else ''} changed ({columns})")
    if t.columns_added:
        parts.append(f"column{'s' if len(t.columns_added) != 1 else ''} added: {', '.join(t.columns_added)}")
    if t.columns_removed:
        parts.append(f"column{'s' if len(t.columns_removed) != 1 else ''} removed: {', '.join(t.columns_removed)}")
    if t.types_changed:
        parts.append(f"type changed: {', '.join(t.types_changed)}")
    if t.key_changed:
        parts.append("primary key changed")
    return f"`{t.table}`: " + "; ".join(parts)


def render_text(d: PackageDiff, rows: bool = True) -> str:
    lines = [f"{d.old} ({d.old_version or 'no version'}) → {d.new} ({d.new_version or 'no version'}): "
             f"{d.level} changes" if d.level != "none" else f"{d.old} → {d.new}: the tables are the same"]
    for t in d.tables:
        if t.status == "same":
            continue
        lines.append(_summary(t).replace("`", ""))
        if rows and t.status == "changed":
            lines += [f"  + {k}" for k in t.added] + [f"  - {k}" for k in t.removed]
            lines += [f"  ~ {k}: {', '.join(columns)}" for k, columns in t.changed]
    return "\n".join(lines) + "\n"


CSV_COLUMNS = ("table", "change", "key", "columns")


def records(d: PackageDiff) -> list[tuple[str, str, str, str]]:
    """One record per change: (table, change, key, columns); change is one of table_added, table_removed,
    column_added, column_removed, type_changed, key_changed, row_added, row_removed, row_changed."""
    out = []
    for t in d.tables:
        if t.status in ("added", "removed"):
            out.append((t.table, f"table_{t.status}", "", ""))
            if t.status == "added":
                out += [(t.table, "row_added", k, "") for k in t.added]
            continue
        out += [(t.table, "column_added", "", c) for c in t.columns_added]
        out += [(t.table, "column_removed", "", c) for c in t.columns_removed]
        out += [(t.table, "type_changed", "", c) for c in t.types_changed]
        if t.key_changed:
            out.append((t.table, "key_changed", "", "|".join(t.key)))
        out += [(t.table, "row_added", k, "") for k in t.added]
        out += [(t.table, "row_removed", k, "") for k in t.removed]
        out += [(t.table, "row_changed", k, "|".join(columns)) for k, columns in t.changed]
    return out


def render_csv(d: PackageDiff) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(records(d))
    return buffer.getvalue()


def render_json(d: PackageDiff) -> str:
    tables = []
    for t in d.tables:
        if t.status == "same":
            continue
        tables.append({"table": t.table, "status": t.status, "key": t.key, "level": t.level,
                       "rows_added": t.added, "rows_removed": t.removed,
                       "rows_changed": [{"key": k, "columns": c} for k, c in t.changed],
                       "columns_added": t.columns_added, "columns_removed": t.columns_removed,
                       "types_changed": t.types_changed, "key_changed": t.key_changed})
    return json.dumps({"old": d.old, "new": d.new, "old_version": d.old_version, "new_version": d.new_version,
                       "level": d.level, "tables": tables}, indent=2, ensure_ascii=False) + "\n"


def changelog_entry(d: PackageDiff | None, version: str, released: str, ids_shown: int = 8) -> str:
    """The CHANGELOG.md section of a release: what changed since the previous one, table by table."""
    lines = [f"## {version} — {released}", ""]
    if d is None:
        lines += ["First release.", ""]
        return "\n".join(lines)
    lines.append(f"Changes since {d.old_version}: {d.level if d.level != 'none' else 'none in the tables'}"
                 f"{' (README, “Versions”)' if d.level != 'none' else ''}.")
    lines.append("")
    for t in d.tables:
        if t.status == "same":
            continue
        lines.append(f"- {_summary(t)}")
        for label, keys in (("added", t.added), ("removed", t.removed), ("changed", [k for k, _ in t.changed])):
            if keys and t.status == "changed":
                shown = ", ".join(f"`{k}`" for k in keys[:ids_shown])
                more = f" and {len(keys) - ids_shown} more" if len(keys) > ids_shown else ""
                lines.append(f"  - {label}: {shown}{more}")
    lines.append("")
    return "\n".join(lines)
