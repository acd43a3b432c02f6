"""`histpack query`: read-only SQL on the package, as a table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Optional

import typer

from histpack.cli.common import Format, friendly, package_option, package_path, require_valid

TABLE_ROWS = 1000  # a terminal table beyond this is unreadable; csv and json stream every row


@friendly
def query(sql: str = typer.Argument(..., help="A SELECT statement."),
          db: Optional[Path] = typer.Option(None, help="Database to query (default: the package's, cached until it changes)."),
          package: Optional[Path] = package_option("Package to load when no --db is given"),
          format: Format = typer.Option(Format.table, "--format", help="Output format."),
          timeout: float = typer.Option(60.0, "--timeout", metavar="SECONDS",
                                        help="Stop the query after this many seconds (0: no limit).")) -> None:
    """Run a read-only query against the package."""
    from histpack.db.cache import cached_database
    from histpack.db.paths import database_to_read
    from histpack.db.query import check_read_only, check_timeout, streamed

    check_timeout(timeout)
    check_read_only(sql)
    if db is None:
        db = cached_database(package_path(package), require_valid)
    else:
        database_to_read(db)
    with streamed(db, sql, timeout) as (names, batches):
        print_rows(names, batches, format)


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
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table
        from rich.text import Text

        table = Table(show_lines=False)
        for name in names:
            table.add_column(escape(name))
        for row in rows:
            table.add_row(*(Text("" if v is None else str(v)) for v in row))
        Console(width=max(100, min(200, 40 * len(names)))).print(table)
        if more:
            typer.echo(f"({more} more rows not shown; use --format csv or --format json for all of them)")
