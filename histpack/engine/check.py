"""Table Schema checks of a whole package as columnar DuckDB work.

Each CSV is read once by DuckDB into one table (`__h$store_N`: its cells as text, and the typed value
of every field whose type is not text, computed in the same pass); `__h$typed_N` adds the row number,
the missing values and the row's width (a view over `__h$store_N` for a large file, a table for a small
one), and every check is a SQL query over it that inserts its findings into `__h$errors`. Nothing else
is kept per row: the text of a string field is its typed value. The error classes and row numbers are frictionless's (the header is row 1; an
empty line is a row). Python touches files only to hash them, to check or convert their encoding,
and to give DuckDB a private, glob-free name for each file.
"""

from __future__ import annotations

import atexit
import codecs
import csv
import gzip
import hashlib
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from histpack.engine.reader import Package, Resource, read_package
from histpack.engine.types import WIDE, sql_type, typed
from histpack.model.schema import as_names
# The engine's own tables and views are named `__h$…`: a `$` is in no resource name a valid descriptor allows
# (`^[-a-z0-9._/]+$`), so a package's tables, loaded beside them, never take one of their names.
from histpack.project.interrupts import Interrupted, reraise, stop_on_signal
from histpack.project.sql import ident, literal

NULL_MARK = "\x01\x02histpack-padding"
CHUNK = 1 << 22
# DuckDB's longest line is 2,000,000 bytes by default, and a line longer than its buffer is dropped without
# a word: a file with a run of LINE_BLOCK bytes without a line break is measured, and read with room for it.
DUCKDB_LINE_SIZE = 2_000_000
LINE_BLOCK = 1 << 19
EMPTY_LINE = re.compile(rb"\n\r?\n")  # one search: two `in` tests each stop at every line end of a CRLF file
# Below this size a resource's typed rows are materialised (planning a query over the view costs more than
# the rows); above it `__h$typed_N` stays a view over `__h$store_N`, so the rows are held once.
MATERIALIZE_BELOW_BYTES = 8 << 20
# Typed values that print cheaply: a cell of these types that reads as its value printed is stored as the
# value alone (memory); a number's text ("1.50") rarely prints back and costs more to print, so it is kept.
COMPACT_TYPES = {"BIGINT", "INTEGER", "DATE", "BOOLEAN"}
# Below this many bytes in all, a package is checked (and loaded) on one thread: its many small
# statements then take less time and less CPU than DuckDB spends coordinating two (this package:
# 0.8 s against 1.2 s of wall and CPU time).
SINGLE_THREAD_BELOW_BYTES = 8 << 20
# A statement over thousands of columns takes DuckDB time that grows faster than the columns (planning):
# past WIDE_COLUMNS a file's cells are typed and checked BATCH_COLUMNS at a time, each batch a statement of
# its own (bounded work, so Ctrl-C stops it within a second); past MAX_COLUMNS a file is refused in one line.
WIDE_COLUMNS = 256
BATCH_COLUMNS = 32
MAX_COLUMNS = 16384


# Private folders not yet removed by `Checked.close()`: a signal's handler can fire as the cleanup begins
# (DuckDB stopped by the watcher first), so whatever is left is removed when the process exits.
_LIVE_FOLDERS: set[str] = set()


@atexit.register
def _remove_leftovers() -> None:
    for folder in list(_LIVE_FOLDERS):
        shutil.rmtree(folder, ignore_errors=True)
    _LIVE_FOLDERS.clear()


def _size(pkg: Package) -> int:
    total = 0
    for resource in pkg.resources:
        for path in resource.files:
            try:
                total += path.stat().st_size
            except OSError:
                pass
    return total


@dataclass(frozen=True)
class Error:
    """One finding of the engine, as a row of its `__h$errors` table: frictionless's class, the resource and
    its file (`place`), the row (header = 1), the field and cell, the note, and what to do."""

    type: str
    resource: str
    place: str
    row: int | None
    field: str | None = None
    cell: str | None = None
    note: str = ""
    hint: str | None = None
    seq: int = 0  # the resource's position in the package


@dataclass
class Staged:
    resource: Resource
    index: int
    fields: list[dict]
    names: list[str]
    width: int = 0                 # columns read (c0 … c{width-1})
    broken: bool = False           # rows cannot be trusted (unreadable, header wrong …)
    header_broken: bool = False
    labels: list[str] = field(default_factory=list)
    cells: int = 0                 # cells a row should have: the header's, as frictionless counts them

    typed_fields: set[int] = field(default_factory=set)  # fields stored typed (t{j}); the others are text
    compact_fields: set[int] = field(default_factory=set)  # typed fields whose text is kept only if it is not t{j} printed
    shifted: bool = False          # empty lines: rn is not rowid + 1, and a scan must be ordered by rn
    materialized: bool = False     # `table` is a table (small files), not a view over `store`
    row_checks: str = ""           # the query selecting the rows' errors
    row_gate: str = ""             # a cheap query, true when `row_checks` may find an error (small files)
    rejects: list = field(default_factory=list)  # DuckDB's rejected lines: (line, kind, message)
    batches: list[range] = field(default_factory=list)  # a wide file's fields, typed a batch at a time
    checks: list[str] = field(default_factory=list)  # further statements of a wide file's row checks
    typed_values: dict = field(default_factory=dict)  # a wide file's typed expressions, by field

    @property
    def wide(self) -> bool:
        return bool(self.batches)

    @property
    def parts(self) -> list[str]:
        """The tables `table` is a view over (a wide file: its rows, then each batch of fields)."""
        return [f"__h$typed_{self.index}_rows"] + [f"__h$typed_{self.index}_b{k}" for k in range(len(self.batches))] \
            if self.batches else []

    @property
    def store(self) -> str:
        return f"__h$store_{self.index}"

    @property
    def table(self) -> str:
        return f"__h$typed_{self.index}"


@dataclass
class Checked:
    """The outcome: errors are in `con`'s `__h$errors` table; `notes` name what is not (fully) checked."""

    package: Package
    con: duckdb.DuckDBPyConnection
    staged: dict[str, Staged]
    notes: list[str]
    tmpdir: str
    longest: dict = field(default_factory=dict)  # a resource's longest line in bytes, where it may be long
    threads: str | None = None     # the connection's thread count before a small package's check set it to 1

    def errors(self) -> list[Error]:
        rows = self.con.execute("SELECT type, resource, place, row, field, cell, note, hint, seq FROM __h$errors "
                                "ORDER BY seq, row NULLS FIRST, field_number NULLS FIRST").fetchall()
        return [Error(*r) for r in rows]

    def count(self) -> int:
        return self.con.execute("SELECT count(*) FROM __h$errors").fetchone()[0]

    def close(self) -> None:
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        _LIVE_FOLDERS.discard(self.tmpdir)
        if self.threads is not None:
            threads, self.threads = self.threads, None
            try:
                self.con.execute(f"SET threads = {int(threads)}")
            except (duckdb.Error, ValueError):
                pass  # the connection is closed already


def drop_staged(con: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Free the rows of one resource (its view, its table and its row-number shift)."""
    kind = "TABLE" if staged.materialized else "VIEW"
    con.execute(f"DROP {kind} IF EXISTS {staged.table}; DROP TABLE IF EXISTS {staged.store}; "
                f"DROP TABLE IF EXISTS __h$blank_shift_{staged.index}")
    for part in staged.parts:
        con.execute(f"DROP TABLE IF EXISTS {part}")


def connect(database: str = ":memory:", config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that Ctrl-C and SIGTERM interrupt mid-statement (`project.interrupts`)."""
    con = duckdb.connect(database, config=config or {})
    con.execute("SET enable_progress_bar = false")
    stop_on_signal(con)
    return con


def check_package(package, con: duckdb.DuckDBPyConnection | None = None) -> Checked:
    """Run every Table Schema check of the package; the typed rows stay in `con` for loading."""
    pkg = package if isinstance(package, Package) else read_package(Path(package))
    con = con or connect()
    con.execute("SET enable_progress_bar = false")
    stop_on_signal(con)
    tmpdir = tempfile.mkdtemp(prefix="histpack-")
    _LIVE_FOLDERS.add(tmpdir)
    if re.search(r"[*?\[\]{}]", tmpdir):
        raise RuntimeError(f"the temporary folder {tmpdir!r} holds a glob character; set TMPDIR to a plain path")
    con.execute("CREATE OR REPLACE TEMP TABLE __h$errors (seq INTEGER, type VARCHAR, resource VARCHAR, place VARCHAR, "
                "row BIGINT, field VARCHAR, field_number INTEGER, cell VARCHAR, note VARCHAR, hint VARCHAR)")
    checked = Checked(pkg, con, {}, [], tmpdir)
    if _size(pkg) < SINGLE_THREAD_BELOW_BYTES:  # until `close()`: the load of the typed rows too
        checked.threads = str(con.execute("SELECT current_setting('threads')").fetchone()[0])
        con.execute("SET threads = 1")
    try:
        _check_resources(checked)
    except BaseException:  # the connection gets its threads back, the private folder goes
        for _attempt in range(3):  # a signal's handler may fire as the cleanup begins: it is run again
            try:
                checked.close()
                break
            except Interrupted:
                continue
        raise
    return checked


def _check_resources(checked: Checked) -> None:
    con = checked.con
    for index, resource in enumerate(checked.package.resources):
        staged = _stage(checked, resource, index)
        if staged is not None:
            checked.staged[resource.name] = staged
    insert = "INSERT INTO __h$errors (seq, type, row, field, field_number, cell, note, resource, place) "
    for staged in checked.staged.values():  # one statement per resource: one for all is slower to plan
        if staged.row_checks and (not staged.row_gate or con.execute(staged.row_gate).fetchone()[0]):
            con.execute(insert + staged.row_checks)
        for statement in staged.checks:
            con.execute(insert + statement)
    checks = [sql for staged in checked.staged.values() if not staged.broken for sql in _foreign_keys(checked, staged)]
    if checks:  # one statement for every foreign key of the package
        con.execute(insert + "\nUNION ALL\n".join(checks))
    for staged in checked.staged.values():
        con.execute(f"DROP TABLE IF EXISTS __h$blank_records_{staged.index}")


def _add(checked: Checked, seq: int, errors: list[tuple]) -> None:
    """Findings of one resource: (class, resource, place, row, field, cell, note[, hint]) each."""
    if errors:
        checked.con.executemany("INSERT INTO __h$errors (seq, type, resource, place, row, field, cell, note, hint) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                [(seq, *e, *([None] * (8 - len(e)))) for e in errors])


def _fields(resource: Resource, labels: list[str] | None) -> list[dict]:
    if resource.schema is not None:
        return [f for f in resource.fields if isinstance(f, dict)]
    return [{"name": label, "type": "any"} for label in labels or []]


def _stage(checked: Checked, resource: Resource, index: int) -> Staged | None:
    con, place, name = checked.con, resource.place, resource.name
    seq = index
    if not resource.files and resource.data is None:
        _add(checked, seq, [("resource-error", name, place, None, None, None, "the resource has no path and no data")])
        return None
    if resource.schema is None:
        checked.notes.append(f"{place}: no schema: every column is read as text (frictionless would infer types "
                             "from a sample)")
    checked.notes += [f"{place}: {note}" for note in _later_keys(resource)]
    wrong = _dialect_problem(resource.dialect)
    if wrong:
        _add(checked, seq, [("source-error", name, place, None, None, None, wrong)])
        return None
    files, blank_records, problems = _files(checked, resource, index)
    if problems:
        _add(checked, seq, problems)
        if any(p[0] in ("scheme-error", "encoding-error") for p in problems) or not files:
            return None
    staged = Staged(resource, index, [], [])
    dialect = resource.dialect
    header = dialect.get("header", True) is not False
    n_fields = len(resource.fields) if resource.schema is not None else 0
    # one spare column, so that a row with one cell too many is read in the same pass (a row with more: read
    # again, wider)
    width = n_fields + 1 if resource.schema is not None else min(64, MAX_COLUMNS)
    if resource.schema is not None:  # typed while reading; without a schema every column is text
        staged.fields = _fields(resource, None)
        staged.names = [str(f.get("name")) for f in staged.fields]
    typed_values = {j: typed(f, f"v{j}", checked.notes, place) for j, f in enumerate(staged.fields)}
    staged.typed_fields = {j for j, expression in typed_values.items() if expression != f"v{j}"}
    staged.compact_fields = {j for j in staged.typed_fields if sql_type(staged.fields[j]) in COMPACT_TYPES}
    rewritten = False  # DuckDB's strict reader refuses some valid CSV (mixed line ends, line breaks inside quotes
    # in a CRLF file): Python's csv then reads it record for record into a plain copy, which DuckDB reads instead
    note = (f"{place}: DuckDB's CSV reader refused rows that Python's csv module (frictionless's reader) reads: "
            "mixed line ends, line breaks or stray quotes in quoted cells; the file was read with Python's csv "
            "module, record for record")
    for _attempt in range(6):
        if width > MAX_COLUMNS:
            _add(checked, seq, [("source-error", name, place, None, None, None,
                                 f"{width:,} columns: more than the {MAX_COLUMNS:,} the engine checks")])
            return None
        if width > WIDE_COLUMNS:  # typed later, a batch of columns at a time
            staged.batches, staged.compact_fields = [range(0)], set()  # the batches are set once the fields are known
        try:
            too_many = _read_raw(checked, staged, files, width, {} if staged.wide else typed_values)
        except duckdb.Error as exc:
            reraise(exc)
            size = re.search(r"Actual Size:\s*([0-9]+)", str(exc))
            if size and int(size.group(1)) > checked.longest.get(index, 0):  # a longer row than DuckDB makes room for
                checked.longest[index] = int(size.group(1))
                continue
            if not rewritten and "invalid state" in str(exc):
                rewritten = True
                try:
                    files = _rewritten(checked, resource, files, index)
                except csv.Error as error:
                    _add(checked, seq, [("source-error", name, place, error.args[1] if len(error.args) > 1 else None,
                                         None, None, f"the file is not valid CSV ({error.args[0]})")])
                    return None
                checked.notes.append(note)
                continue
            _add(checked, seq, [("source-error", name, place, _line_of(exc), None, None, _duck_message(exc))])
            return None
        if too_many is not None:
            width = too_many
            continue
        if not rewritten and any(r[1] != "TOO MANY COLUMNS" for r in staged.rejects):
            rewritten = True
            try:  # rows DuckDB rejects that Python's strict csv reads are valid rows: read them from its copy
                files = _rewritten(checked, resource, files, index)
            except csv.Error:
                break  # not valid CSV either: DuckDB's rejects are the report
            checked.notes.append(note)
            continue
        break
    else:
        return None
    wide = set() if staged.wide else _overflowing_integers(checked, staged, width)
    if wide:  # valid integers beyond BIGINT (frictionless's are unbounded): read those columns as HUGEINT
        staged.fields = [{**f, WIDE: True} if j in wide else f for j, f in enumerate(staged.fields)]
        typed_values = {j: typed(f, f"v{j}", [], place) for j, f in enumerate(staged.fields)}
        con.execute(f"DROP TABLE IF EXISTS __rejects_{index}; DROP TABLE IF EXISTS __rejects_scan_{index}")
        _read_raw(checked, staged, files, width, typed_values)
    other = [r for r in staged.rejects if r[1] != "TOO MANY COLUMNS"]
    con.execute(f"DROP TABLE IF EXISTS __rejects_{index}; DROP TABLE IF EXISTS __rejects_scan_{index}")
    if other:
        _add(checked, seq, [("source-error", name, place, line, None, None, _reject_message(kind, message))
                            for line, kind, message in other])
        con.execute(f"DROP TABLE IF EXISTS {staged.store}")
        return None
    staged.width = width
    # Frictionless row numbers: DuckDB skips empty lines, frictionless counts them as (blank) rows.
    if blank_records:
        shift, staged.shifted = f"__h$blank_shift_{index}", True
        con.execute(f"CREATE OR REPLACE TEMP TABLE {shift} AS SELECT unnest(?) AS threshold",
                    [[b - j - 1 for j, b in enumerate(blank_records)]])
        row_number = (f"(rowid + 1 + (SELECT count(*) FROM {shift} s WHERE s.threshold <= {staged.store}.rowid))")
    else:
        row_number = "(rowid + 1)"
    labels: list[str] | None = None
    if header:
        cells = "*" if staged.wide else ", ".join(_cell(staged, i) for i in range(width))
        first = con.execute(f"SELECT {cells} FROM {staged.store} WHERE rowid = 0").fetchone()
        labels = [c for c in (first or []) if c is not None and c != NULL_MARK]
    if resource.schema is None:
        staged.fields = _fields(resource, labels)
        staged.names = [str(f.get("name")) for f in staged.fields]
    staged.labels = labels or []
    staged.cells = len(labels) if labels is not None and resource.schema is not None else len(staged.fields)
    if labels is not None and resource.schema is not None:
        _add(checked, seq, _header_errors(resource, staged.names, labels))
        staged.header_broken = labels != staged.names
    elif labels is not None:  # no schema: the labels name the columns, so each must be there, once
        errors = _header_errors(resource, labels, labels)
        _add(checked, seq, errors)
        staged.header_broken = bool(errors)
    first_data = 1 if header else 0
    if staged.wide:
        n = len(staged.fields)
        staged.batches = [range(b, min(b + BATCH_COLUMNS, n)) for b in range(0, n, BATCH_COLUMNS)] or [range(0)]
        staged.typed_values = {j: typed(f, f"v{j}", [], place) for j, f in enumerate(staged.fields)}
        staged.typed_fields = {j for j, expression in staged.typed_values.items() if expression != f"v{j}"}
        _wide_typed_view(checked, staged, row_number, first_data)
        staged.row_checks = _row_errors(checked, staged, blank_records, first_data)
        return staged
    staged.materialized = sum(os.path.getsize(f) for f in files) < MATERIALIZE_BELOW_BYTES
    _typed_view(checked, staged, row_number, first_data)
    staged.row_checks = _row_errors(checked, staged, blank_records, first_data)
    return staged


def _files(checked: Checked, resource: Resource, index: int) -> tuple[list[str], list[int], list[tuple]]:
    """Private, glob-free names for the resource's files (symbolic links to the checked real files, or
    UTF-8 copies of files in another encoding); the empty records; and the file-level errors."""
    name, place = resource.name, resource.place
    problems: list[tuple] = []
    staged: list[str] = []
    blank: list[int] = []
    encoding = resource.encoding.lower().replace("_", "-")
    utf8 = encoding in ("utf-8", "utf8", "utf-8-sig")
    if resource.data is not None:
        target = os.path.join(checked.tmpdir, f"r{index}_inline.csv")
        with open(target, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            rows = resource.data
            if rows and isinstance(rows[0], dict):
                names = [f.get("name") for f in resource.fields] or list(rows[0])
                writer.writerow(names)
                rows = [[_text(r.get(n)) for n in names] for r in rows]
            writer.writerows([[_text(c) for c in r] for r in rows])
        return [target], [], []
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        return [], [], [("encoding-error", name, place, None, None, None,
                         f"unknown encoding {resource.encoding!r}")]
    if not getattr(codec, "_is_text_encoding", True):  # hex, base64, rot13, zlib: bytes to bytes, not text
        return [], [], [("encoding-error", name, place, None, None, None,
                         f"{resource.encoding!r} is not a text encoding")]
    digest_name, _, expected_digest = (resource.hash or "").rpartition(":")
    digest_name = (digest_name or "md5").lower()
    hasher = (hashlib.new(digest_name) if resource.hash and digest_name in hashlib.algorithms_guaranteed
              and not digest_name.startswith("shake_") else None)  # a shake digest has no fixed length
    if resource.hash and hasher is None:
        checked.notes.append(f"{place}: hash algorithm {digest_name!r} is not supported; the hash is not checked")
    size = 0
    record_base = 0
    first_line = None  # the first file's header line: a later file that starts with it repeats it (a note)
    for part, (path_text, real) in enumerate(zip(resource.paths, resource.files)):
        if not real.is_file():
            problems.append(("scheme-error", name, path_text, None, None, None,
                             "the file is missing", "restore it"))
            continue
        source, problem = _csv_text(checked, resource, path_text, real, f"r{index}_p{part}")
        if problem:
            problems.append(problem)
            continue
        if source != real:  # decompressed: the descriptor's bytes and hash are those of the file itself
            with open(real, "rb") as f:
                while chunk := f.read(CHUNK):
                    size += len(chunk)
                    if hasher:
                        hasher.update(chunk)
        target = os.path.join(checked.tmpdir, f"r{index}_p{part}.csv")
        decoder = codec.incrementaldecoder("strict")
        out = None if utf8 else open(target, "w", encoding="utf-8", newline="")
        tail, has_blank, consumed, bad, long_line = b"", False, 0, None, False
        with open(source, "rb") as f:
            while chunk := f.read(CHUNK):
                if source == real:
                    size += len(chunk)
                    if hasher:
                        hasher.update(chunk)
                if not has_blank and (EMPTY_LINE.search(chunk) or EMPTY_LINE.search(tail + chunk[:2])
                                      or (consumed == 0 and chunk[:1] in (b"\n", b"\r"))):
                    has_blank = True
                if bad is None:
                    try:
                        if utf8 and chunk.isascii() and not decoder.getstate()[0]:
                            pass  # ASCII is UTF-8, and no sequence is left open from the chunk before
                        else:
                            text = decoder.decode(chunk)
                            if out:
                                out.write(text)
                    except UnicodeDecodeError as exc:
                        bad = consumed + exc.start
                        head = source.read_bytes()[:bad] if utf8 else b""
                        line = head.count(b"\n") + 1 if utf8 else None
                        problems.append(("encoding-error", name, path_text, line, None, None,
                                         f"the file is not {resource.encoding}", f"save it as {resource.encoding}"))
                tail = (tail + chunk[-2:])[-2:]
                consumed += len(chunk)
                if not long_line:  # a run of LINE_BLOCK bytes without a line break: a long line, measured below
                    long_line = any(chunk.find(b"\n", start, start + LINE_BLOCK) == -1
                                    for start in range(0, len(chunk) - LINE_BLOCK + 1, LINE_BLOCK))
        if out:
            out.close()
        if consumed == 0 or (consumed < 4096 and not source.read_bytes().strip()):
            problems.append(("source-error", name, path_text, None, None, None,
                             "the file is empty (not even a header row)", "restore it"))
            continue
        if len(resource.files) > 1 and resource.dialect.get("header", True) is not False:
            with open(source, "rb") as f:
                line = f.readline(1 << 16).rstrip(b"\r\n")
            if part == 0:
                first_line = line
            elif line == first_line:
                checked.notes.append(f"{path_text}: repeats the header of {resource.paths[0]}; Data Package v1 gives "
                                     "only the first file of a resource a header, so its first line is read as a row "
                                     "(frictionless drops it)")
        if long_line:
            checked.longest[index] = max(checked.longest.get(index, 0), _longest_line(target if not utf8 else source))
        if utf8:
            os.symlink(source, target)
        staged.append(target)
        if has_blank and bad is None:
            source = open(target, encoding="utf-8", newline="")
            with source:
                delimiter = resource.dialect.get("delimiter", ",")
                quote = resource.dialect.get("quoteChar", '"')
                records = csv.reader(source, delimiter=delimiter, quotechar=quote or None,
                                     doublequote=resource.dialect.get("doubleQuote", True))
                count = 0
                for count, record in enumerate(records, start=1):  # rare: only files with empty lines
                    if not record:
                        blank.append(record_base + count)
                record_base += count
    if resource.bytes is not None and resource.bytes != size and not any(p[0] == "scheme-error" for p in problems):
        problems.insert(0, ("byte-count", name, place, None, None, None,
                            f"{size} bytes, the descriptor says {resource.bytes}"))
    if hasher and not any(p[0] == "scheme-error" for p in problems):
        actual = hasher.hexdigest()
        if actual != expected_digest.lower():
            problems.insert(0, ("hash-count", name, place, None, None, None,
                                f"{digest_name} {actual[:12]}…, the descriptor says {expected_digest[:12]}…"))
    return staged, blank, problems


V1_DIALECT = {"delimiter", "lineTerminator", "quoteChar", "doubleQuote", "escapeChar", "nullSequence",
              "skipInitialSpace", "header", "commentChar", "caseSensitiveHeader", "csvddfVersion"}
LATER_KEYS = {"schema": ("fieldsMatch", "uniqueKeys"), "resource": ("extrapaths",)}


def _later_keys(resource: Resource) -> list[str]:
    """Notes for the keys of later versions of the specs (Data Package v2, frictionless v5) that v1, which
    the engine follows, does not have: each is ignored, and says so."""
    notes = [f"dialect `{key}` is not a Data Package v1 key; ignored" for key in resource.dialect
             if key not in V1_DIALECT and key not in ("$schema", "name", "title", "description")]
    notes += [f"schema `{key}` is not a Data Package v1 key; ignored" for key in LATER_KEYS["schema"]
              if key in (resource.schema or {})]
    notes += [f"resource `{key}` is not a Data Package v1 key; ignored" for key in LATER_KEYS["resource"]
              if key in resource.descriptor]
    return notes


def _dialect_problem(dialect: dict) -> str | None:
    """Why the dialect cannot describe a CSV file (as Python's csv, which frictionless reads with, and
    DuckDB both require), or None."""
    delimiter = dialect.get("delimiter", ",")
    quote = dialect.get("quoteChar", '"')
    escape = dialect.get("escapeChar")
    for key, value in (("delimiter", delimiter), ("quoteChar", quote), ("escapeChar", escape)):
        if key == "escapeChar" and value in (None, ""):
            continue
        if not isinstance(value, str) or len(value) != 1:
            return f"dialect `{key}` {value!r} is not one character"
        if value in "\r\n":
            return f"dialect `{key}` may not be a line break"
    if quote == delimiter:
        return f"dialect `quoteChar` {quote!r} is also the delimiter"
    return None


TEXT_FORMATS = ("csv", "tsv", "txt", "")
COMPRESSIONS = {"gz": "gz", "gzip": "gz", "zip": "zip"}
MAGIC = ((b"\x1f\x8b", "gzip-compressed data"), (b"PK\x03\x04", "a zip archive (or an .xlsx or .ods workbook)"),
         (b"\xd0\xcf\x11\xe0", "an .xls workbook"), (b"%PDF", "a PDF document"), (b"PAR1", "a Parquet file"),
         (b"SQLite format 3", "an SQLite database"))


def _csv_text(checked: Checked, resource: Resource, path_text: str, real: Path, stem: str):
    """(the file to read as CSV text, None) — the file itself, or its contents decompressed (`gz`, a `zip`
    of one file or of `innerpath`) into the private folder — or (None, the file-level error): a format
    other than CSV, or compressed or binary data not declared as such, is named, never "not UTF-8"."""
    raw = resource.descriptor
    suffixes = [x.lower().lstrip(".") for x in Path(path_text).suffixes]
    compression = str(raw.get("compression") or "").lower()
    if suffixes and suffixes[-1] in COMPRESSIONS and (not compression or COMPRESSIONS.get(compression) ==
                                                       COMPRESSIONS[suffixes[-1]]):
        compression = compression or suffixes.pop()
        if suffixes and suffixes[-1] == compression:
            suffixes.pop()
    fmt = str(raw.get("format") or (suffixes[-1] if suffixes else "")).lower()

    def error(message: str, hint: str | None = None):
        return None, ("source-error", resource.name, path_text, None, None, None, message, hint)

    if fmt not in TEXT_FORMATS:
        return error(f"format {fmt!r} is not supported: histpack reads CSV files (compressed or not)",
                     "convert it to CSV")
    if compression:
        kind = COMPRESSIONS.get(compression)
        if kind is None:
            return error(f"compression {compression!r} is not supported (gz and zip are)")
        target = Path(checked.tmpdir) / f"{stem}_inflated.csv"
        try:
            if kind == "gz":
                with gzip.open(real, "rb") as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
            else:
                with zipfile.ZipFile(real) as archive:
                    members = [m for m in archive.namelist() if not m.endswith("/")]
                    inner = raw.get("innerpath") or (members[0] if len(members) == 1 else None)
                    if inner not in members:
                        return error(f"the zip archive holds {len(members)} files; `innerpath` must name the one "
                                     "to read" if inner is None else f"the zip archive holds no file {inner!r}")
                    with archive.open(inner) as source, open(target, "wb") as out:
                        shutil.copyfileobj(source, out, CHUNK)
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            return error(f"the file is not valid {kind} data ({exc})")
        return target, None
    with open(real, "rb") as f:
        head = f.read(16)
    for magic, what in MAGIC:
        if head.startswith(magic):
            return error(f"the file is {what}, not CSV text", "declare its `compression`, or convert it to CSV")
    return real, None


def _rewritten(checked: Checked, resource: Resource, files: list[str], index: int) -> list[str]:
    """Plain copies of `files` (one record a line, LF, the same dialect), written from Python's csv reader,
    which reads any line ends; strict, so a quote left open is an error (csv.Error), never a merged row."""
    dialect = resource.dialect
    options = dict(delimiter=dialect.get("delimiter", ","), quotechar=dialect.get("quoteChar", '"'),
                   doublequote=dialect.get("doubleQuote", True) is not False,
                   escapechar=dialect.get("escapeChar") or None)
    out = []
    for part, path in enumerate(files):
        target = os.path.join(checked.tmpdir, f"r{index}_p{part}_read.csv")
        with open(path, encoding="utf-8", newline="") as source, \
                open(target, "w", encoding="utf-8", newline="") as copy:
            reader = csv.reader(source, strict=True, **options)
            writer = csv.writer(copy, lineterminator="\n", **options)
            try:
                for record in reader:
                    writer.writerow(record)
            except csv.Error as exc:
                raise csv.Error(str(exc), reader.line_num) from None
        out.append(target)
    return out


def _longest_line(path) -> int:
    """The length of the longest line of the file at `path`, in bytes (read a chunk at a time)."""
    longest = run = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            lines = chunk.split(b"\n")
            if len(lines) == 1:
                run += len(chunk)
                continue
            longest = max(longest, run + len(lines[0]), *map(len, lines[1:-1]))
            run = len(lines[-1])
    return max(longest, run)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        import json
        return json.dumps(value)
    return str(value)


def _read_raw(checked: Checked, staged: Staged, files: list[str], width: int,
              typed_values: dict[int, str]) -> int | None:
    """Read the files into `__h$store_N`: the cells as text (c0 … c{width-1}) and, in the same pass, the
    typed value t{j} of every field that is not text. Returns a wider column count to retry with, or None."""
    con, dialect, index = checked.con, staged.resource.dialect, staged.index
    delimiter = dialect.get("delimiter", ",")
    quote = dialect.get("quoteChar", '"')
    if dialect.get("doubleQuote", True) is not False:
        escape = quote
    else:
        escape = dialect.get("escapeChar", "") or ""
    for key in ("lineTerminator", "commentChar", "caseSensitiveHeader", "csvddfVersion"):
        if key in dialect and key != "lineTerminator":
            checked.notes.append(f"{staged.resource.place}: dialect option `{key}` is not supported; ignored")
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    options = (f"header = false, columns = {columns}, auto_detect = false, null_padding = true, "
               f"nullstr = {literal(NULL_MARK)}, delim = {literal(delimiter)}, quote = {literal(quote)}, "
               f"escape = {literal(escape)}, store_rejects = true, rejects_table = '__rejects_{index}', "
               f"rejects_scan = '__rejects_scan_{index}'")
    longest = checked.longest.get(index, 0)
    if longest >= DUCKDB_LINE_SIZE - 2:  # room for the longest line, and a buffer that holds it whole
        room = longest + 1024
        options += f", max_line_size = {room}, buffer_size = {max(2 * room, 32 << 20)}"
    source = "[" + ", ".join(literal(f) for f in files) + "]"
    cells = [f"ltrim(c{i}, ' ') AS c{i}" if dialect.get("skipInitialSpace") else f"c{i}" for i in range(width)]
    stored = [j for j in sorted(staged.typed_fields) if j in typed_values]
    values = [f"{_value(staged, j, width)} AS v{j}" for j in stored]
    typed_cells = [f"{typed_values[j]} AS t{j}" for j in stored]
    # a typed cell's text is kept only where it is not its typed value printed (`_cell` restores it)
    kept = [f"CASE WHEN t{i} IS NOT NULL AND CAST(t{i} AS VARCHAR) = c{i} THEN NULL ELSE c{i} END AS c{i}"
            if i in staged.compact_fields else f"c{i}" for i in range(width)] + [f"t{j}" for j in stored]

    def create(extra: str = "") -> None:
        read = f"read_csv({source}, {options}{extra})"
        if dialect.get("skipInitialSpace"):
            read = f"(SELECT {', '.join(cells)} FROM {read})"
        if not stored and not staged.compact_fields:  # text only (a wide file): no projection to plan
            con.execute(f"CREATE OR REPLACE TEMP TABLE {staged.store} AS SELECT * FROM {read}")
            return
        con.execute(f"CREATE OR REPLACE TEMP TABLE {staged.store} AS SELECT {', '.join(kept)} FROM "
                    f"(SELECT {', '.join([f'c{i}' for i in range(width)] + typed_cells)} FROM "
                    f"(SELECT {', '.join([f'c{i}' for i in range(width)] + values)} FROM {read}))")

    con.execute(f"DROP TABLE IF EXISTS __rejects_{index}; DROP TABLE IF EXISTS __rejects_scan_{index}")
    try:
        create()
    except duckdb.Error as exc:
        if "parallel=false" not in str(exc):
            raise
        con.execute(f"DROP TABLE IF EXISTS __rejects_{index}; DROP TABLE IF EXISTS __rejects_scan_{index}")
        create(", parallel = false")
    staged.rejects = con.execute(f"SELECT line, error_type, error_message FROM __rejects_{index} "
                                 "ORDER BY line").fetchall()
    found = max((int(m.group(1)) for line, kind, message in staged.rejects if kind == "TOO MANY COLUMNS"
                 for m in [re.search(r"Found: ([0-9]+)", message)] if m), default=None)
    if found:
        return max(found, width + 1)
    longest = max((int(m.group(1)) for line, kind, message in staged.rejects if kind == "LINE SIZE OVER MAXIMUM"
                   for m in [re.search(r"Actual Size:\s*([0-9]+)", message)] if m), default=0)
    if longest > checked.longest.get(index, 0):  # a row longer than any line (line breaks in quotes): again, with room
        checked.longest[index] = longest
        return width
    return None


def _overflowing_integers(checked: Checked, staged: Staged, width: int) -> set[int]:
    """The integer fields with a cell that is a valid integer but does not fit a BIGINT. A cell beyond
    even HUGEINT (128 bits) stays a type error, with a note: frictionless's integers are unbounded."""
    fields = [j for j in sorted(staged.typed_fields) if staged.fields[j].get("type") == "integer"
              and staged.fields[j].get(WIDE) is not True]
    if fields:  # an integer beyond BIGINT has 19 digits or more: a cheap test first, the grammar only then
        long = checked.con.execute(f"SELECT {', '.join(f'bool_or(t{j} IS NULL AND length(c{j}) > 18)' for j in fields)} "
                                   f"FROM {staged.store}").fetchone() or []
        fields = [j for j, hit in zip(fields, long) if hit]
    if not fields:
        return set()
    place = staged.resource.place
    tests = []
    for j in fields:
        cell = _value(staged, j, width=width)
        wide = typed({**staged.fields[j], WIDE: True}, cell, [], place)
        digits = f"regexp_full_match(trim({cell}), {literal('[+-]?[0-9]+(_[0-9]+)*')})"
        tests += [f"bool_or(t{j} IS NULL AND {wide} IS NOT NULL)",
                  f"bool_or(t{j} IS NULL AND {wide} IS NULL AND {digits})"]
    found = checked.con.execute(f"SELECT {', '.join(tests)} FROM {staged.store} WHERE "
                                + " OR ".join(f"t{j} IS NULL" for j in fields)).fetchone() or [None] * len(tests)
    for j, beyond in zip(fields, found[1::2]):
        if beyond:
            checked.notes.append(f"{place}: field `{staged.fields[j].get('name')}`: integers beyond 128 bits are "
                                 "not supported: reported as type errors (frictionless's integers are unbounded)")
    return {j for j, hit in zip(fields, found[0::2]) if hit}


def _reject_message(kind: str, message: str) -> str:
    text = f"DuckDB: {kind.lower()}: {' '.join(message.split())}"
    if kind == "UNQUOTED VALUE":
        text += " A quoted cell is not closed: the row is cut short, or a quote is missing"
    return text


def _line_of(exc: Exception) -> int | None:
    match = re.search(r"on Line: (\d+)", str(exc))
    return int(match.group(1)) if match else None


def _duck_message(exc: Exception) -> str:
    text = re.sub(r"Original Line:.*", "", str(exc), flags=re.S)  # the row itself, which may be megabytes
    text = re.sub(r"LINE [0-9]+:.*", "", text, flags=re.S)  # the engine's own SQL, and a private path in it
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    keep = [line for line in lines if not re.match(r"^(file|delimiter|quote|escape|new_line|header|skip_rows|comment|"
                                                   r"strict_mode|date_format|timestamp_format|null_padding|"
                                                   r"sample_size|ignore_errors|all_varchar)\s*=", line)]
    return "DuckDB: " + " ".join(keep)


def _header_errors(resource: Resource, names: list[str], labels: list[str]) -> list[tuple]:
    out, place, seen = [], resource.place, set()
    for number, label in enumerate(labels, start=1):
        name = names[number - 1] if number <= len(names) else None
        if name is None:
            out.append(("extra-label", resource.name, place, None, None, label, f"extra column `{label}`"))
        elif label == "":
            out.append(("blank-label", resource.name, place, None, name, label, f"column {number} has no name"))
        elif label in seen:
            out.append(("duplicate-label", resource.name, place, None, name, label, f"column `{label}` twice"))
        elif label != name:
            out.append(("incorrect-label", resource.name, place, None, name, label,
                        f"column {number} is `{label}`, the schema says `{name}`"))
        seen.add(label)
    for number in range(len(labels) + 1, len(names) + 1):
        out.append(("missing-label", resource.name, place, None, names[number - 1], None,
                    f"missing column `{names[number - 1]}`"))
    return out


def _cell(staged: Staged, i: int) -> str:
    """Cell i of a stored row as read (NULL: padding): a typed cell stored without its text (it printed as
    its typed value) is that value printed."""
    return f"coalesce(c{i}, CAST(t{i} AS VARCHAR))" if i in staged.compact_fields else f"c{i}"


def _value(staged: Staged, j: int, width: int | None = None, raw: bool = False) -> str:
    """The cell of field j as text, NULL when missing (padding) or one of the missing values; with
    `width` or `raw`, of the text as read or stored (before `_cell` restores a typed cell)."""
    missing = staged.resource.missing_values
    cell = f"c{j}" if width is not None or raw else _cell(staged, j)
    if j >= (staged.width if width is None else width):
        return "NULL::VARCHAR"
    condition = f"{cell} = {literal(NULL_MARK)} OR {cell} IS NULL"
    if missing:
        condition += f" OR {cell} IN ({', '.join(map(literal, missing))})"
    return f"CASE WHEN {condition} THEN NULL ELSE {cell} END"


def _typed_view(checked: Checked, staged: Staged, row_number: str, first_data: int) -> None:
    """`__h$typed_N` over the stored rows: rn (frictionless's row number), w (cells in the row), the cells
    beyond the fields, v{j} (the text, NULL when missing), t{j} (the typed value), e{j} (v{j} is NULL,
    cheaply) and blank."""
    n = len(staged.fields)
    cells = [f"c{i}" for i in range(n, staged.width)] or ["NULL AS c_none"]  # only extra cells are kept raw
    # a sum nests one level per column: fine below WIDE_COLUMNS (DuckDB's limit is 1,000), and cheaper per row
    # than a list (a wide file counts its cells with `list_count`, in `_wide_typed_view`)
    widths = " + ".join(f"(c{i} IS NOT NULL OR t{i} IS NOT NULL)::INTEGER" if i in staged.compact_fields
                        else f"(c{i} IS NOT NULL)::INTEGER" for i in range(staged.width)) or "0"
    values = [f"{_value(staged, j)} AS v{j}" for j in range(n)]
    stored = [f"t{j}" for j in sorted(staged.typed_fields)]
    # e{j}: the cell is empty (missing, or a missing value), told without printing a typed value (a typed
    # cell without a value kept its text)
    typed_empty = [f"(t{j} IS NULL AND {_value(staged, j, raw=True)} IS NULL) AS e{j}" for j in sorted(staged.typed_fields)]
    inner = ", ".join([f"{row_number} AS rn", f"{widths} AS w"] + cells + values + stored + typed_empty)
    typed_values = [f"t{j}" if j in staged.typed_fields else f"v{j} AS t{j}" for j in range(n)]
    empty = [f"e{j}" if j in staged.typed_fields else f"v{j} IS NULL AS e{j}" for j in range(n)]
    blank = "(" + (" AND ".join(f"e{j}" for j in range(n)) or "true") + ") AS blank"
    outer = ", ".join(["rn", "w"] + [c.split(" AS ")[-1] for c in cells] + [f"v{j}" for j in range(n)]
                      + typed_values + empty + [blank])
    kind = "TABLE" if staged.materialized else "VIEW"
    checked.con.execute(f"CREATE OR REPLACE TEMP {kind} {staged.table} AS SELECT {outer} FROM "
                        f"(SELECT {inner} FROM {staged.store} WHERE rowid >= {first_data})")
    if staged.materialized:
        checked.con.execute(f"DROP TABLE {staged.store}")


def _wide_typed_view(checked: Checked, staged: Staged, row_number: str, first_data: int) -> None:
    """`__h$typed_N` of a wide file, built a batch of fields at a time (each batch a statement of bounded
    size): `__h$typed_N_rows` holds rn, w, blank and the cells beyond the fields; `__h$typed_N_b{k}` the v, t
    and e of a batch of fields, row for row; `__h$typed_N` joins them by position."""
    con, n, index = checked.con, len(staged.fields), staged.index
    rows = f"FROM {staged.store} WHERE rowid >= {first_data}"
    every = "[" + ", ".join(f"c{i}" for i in range(staged.width)) + "]"
    fields = "[" + ", ".join(f"c{i}" for i in range(n)) + "]::VARCHAR[]"
    empty = "[" + ", ".join(map(literal, [NULL_MARK, *staged.resource.missing_values])) + "]::VARCHAR[]"
    cells = [f"c{i}" for i in range(n, staged.width)] or ["NULL AS c_none"]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {staged.parts[0]} AS SELECT {row_number} AS rn, "
                f"list_count({every})::INTEGER AS w, list_has_all({empty}, list_distinct({fields})) AS blank, "
                f"{', '.join(cells)} {rows}")
    for k, batch in enumerate(staged.batches):
        columns = [f"v{j}, {staged.typed_values[j]} AS t{j}, v{j} IS NULL AS e{j}"
                   for j in batch] or ["NULL AS b_none"]
        values = [f"{_value(staged, j)} AS v{j}" for j in batch] or ["NULL AS v_none"]
        con.execute(f"CREATE OR REPLACE TEMP TABLE {staged.parts[k + 1]} AS SELECT {', '.join(columns)} FROM "
                    f"(SELECT {', '.join(values)} {rows})")
    joined = " POSITIONAL JOIN ".join(staged.parts)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {staged.table} AS SELECT * FROM {joined}")


def _constraint_sql(checked: Checked, staged: Staged, j: int) -> list[tuple[str, str, str]]:
    """(constraint name, SQL condition that is TRUE for a breaking cell, note) for field j."""
    f = staged.fields[j]
    constraints = f.get("constraints") or {}
    kind = f.get("type", "string")
    v, t = f"v{j}", f"t{j}"
    out = []
    place = staged.resource.place

    def typed_literal(value) -> str:  # an integer bound is read as HUGEINT: it may exceed the column's BIGINT
        return typed({**f, WIDE: True} if kind == "integer" else f, literal(_text(value)), [], place)

    for key, value in constraints.items():
        note = f'constraint "{key}" is "{_python_text(value)}"'
        if key == "required":
            if value is True:
                out.append((key, f"e{j}", note))
        elif key == "unique":
            continue  # a table check, below
        elif key == "enum" and isinstance(value, list):
            members = ", ".join(typed_literal(x) for x in value) or "NULL"
            out.append((key, f"{t} IS NOT NULL AND NOT ({t} IN ({members}))", note))
        elif key == "pattern" and kind in ("string",) and isinstance(value, str):
            out.append((key, f"{t} IS NOT NULL AND NOT regexp_full_match({v}, {literal(value)})", note))
        elif key in ("minLength", "maxLength") and kind in ("string", "array", "object"):
            size = {"string": f"length({v})", "array": f"json_array_length({v})",
                    "object": f"len(json_keys({v}))"}[kind]
            op = "<" if key == "minLength" else ">"
            out.append((key, f"{t} IS NOT NULL AND {size} {op} {int(value)}", note))
        elif key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") and kind in (
                "integer", "number", "date", "time", "datetime", "year"):
            op = {"minimum": "<", "maximum": ">", "exclusiveMinimum": "<=", "exclusiveMaximum": ">="}[key]
            condition = f"{t} {op} {typed_literal(value)}"
            if kind == "number" and key in ("minimum", "exclusiveMinimum"):  # NaN fails both bounds (DuckDB orders it last)
                condition = f"isnan({t}) OR {condition}"
            out.append((key, f"{t} IS NOT NULL AND ({condition})", note))
        else:
            checked.notes.append(f"{place}: field `{f.get('name')}`: constraint `{key}` on type {kind!r} "
                                 "is not checked")
    return out


def _python_text(value) -> str:
    if value is True:
        return "True"
    if value is False:
        return "False"
    return str(value)


def _row_errors(checked: Checked, staged: Staged, blank_records: list[int], first_data: int) -> str:
    """Every row-level error of one resource, in one statement: the rows breaking any cell rule are
    picked in one scan (`suspect`), each rule then runs on those alone; key rules look only at keys
    that occur more than once."""
    con, res = checked.con, staged.resource
    n = len(staged.fields)
    expected = staged.cells
    seq, name, place = staged.index, literal(res.name), literal(res.place)
    parts = []
    conditions = ["blank"]
    gate: list[str] = []  # aggregates over the table, each true when a rule may find an error
    suspect = staged.table if staged.materialized else f"__h$suspect_{staged.index}"  # a small table: scanned directly
    if staged.wide:  # the rows' own checks read the rows' table; each batch of fields is checked on its own
        suspect = staged.parts[0]
    blank_table = f"__h$blank_records_{staged.index}"
    # blank rows read by DuckDB (all cells missing values) and empty lines DuckDB skipped
    parts.append(f"SELECT 'blank-row', rn, NULL, NULL, NULL, '' FROM {suspect} WHERE blank")
    general = parts
    if blank_records:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {blank_table} AS SELECT unnest(?) AS rn", [blank_records])
        parts.append(f"SELECT 'blank-row', rn, NULL, NULL, NULL, '' FROM {blank_table} WHERE rn > {first_data}")
    names = "[" + ", ".join(literal(x) for x in staged.names) + "]::VARCHAR[]" if staged.names else "[]::VARCHAR[]"
    cells = "[" + ", ".join(f"c{i}" for i in range(n, staged.width)) + "]::VARCHAR[]"  # cells beyond the fields
    if n or staged.width:
        conditions.append(f"w > {expected}")
        parts.append(f"SELECT 'extra-cell', rn, NULL, k + 1, cs[k + 1 - {n}], '' FROM "
                     f"(SELECT rn, {cells} AS cs, unnest(range({expected}, w)) AS k FROM {suspect} "
                     f"WHERE NOT blank AND w > {expected})")
    if n:
        conditions.append(f"w < {min(n, expected)}")
        parts.append(f"SELECT 'missing-cell', rn, ({names})[k + 1], k + 1, '', '' FROM "
                     f"(SELECT rn, unnest(range(w, {min(n, expected)})) AS k FROM {suspect} "
                     f"WHERE NOT blank AND w < {min(n, expected)})")
    def repeated_values(j: int) -> str:
        if staged.materialized:
            return ""
        return f" AND t{j} IN (SELECT t{j} FROM {staged.table} WHERE t{j} IS NOT NULL GROUP BY t{j} HAVING count(*) > 1)"

    batch_rules: dict[int, list[tuple]] = {}  # a wide file's cell rules, by batch: (class, j, condition, note)
    for j, f in enumerate(staged.fields):
        rules = batch_rules.setdefault(j // BATCH_COLUMNS, [])
        fname = literal(staged.names[j])
        kind, fmt = f.get("type", "string"), f.get("format", "default")
        type_note = f'type is "{kind}/{fmt}"'
        if j in staged.typed_fields:  # a text field's typed value is its text: it has no type error
            rules.append(("type-error", j, f"NOT e{j} AND t{j} IS NULL", type_note))
        for _key, condition, note in _constraint_sql(checked, staged, j):
            rules.append(("constraint-error", j, f"({condition})", note))
        if not staged.wide:
            for kind_, _, condition, note in rules:
                conditions.append(f"({condition})")
                cell = f"coalesce(v{j}, '')" if kind_ == "constraint-error" else f"v{j}"
                parts.append(f"SELECT {literal(kind_)}, rn, {fname}, {j + 1}, {cell}, {literal(note)} "
                             f"FROM {suspect} WHERE NOT blank AND {condition}")
            rules.clear()
        if (f.get("constraints") or {}).get("unique") is True:
            gate.append(f"count(t{j}) > count(DISTINCT t{j})")
            parts.append(f"SELECT 'unique-error', rn, {fname}, {j + 1}, v{j}, "
                         f"'the same as in the row at position ' || previous FROM "
                         f"(SELECT rn, v{j}, t{j}, lag(rn) OVER (PARTITION BY t{j} ORDER BY rn) AS previous "
                         f"FROM {staged.table} WHERE t{j} IS NOT NULL{repeated_values(j)}) WHERE previous IS NOT NULL")
    if staged.wide:  # a batch's rules in one scan, as flat lists (no statement nests or unions per column)
        staged.checks = [_batch_checks(staged, k, rules) for k, rules in batch_rules.items() if rules]
    primary = list(as_names(res.schema.get("primaryKey") if res.schema else None))
    if primary and set(primary) <= set(staged.names):
        keys = [f"t{staged.names.index(k)}" for k in primary]
        all_null = " AND ".join(f"{k} IS NULL" for k in keys)
        row = keys[0] if len(keys) == 1 else "{" + ", ".join(f"'k{i}': {k}" for i, k in enumerate(keys)) + "}"
        gate.append(f"bool_or({all_null})")
        gate.append(f"count(*) FILTER (WHERE NOT ({all_null})) > count(DISTINCT {row}) FILTER (WHERE NOT ({all_null}))")
    # a small file's rules cost more to plan than its rows cost to check: one scan first tells whether
    # any rule can find an error (a valid table, the usual case, then skips them)
    if staged.materialized and not blank_records:
        gate.append(f"bool_or({' OR '.join(conditions)})")
        staged.row_gate = f"SELECT coalesce({' OR '.join(gate)}, false) FROM {staged.table}"
    ctes = [] if staged.materialized or staged.wide else [
        f"{suspect} AS MATERIALIZED (SELECT * FROM {staged.table} WHERE {' OR '.join(conditions)})"]
    if primary and set(primary) <= set(staged.names):
        keys = [f"t{staged.names.index(k)}" for k in primary]
        raws = " || ', ' || ".join(f"coalesce(v{staged.names.index(k)}, '')" for k in primary)
        all_null = " AND ".join(f"{k} IS NULL" for k in keys)
        # a key that occurs once has no previous row: only repeated keys are windowed (a semi join on the
        # few repeated keys, not a probe of every row); a row whose key cells are all empty is its own error
        if staged.materialized:
            keyed = f"SELECT * FROM {staged.table} WHERE NOT ({all_null})"
        else:
            repeated = f"__h$repeated_keys_{staged.index}"
            ctes.append(f"{repeated} AS MATERIALIZED (SELECT {', '.join(keys)} FROM {staged.table} "
                        f"WHERE NOT ({all_null}) GROUP BY ALL HAVING count(*) > 1)")
            same = " AND ".join(f"d.{k} IS NOT DISTINCT FROM x.{k}" for k in keys)
            keyed = f"SELECT x.* FROM {staged.table} x SEMI JOIN {repeated} d ON {same}"
        parts.append(f"SELECT 'primary-key', rn, NULL, NULL, {raws}, 'the same as in the row at position ' || previous "
                     f"FROM (SELECT rn, {', '.join(f'v{staged.names.index(k)}' for k in primary)}, "
                     f"lag(rn) OVER (PARTITION BY {', '.join(keys)} ORDER BY rn) AS previous FROM ({keyed})) "
                     f"WHERE previous IS NOT NULL")
        parts.append(f"SELECT 'primary-key', rn, NULL, NULL, {raws}, "
                     f"'cells composing the primary keys are all \"None\"' FROM {staged.table} WHERE {all_null}")
    if primary and blank_records:  # an empty line is a row whose primary key cells are all empty
        parts.append(f"SELECT 'primary-key', rn, NULL, NULL, '', 'cells composing the primary keys are all \"None\"' "
                     f"FROM {blank_table} WHERE rn > {first_data}")
    union = "\nUNION ALL\n".join(parts)
    pick = f"WITH {', '.join(ctes)} " if ctes else ""
    return f"SELECT * FROM ({pick}SELECT {seq}, *, {name}, {place} FROM ({union}))"


def _batch_checks(staged: Staged, k: int, rules: list[tuple]) -> str:
    """The cell errors of batch k of a wide file: for each suspect row (any rule true), the list of the
    rules it breaks, unnested and named from a table of the rules (class, field, number, note)."""
    first = staged.batches[k].start
    table = ", ".join(f"({r}, {literal(kind)}, {literal(staged.names[j])}, {j + 1}, {j - first + 1}, {literal(note)})"
                      for r, (kind, j, _, note) in enumerate(rules))
    hits = "[" + ", ".join(f"CASE WHEN {condition} THEN {r} END" for r, (_, _, condition, _) in enumerate(rules)) + "]"
    cells = "[" + ", ".join(f"v{j}" for j in staged.batches[k]) + "]::VARCHAR[]"
    suspect = " OR ".join(f"({condition})" for _, _, condition, _ in rules)
    source = f"(SELECT * FROM {staged.parts[0]} POSITIONAL JOIN {staged.parts[k + 1]})"
    seq, name, place = staged.index, literal(staged.resource.name), literal(staged.resource.place)
    return (f"SELECT {seq}, r.kind, x.rn, r.field, r.number, "
            f"CASE WHEN r.kind = 'constraint-error' THEN coalesce(x.cells[r.pos], '') ELSE x.cells[r.pos] END, "
            f"r.note, {name}, {place} FROM "
            f"(SELECT rn, cells, hit FROM (SELECT rn, {cells} AS cells, unnest({hits}) AS hit FROM {source} "
            f"WHERE NOT blank AND ({suspect})) WHERE hit IS NOT NULL) x "
            f"JOIN (VALUES {table}) r(id, kind, field, number, pos, note) ON r.id = x.hit")


def _foreign_keys(checked: Checked, staged: Staged) -> list[str]:
    """A query for each foreign key of the resource, selecting its dangling rows."""
    res = staged.resource
    checks = []
    for fk in (res.schema or {}).get("foreignKeys", []) or []:
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
            continue
        local = list(as_names(fk.get("fields")))
        reference = fk["reference"]
        target_name = reference.get("resource") or res.name
        remote = list(as_names(reference.get("fields")))
        target = checked.staged.get(target_name)
        if target_name != res.name and target_name not in {r.name for r in checked.package.resources}:
            _add(checked, staged.index, [("resource-error", res.name, res.place, None, None, None,
                                          f'failed to handle a foreign key for resource "{res.name}" as resource '
                                          f'"{target_name}" does not exist')])
            continue
        if target is None or not set(local) <= set(staged.names) or not set(remote) <= set(target.names):
            continue
        child = [staged.names.index(x) for x in local]
        parent = [target.names.index(x) for x in remote]

        def pair(a: int, b: int) -> str:
            left, right = f"c.t{a}", f"p.t{b}"
            if sql_type(staged.fields[a]) != sql_type(target.fields[b]):
                left, right = f"CAST({left} AS VARCHAR)", f"CAST({right} AS VARCHAR)"
            return f"{right} IS NOT DISTINCT FROM {left}"

        match = " AND ".join(pair(a, b) for a, b in zip(child, parent))
        shown = " || ', ' || ".join(f"coalesce(CAST(c.t{a} AS VARCHAR), 'None')" for a in child)
        note = (f"'for \"{', '.join(local)}\": values \"' || {shown} || '\" not found in the lookup table "
                f"\"{target_name}\" as \"{', '.join(remote)}\"'")
        checks.append(
            f"SELECT {staged.index}, 'foreign-key', c.rn, {literal(local[0])}, {child[0] + 1}, {shown}, {note}, "
            f"{literal(res.name)}, {literal(res.place)} FROM {staged.table} c "
            f"WHERE NOT ({' AND '.join(f'c.t{a} IS NULL' for a in child)}) AND NOT EXISTS ("
            f"SELECT 1 FROM {target.table} p WHERE NOT ({' AND '.join(f'p.t{b} IS NULL' for b in parent)}) "
            f"AND {match})")
    return checks
