"""`histpack query`: read-only SQL on the package, as a table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Optional

import typer

from histpack.cli.common import Format, friendly, package_option, package_path, require_valid
from histpack.project.errors import BuildError

TABLE_ROWS = 1000  # a terminal table beyond this is unreadable; csv and json stream every row
MIN_COLUMN = 8  # fewer characters than this per column, and the rows are shown as records, one field a line


@friendly
def query(sql: Optional[str] = typer.Argument(None, help="SELECT statement(s), separated by `;`; `-` reads them "
                                                          "from standard input."),
          file: Optional[Path] = typer.Option(None, "--file", metavar="PATH", help="Read the SQL from this file."),
          db: Optional[Path] = typer.Option(None, help="Database to query (default: the package's, cached until it changes)."),
          package: Optional[Path] = package_option("Package to load when no --db is given"),
          format: Format = typer.Option(Format.table, "--format", help="Output format."),
          timeout: float = typer.Option(60.0, "--timeout", metavar="SECONDS",
                                        help="Stop each statement after this many seconds (0: no limit).")) -> None:
    """Run read-only queries against the package. Several statements print each result in turn: as
    tables, each headed by its statement; in CSV, separated by a blank line (JSON takes one statement)."""
    from histpack.db.cache import cached_database
    from histpack.db.paths import database_to_read
    from histpack.db.query import check_read_only, check_timeout, streamed

    check_timeout(timeout)
    sql = read_sql(sql, file)
    check_read_only(sql)
    statements = split(sql)
    if len(statements) > 1 and format is Format.json:
        raise BuildError("--format json", f"prints the rows of one statement; {len(statements)} given",
                         "run one statement per call, or use --format csv (results separated by a blank line)")
    if db is None:
        db = cached_database(package_path(package), require_valid)
    else:
        database_to_read(db)
    for n, statement in enumerate(statements, 1):
        if len(statements) > 1:
            if format is Format.table:
                from histpack.cli.render import emit, short

                emit(f"{'' if n == 1 else chr(10)}-- {n} of {len(statements)}: {short(statement)}")
            elif n > 1:
                sys.stdout.write("\n")
        with streamed(db, statement, timeout) as (names, batches), machine_output(format):
            print_rows(names, batches, format)


def read_sql(sql: Optional[str], file: Optional[Path]) -> str:
    """The SQL as given: the argument, standard input (`-`) or `--file`, exactly one of them."""
    if (sql is None) == (file is None):
        raise BuildError("query", "give the SQL as an argument, as `-` (standard input) or with --file PATH",
                         "e.g. histpack query \"select * from events limit 5\"")
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BuildError(str(file), f"cannot be read: {exc.strerror if isinstance(exc, OSError) else exc.reason}",
                             "give --file a UTF-8 text file of SQL") from None
    if sql == "-":
        return sys.stdin.read()
    return sql


def machine_output(fmt: Format):
    """CSV and JSON in UTF-8 whatever the terminal's encoding; a table in what the terminal can show."""
    import contextlib

    from histpack.cli.render import utf8_stdout

    return contextlib.nullcontext() if fmt is Format.table else utf8_stdout()


def split(sql: str) -> list[str]:
    """The statements of `sql`, each as written (DuckDB's own parser splits them)."""
    import duckdb

    return [s.query for s in duckdb.extract_statements(sql)]


def print_rows(names: list[str], batches, fmt: Format) -> None:
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(names)
        for rows in batches:
            writer.writerows(rows)
    elif fmt is Format.json:
        import textwrap

        from histpack.db.query import json_value

        first = True
        for rows in batches:
            for r in rows:
                item = json.dumps(dict(zip(names, map(json_value, r))), ensure_ascii=False, indent=2, default=str,
                                  allow_nan=False)
                sys.stdout.write(("[\n" if first else ",\n") + textwrap.indent(item, "  "))
                first = False
        sys.stdout.write("[]\n" if first else "\n]\n")
    else:
        rows, more = [], 0
        for batch in batches:
            room = TABLE_ROWS - len(rows)
            rows.extend(batch[:room])
            more += max(0, len(batch) - room)
        print_table(names, rows)
        if more:
            typer.echo(f"({more} more rows not shown; use --format csv or --format json for all of them)")


def print_table(names: list[str], rows: list) -> None:
    """Rows as a table as wide as the terminal, a row a line, long cells cut with an ellipsis; with too
    many columns for that, each row as a record, a field a line, long values wrapped."""
    from rich.table import Table
    from rich.text import Text

    from histpack.cli.render import console, printable

    out = console()
    room = out.width - 3 * len(names) - 1  # each column has a border and a space either side
    if len(names) * MIN_COLUMN <= room:
        cells = [[printable(v) for v in row] for row in rows]
        heads = [printable(n) for n in names]
        natural = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(heads)]
        table = Table(show_lines=False)
        for head, width in zip(heads, share(natural, room)):
            table.add_column(Text(head), no_wrap=True, overflow="ellipsis", width=width)
        for row in cells:
            table.add_row(*map(Text, row))
        out.print(table)
        return
    label = max(len(printable(n)) for n in names) if names else 0
    for n, row in enumerate(rows, 1):
        record = Table(show_header=False, title=f"row {n}", title_justify="left", expand=True)
        record.add_column(width=min(label, out.width // 3), overflow="fold")
        record.add_column(ratio=1, overflow="fold")
        for name, value in zip(names, row):
            record.add_row(Text(printable(name)), Text(printable(value)))
        out.print(record)
    if not rows:
        out.print(Text(f"(no rows; columns: {', '.join(printable(n) for n in names)})"))


def share(natural: list[int], room: int) -> list[int]:
    """Column widths within `room`: each column as wide as its widest cell if all fit; else the narrow ones
    keep theirs and the wide ones split what is left evenly (each at least 1)."""
    widths = [max(1, n) for n in natural]
    if sum(widths) <= room:
        return widths
    fixed: dict[int, int] = {}
    while True:
        left = room - sum(fixed.values())
        open_ = [i for i in range(len(widths)) if i not in fixed]
        fair = max(1, left // max(1, len(open_)))
        narrow = {i: widths[i] for i in open_ if widths[i] <= fair}
        if not narrow:
            break
        fixed.update(narrow)
    open_ = [i for i in range(len(widths)) if i not in fixed]
    left = room - sum(fixed.values())
    for n, i in enumerate(open_):
        fixed[i] = max(1, left // len(open_) + (1 if n < left % len(open_) else 0))
    return [fixed[i] for i in range(len(widths))]


@friendly
def describe(table: Optional[str] = typer.Argument(None, metavar="[TABLE]",
                                                   help="A table or view: list its columns (default: list the tables "
                                                        "and views)."),
             format: Format = typer.Option(Format.table, "--format", help="Output format."),
             db: Optional[Path] = typer.Option(None, help="Database to read (default: the package's, cached until it "
                                                          "changes)."),
             package: Optional[Path] = package_option("Package to load when no --db is given")) -> None:
    """The tables and views with what each holds; with TABLE, its columns, types and descriptions."""
    from histpack.cli.common import read_only_connection
    from histpack.project.sql import ident

    con = read_only_connection(db, package)
    try:
        tables = con.execute("select table_name, 'table', comment from duckdb_tables() where schema_name = 'main' "
                             "union all select view_name, 'view', comment from duckdb_views() "
                             "where not internal and schema_name = 'main' order by 2, 1").fetchall()
        if table is None:
            names = ["name", "kind", "rows", "description"]
            rows = [[name, kind, con.execute(f"select count(*) from {ident(name)}").fetchone()[0] if kind == "table"
                     else None, comment] for name, kind, comment in tables]
        else:
            known = {name: kind for name, kind, _ in tables}
            if table not in known:
                raise BuildError(f"describe {table}", "no such table or view in the package",
                                 f"tables and views: {', '.join(known)}")
            names = ["column", "type", "description"]
            rows = [list(r) for r in con.execute(
                "select column_name, data_type, comment from duckdb_columns() where schema_name = 'main' "
                "and table_name = ? order by column_index", [table]).fetchall()]
    finally:
        con.close()
    if format is Format.table:
        print_described(names, rows)
    else:
        with machine_output(format):
            print_rows(names, [rows], format)


def print_described(names: list[str], rows: list) -> None:
    """A listing whose last column (the description) wraps within the terminal's width; long types are cut."""
    from rich.table import Table
    from rich.text import Text

    from histpack.cli.render import console, printable

    out = console()
    table = Table(expand=True, show_lines=False)
    for n, name in enumerate(names):
        last = n == len(names) - 1
        table.add_column(name, ratio=1 if last else None, overflow="fold" if last else "ellipsis", no_wrap=not last,
                         max_width=None if last else max(8, out.width // 4))
    for row in rows:
        table.add_row(*(Text(printable(v)) for v in row))
    out.print(table)
