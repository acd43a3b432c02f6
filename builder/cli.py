"""`histpack`: a thin shell over the builder's Python API. Errors are one line each, exit 1."""

from __future__ import annotations

import csv
import functools
import json
import os
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .build import DEFAULT_DB, build as build_package, find_root
from .errors import BuildError, BuildErrors

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Build, validate, load and query the Thom (2015) data package.")


def _fail(lines: list[str]) -> None:
    for line in lines:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(1)


def friendly(func):
    """Turn every expected failure into one line per problem and exit status 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from .duck import QueryRefused
        from .validate import PackageError
        import duckdb

        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0)
        except BuildErrors as exc:
            _fail([e.line() for e in exc.errors])
        except BuildError as exc:
            _fail([exc.line()])
        except (PackageError, QueryRefused) as exc:
            _fail([str(exc)])
        except duckdb.Error as exc:
            _fail([f"DuckDB: {str(exc).splitlines()[0]}"])
        except Exception as exc:  # noqa: BLE001 - the promise is: no traceback
            if os.environ.get("HISTPACK_DEBUG"):
                raise
            _fail([f"internal error ({type(exc).__name__}): {exc} — rerun with HISTPACK_DEBUG=1 and report it"])

    return wrapper


@app.command()
@friendly
def build(db: Path = typer.Option(DEFAULT_DB, help="DuckDB file to create (relative to the project)."),
          no_db: bool = typer.Option(False, "--no-db", help="Skip loading DuckDB.")) -> None:
    """Canonical text → annotations → CSV, schemas, descriptor → validate → DuckDB."""
    report = build_package(db_path=None if no_db else db)
    width = max(map(len, report.rows))
    typer.echo("rows per table:")
    for table, count in report.rows.items():
        typer.echo(f"  {table:<{width}}  {count:>5}")
    typer.echo(f"checks passed: {len(report.checks)} ({'; '.join(report.checks)})")
    if report.db_path:
        typer.echo(f"database: {os.path.relpath(report.db_path)}")


class Engine(str, Enum):
    duckdb = "duckdb"
    frictionless = "frictionless"


@app.command()
@friendly
def validate(package: Optional[Path] = typer.Argument(None, help="Package folder or datapackage.json (default: the project)."),
             engine: Engine = typer.Option(Engine.duckdb, "--engine", help="duckdb (histpack's engine) or "
                                           "frictionless (the reference implementation, to cross-check).")) -> None:
    """Table Schema checks of any tabular data package, plus ours (quotes, pages, EDTF, cross-table rules)."""
    from .validate import validate_package

    target = package if package is not None else find_root()
    notes: list[str] = []
    problems = validate_package(target, notes, engine=engine.value)
    _notes(notes)
    if problems:
        _fail([p.line() for p in problems])
    typer.echo(f"valid: {'frictionless' if engine == Engine.frictionless else 'Table Schema'} and histpack checks passed")


def _notes(notes: list[str]) -> None:
    """What the engine could not check, one line each: nothing is skipped silently."""
    for note in dict.fromkeys(notes):
        typer.echo(f"note: {note}", err=True)


def _require_valid(package: Path) -> None:
    """Load only a valid package: a broken one fails here, one line per problem, nothing written."""
    from .validate import validate_package

    problems = validate_package(package)
    if problems:
        _fail([p.line() for p in problems])


@app.command()
@friendly
def load(package: Optional[Path] = typer.Argument(None, help="Package folder or datapackage.json."),
         db: Path = typer.Option(DEFAULT_DB, help="DuckDB file to create."),
         engine: Engine = typer.Option(Engine.duckdb, "--engine", help="duckdb, or frictionless to validate with "
                                       "the reference implementation first.")) -> None:
    """Create a typed DuckDB database from a data package (validated first; nothing written if invalid)."""
    from .duck import validate_and_load

    root = package if package is not None else find_root()
    target = db if package is not None or db.is_absolute() else find_root() / db
    if engine == Engine.frictionless:
        from .validate import validate_package

        problems = validate_package(root, engine="frictionless")
        if problems:
            _fail([p.line() for p in problems])
    problems, notes = validate_and_load(root, target)
    _notes(notes)
    if problems:
        _fail([p.line() for p in problems])
    typer.echo(f"loaded {os.path.relpath(target)}")


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
@friendly
def query(sql: str = typer.Argument(..., help="A SELECT statement."),
          db: Optional[Path] = typer.Option(None, help="Database to query (default: built on the fly from the package)."),
          package: Optional[Path] = typer.Option(None, help="Package to load when no --db is given."),
          format: Format = typer.Option(Format.table, "--format", help="Output format.")) -> None:
    """Run a read-only query against the package."""
    from .duck import check_read_only, load_package, run_query

    check_read_only(sql)
    if db is None:
        with tempfile.TemporaryDirectory() as tmp:
            _require_valid(package or find_root())
            path = load_package(package or find_root(), Path(tmp) / "query.duckdb")
            names, rows = run_query(path, sql)
    else:
        if not db.exists():
            raise BuildError(str(db), "no such database", "run `histpack build` or `histpack load` first")
        names, rows = run_query(db, sql)
    _print_rows(names, rows, format)


def _print_rows(names: list[str], rows: list[tuple], fmt: Format) -> None:
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
    elif fmt is Format.json:
        typer.echo(json.dumps([dict(zip(names, r)) for r in rows], ensure_ascii=False, indent=2, default=str))
    else:
        from rich.console import Console
        from rich.table import Table
        from rich.markup import escape
        from rich.text import Text

        table = Table(show_lines=False)
        for name in names:
            table.add_column(escape(name))
        for row in rows:
            table.add_row(*(Text("" if v is None else str(v)) for v in row))
        Console(width=max(100, min(200, 40 * len(names)))).print(table)


@app.command()
@friendly
def coverage(list_uncovered: bool = typer.Option(True, "--list/--no-list", help="List the uncovered sentences."),
             section: Optional[str] = typer.Option(None, help="Only this section: abstract, epigraph, body, note.")) -> None:
    """Per paragraph, the quotes anchored in it; the share of paragraphs and sentences covered."""
    from .build import Project, resolve_project
    from .coverage import coverage as measure

    resolution, canonicals, _, _ = resolve_project(Project(find_root()))
    for source_id, canonical in canonicals.items():
        spans = [(q.quote_id, q.char_start, q.char_end) for q in resolution.rows["quotes"] if q.source_id == source_id]
        spans += [(c.citation_id, c.char_start, c.char_end) for c in resolution.rows["citations"]
                  if canonical.text[c.char_start:c.char_end] == c.cited_as]
        result = measure(canonical, spans)
        paragraphs = [p for p in result.paragraphs if section in (None, p.section)]
        typer.echo(f"{source_id}:")
        for p in paragraphs:
            mark = "ok " if p.covered == p.sentences else "   " if p.covered else "-- "
            typer.echo(f"  {mark}¶{p.seq:<3} {p.section:<8} p.{p.page_start}  {p.covered}/{p.sentences} sentences, "
                       f"{len(p.quotes)} anchors")
        covered_paras = sum(1 for p in paragraphs if p.quotes)
        total = sum(p.sentences for p in paragraphs)
        hit = sum(p.covered for p in paragraphs)
        typer.echo(f"paragraphs covered: {covered_paras}/{len(paragraphs)} ({100 * covered_paras / len(paragraphs):.1f}%)")
        typer.echo(f"sentences covered: {hit}/{total} ({100 * hit / total:.1f}%)")
        if list_uncovered:
            for s in result.uncovered:
                if section in (None, s.section):
                    typer.echo(f"  uncovered ¶{s.paragraph_seq} p.{canonical.page_of(s.char_start)}: {s.text}")


def _package_connection(db: Optional[Path]):
    """A read-only connection: to `db`, or to a database built on the fly from the project."""
    from .duck import connect_read_only, load_package

    if db is not None:
        if not db.exists():
            raise BuildError(str(db), "no such database", "run `histpack build` or `histpack load` first")
        return connect_read_only(db), None
    tmp = tempfile.TemporaryDirectory()
    path = load_package(find_root(), Path(tmp.name) / "package.duckdb")
    return connect_read_only(path), tmp


@app.command()
@friendly
def compare(left: str = typer.Argument(..., help="A regime_id (or place_id), e.g. ussr."),
            right: str = typer.Argument(..., help="Another, e.g. prc."),
            dimension: Optional[str] = typer.Option(None, help="Only this comparison dimension."),
            db: Optional[Path] = typer.Option(None, help="Database to read (default: built on the fly).")) -> None:
    """The essay's comparisons between two regimes, side by side, with its words and pages."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .compare import compare as find

    con, tmp = _package_connection(db)
    try:
        try:
            rows = find(con, left, right, dimension)
        except ValueError as exc:
            raise BuildError("compare", str(exc)) from None
    finally:
        con.close()
        if tmp:
            tmp.cleanup()
    if not rows:
        typer.echo(f"no comparison between {left} and {right}" + (f" on {dimension}" if dimension else ""))
        return
    table = Table(title=f"{left} vs {right}", show_lines=True, expand=True)
    table.add_column("dimension / relation", ratio=1)
    table.add_column(left, ratio=2)
    table.add_column(right, ratio=2)
    for r in rows:
        head = Text(f"{r.dimension}\n{r.relation} ({r.basis})\n\n{r.claim}")
        cells = [Text(f"{s.summary}\n\n“{s.quote}”\n— Thom 2015, {s.pages}") for s in (r.left, r.right)]
        table.add_row(head, *cells)
    Console(width=160).print(table)


class Align(str, Enum):
    calendar = "calendar"
    campaign = "campaign"


@app.command()
@friendly
def cite(format: Optional[str] = typer.Option(None, "--format",
                                             help="bibtex, biblatex, csl-json, ris, apa (default) or cff."),
         what: str = typer.Option("dataset", "--what", help="dataset or essay."),
         row: Optional[str] = typer.Option(None, "--row", metavar="TABLE:ID",
                                           help="Pinpoint citation of one row: page and quoted words."),
         package: Optional[Path] = typer.Option(None, help="Package folder (default: the project).")) -> None:
    """How to cite the dataset, the essay it encodes (DOI, pp. 81–92), or one row ("Thom 2015, 86")."""
    from .cite import CiteFormat, CiteWhat, Package, apa_dataset, cite_row, reference

    choices = {"--format": (format or "apa", CiteFormat), "--what": (what, CiteWhat)}
    for option, (value, kind) in choices.items():
        if value not in {k.value for k in kind}:
            raise BuildError(f"{option} {value}", "unknown choice", f"use one of: {', '.join(k.value for k in kind)}")
    pkg = Package.open(package if package is not None else find_root())
    if row is not None:
        if format not in (None, "apa"):
            raise BuildError("--row", "a row's citation is plain text", "drop --format, or cite the essay with it")
        typer.echo(cite_row(pkg, row).render(apa_dataset(pkg)), nl=False)
        return
    typer.echo(reference(pkg, CiteFormat(format or "apa"), CiteWhat(what)), nl=False)


@app.command()
@friendly
def timeline(out: Path = typer.Option(..., "--out", help="Picture to write: .svg, .png or .html."),
             align: Align = typer.Option(Align.calendar, help="calendar dates, or years from each campaign's start."),
             since: int = typer.Option(1920, help="Calendar view: first year shown (earlier items are listed)."),
             db: Optional[Path] = typer.Option(None, help="Database to read (default: built on the fly).")) -> None:
    """Draw one lane per regime: phases by type, purges and rhetoric as marks."""
    from .timeline import draw_timeline, timeline_items

    if out.suffix.lower() not in (".svg", ".png", ".html"):
        raise BuildError(str(out), "unknown picture format", "end the file name in .svg, .png or .html")
    con, tmp = _package_connection(db)
    try:
        items, names = timeline_items(con)
    finally:
        con.close()
        if tmp:
            tmp.cleanup()
    draw_timeline(items, names, out, align.value, since)
    typer.echo(f"wrote {out}")


@app.command()
@friendly
def codebook(check: bool = typer.Option(False, "--check", help="Only say whether CODEBOOK.md is current; exit 1 if not."),
             package: Optional[Path] = typer.Option(None, help="Package folder (default: the project).")) -> None:
    """Write CODEBOOK.md: every table, column and vocabulary value, from the models."""
    from .cite import Package
    from .codebook import FILENAME, is_current, write

    root = package if package is not None else find_root()
    pkg = Package.open(root)
    target = pkg.root / FILENAME
    if check:
        if not is_current(pkg, target):
            raise BuildError(str(target), "out of date with the models and the package", "run `histpack codebook` and commit it")
        typer.echo(f"{FILENAME} is current")
        return
    write(pkg, target)
    typer.echo(f"wrote {os.path.relpath(target)}")


@app.command()
@friendly
def export(format: str = typer.Option("parquet", "--format", help="parquet, csv or jsonl."),
           out: Path = typer.Option(..., "--out", help="Folder to write one file per table into."),
           package: Optional[Path] = typer.Option(None, help="Package folder (default: the project).")) -> None:
    """Write every table as typed Parquet (or CSV, JSON Lines) for other tools."""
    from .export import ExportFormat, export as export_tables

    if format not in {f.value for f in ExportFormat}:
        raise BuildError(f"--format {format}", "unknown format", f"use one of: {', '.join(f.value for f in ExportFormat)}")
    written = export_tables(package if package is not None else find_root(), ExportFormat(format), out)
    typer.echo(f"wrote {len(written)} {format} files to {os.path.relpath(out)}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
