"""`histpack`: a thin shell over the builder's Python API. Errors are one line each, exit 1."""

from __future__ import annotations

import csv
import functools
import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
import typer.core

from histpack.project.errors import BuildError, HistpackError
from histpack.project.layout import DEFAULT_DB, find_root

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Build, validate, load and query a histpack data package.")

# A flag takes no value, so its help shows no type (typer prints `<bool>` for it).
_option_type = typer.core.TyperOption.display_type_rich
typer.core.TyperOption.display_type_rich = lambda self, ctx: None if self.is_flag else _option_type(self, ctx)

PACKAGE_ENV = "HISTPACK_PACKAGE"


def package_option(what: str = "Package folder or datapackage.json"):
    return typer.Option(None, "--package", envvar=PACKAGE_ENV, metavar="PATH", show_envvar=True,
                        help=f"{what} (default: the project around the working directory).")


def _locate(package: Optional[Path]) -> Path:
    """`--package`, else $HISTPACK_PACKAGE (typer reads it), else the project around the working directory."""
    if package is not None:
        return package
    try:
        return find_root()
    except BuildError as exc:
        if not exc.message.startswith("not inside a histpack project"):
            raise
        raise BuildError(exc.finding.with_hint(f"give --package PATH or set {PACKAGE_ENV}")) from None


def _package(package: Optional[Path]) -> Path:
    """The package a command reads (`_locate`); refused while a build's output swap there is unfinished
    (`histpack build` or `histpack recover` finish it): a read never renames a file."""
    from histpack.project.journal import refuse_unfinished

    package = _locate(package)
    refuse_unfinished(package if package.is_dir() else package.parent)
    return package


def _project(package: Optional[Path]) -> Path:
    """The project (sources/ and annotations/) at or above `--package` / $HISTPACK_PACKAGE / here."""
    return find_root(_locate(package))


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"histpack {version('histpack')}")
        except PackageNotFoundError:
            typer.echo("histpack (not installed)")
        raise typer.Exit(0)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version,
                                       help="Print histpack's version and exit.")) -> None:
    """Build, validate, load and query a histpack data package."""


def _fail(lines: list[str]) -> None:
    for line in lines:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(1)


def friendly(func):
    """Turn every expected failure into one line per problem and exit status 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from histpack.project.interrupts import Interrupted

        try:
            import duckdb

            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except Interrupted as exc:
            typer.echo(exc.line, err=True)
            raise typer.Exit(exc.exit_code)
        except KeyboardInterrupt:
            typer.echo("error: interrupted", err=True)
            raise typer.Exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0)
        except HistpackError as exc:
            _fail(exc.lines())
        except duckdb.Error as exc:
            # In full: DuckDB's hints ("Did you mean …", "Candidate bindings: …", the caret) follow the first line.
            first, *rest = [line for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
            typer.echo(f"error: DuckDB: {first}", err=True)
            for line in rest:
                typer.echo(f"  {line}", err=True)
            raise typer.Exit(1)
        except RecursionError:
            _fail(["input nested too deeply to read — simplify it"])
        except Exception as exc:  # noqa: BLE001 - the promise is: no traceback
            if os.environ.get("HISTPACK_DEBUG"):
                raise
            detail = " ".join(str(exc).split())[:200]
            _fail([f"internal error ({type(exc).__name__}): {detail} — rerun with HISTPACK_DEBUG=1 and report it"])

    return wrapper


@app.command()
@friendly
def build(db: Path = typer.Option(DEFAULT_DB, help="DuckDB file to create (relative to the project; {name} is "
                                  "the project's name in histpack.yaml)."),
          no_db: bool = typer.Option(False, "--no-db", help="Skip loading DuckDB."),
          package: Optional[Path] = package_option("Project folder")) -> None:
    """Canonical text → annotations → CSV, schemas, descriptor → validate → DuckDB."""
    from histpack.build.pipeline import build as build_package

    report = build_package(_project(package), db_path=None if no_db else db)
    width = max(map(len, report.rows))
    typer.echo("rows per table:")
    for table, count in report.rows.items():
        typer.echo(f"  {table:<{width}}  {count:>5}")
    typer.echo(f"checks passed: {len(report.checks)} ({'; '.join(report.checks)})")
    if report.db_path:
        typer.echo(f"database: {os.path.relpath(report.db_path)}")


@app.command()
@friendly
def recover(package: Optional[Path] = package_option("Project folder")) -> None:
    """Finish the output swap of a build that was killed while it replaced the outputs."""
    from histpack.project.journal import recover as finish

    root = _project(package)
    typer.echo("finished the interrupted swap of the outputs" if finish(root) else "nothing to recover")


class Engine(str, Enum):
    duckdb = "duckdb"
    frictionless = "frictionless"


@app.command()
@friendly
def validate(path: Optional[Path] = typer.Argument(None, metavar="[PACKAGE]", help="Package folder or datapackage.json (default: the project)."),
             package: Optional[Path] = package_option(),
             engine: Engine = typer.Option(Engine.duckdb, "--engine", help="duckdb (histpack's engine) or "
                                           "frictionless (the reference implementation, to cross-check).")) -> None:
    """Table Schema checks of any tabular data package, plus ours (quotes, pages, EDTF, cross-table rules)."""
    from histpack.checks.validate import validate_package

    target = _package(path or package)
    notes: list[str] = []
    problems = validate_package(target, notes, engine=engine.value)
    _notes(notes)
    if problems:
        _fail([p.text() for p in problems])
    typer.echo(f"valid: {'frictionless' if engine == Engine.frictionless else 'Table Schema'} and histpack checks passed")


def _notes(notes: list[str]) -> None:
    """What the engine could not check, one line each: nothing is skipped silently."""
    for note in dict.fromkeys(notes):
        typer.echo(f"note: {note}", err=True)


def _require_valid(package: Path) -> None:
    """Load only a valid package: a broken one fails here, one line per problem, nothing written."""
    from histpack.checks.validate import validate_package

    problems = validate_package(package)
    if problems:
        _fail([p.text() for p in problems])


@app.command()
@friendly
def load(path: Optional[Path] = typer.Argument(None, metavar="[PACKAGE]", help="Package folder or datapackage.json."),
         db: Path = typer.Option(DEFAULT_DB, help="DuckDB file to create ({name}: the package's name)."),
         package: Optional[Path] = package_option(),
         engine: Engine = typer.Option(Engine.duckdb, "--engine", help="duckdb, or frictionless to validate with "
                                       "the reference implementation first.")) -> None:
    """Create a typed DuckDB database from a data package (validated first; nothing written if invalid)."""
    from histpack.db.load import validate_and_load
    from histpack.db.paths import database_path, database_target

    given = path or package
    root = _package(given)
    target = database_path(db, root)
    target = target if given is not None or target.is_absolute() else find_root() / target
    database_target(target, root)
    if engine == Engine.frictionless:
        from histpack.checks.validate import validate_package

        problems = validate_package(root, engine="frictionless")
        if problems:
            _fail([p.text() for p in problems])
    problems, notes = validate_and_load(root, target)
    _notes(notes)
    if problems:
        _fail([p.text() for p in problems])
    typer.echo(f"loaded {os.path.relpath(target)}")


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
@friendly
def query(sql: str = typer.Argument(..., help="A SELECT statement."),
          db: Optional[Path] = typer.Option(None, help="Database to query (default: the package's, cached until it changes)."),
          package: Optional[Path] = package_option("Package to load when no --db is given"),
          format: Format = typer.Option(Format.table, "--format", help="Output format."),
          timeout: float = typer.Option(60.0, "--timeout", metavar="SECONDS",
                                        help="Stop the query after this many seconds (0: no limit).")) -> None:
    """Run a read-only query against the package."""
    from histpack.db.cache import cached_database
    from histpack.db.query import check_read_only, streamed

    check_read_only(sql)
    if db is None:
        path = cached_database(_package(package), _require_valid)
        with streamed(path, sql, timeout) as (names, batches):
            _print_rows(names, batches, format)
    else:
        if not db.is_file():
            raise BuildError(str(db), "no such database", "run `histpack build` or `histpack load` first")
        with streamed(db, sql, timeout) as (names, batches):
            _print_rows(names, batches, format)


TABLE_ROWS = 1000  # a terminal table beyond this is unreadable; csv and json stream every row


def _print_rows(names: list[str], batches, fmt: Format) -> None:
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(names)
        for rows in batches:
            writer.writerows(rows)
    elif fmt is Format.json:
        import textwrap

        first = True
        for rows in batches:
            for r in rows:
                item = json.dumps(dict(zip(names, r)), ensure_ascii=False, indent=2, default=str)
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
        from rich.table import Table
        from rich.markup import escape
        from rich.text import Text

        table = Table(show_lines=False)
        for name in names:
            table.add_column(escape(name))
        for row in rows:
            table.add_row(*(Text("" if v is None else str(v)) for v in row))
        Console(width=max(100, min(200, 40 * len(names)))).print(table)
        if more:
            typer.echo(f"({more} more rows not shown; use --format csv or --format json for all of them)")


@app.command()
@friendly
def coverage(list_uncovered: bool = typer.Option(True, "--list/--no-list", help="List the uncovered sentences."),
             section: Optional[str] = typer.Option(None, help="Only this section: abstract, epigraph, body, note."),
             source: Optional[str] = typer.Option(None, "--source", metavar="SOURCE_ID",
                                                  help="Only this analysed source (default: each in turn)."),
             package: Optional[Path] = package_option("Project folder")) -> None:
    """Per paragraph, the quotes anchored in it; the share of paragraphs and sentences covered."""
    from histpack.annotate.project import resolve_project
    from histpack.project.layout import Project
    from histpack.text.coverage import coverage as measure

    resolution, canonicals, _, _ = resolve_project(Project(_project(package)))
    if source is not None and source not in canonicals:
        raise BuildError(f"--source {source}", "names no analysed source of the project",
                         f"analysed sources: {', '.join(sorted(canonicals))}")
    for source_id, canonical in sorted(canonicals.items()):
        if source not in (None, source_id):
            continue
        spans = [(q.quote_id, q.char_start, q.char_end) for q in resolution.rows["quotes"] if q.source_id == source_id]
        spans += [(c.citation_id, c.char_start, c.char_end) for c in resolution.rows["citations"]
                  if c.citing_source_id == source_id]
        result = measure(canonical, spans)
        paragraphs = [p for p in result.paragraphs if section in (None, p.section)]
        if not paragraphs:
            continue  # a source without that section (a statute has no abstract)
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


def _guard(package: Optional[Path]):
    """What no output may replace: the package's files and its project's inputs (or the project's
    around the working directory)."""
    from histpack.db.paths import protected

    try:
        return protected(_locate(package))
    except BuildError:
        return protected()


def _package_connection(db: Optional[Path], package: Optional[Path] = None):
    """A read-only connection: to `db`, or to the package's cached database (`cache.py`)."""
    from histpack.db.cache import cached_database
    from histpack.db.query import connect_read_only

    if db is not None:
        if not db.exists():
            raise BuildError(str(db), "no such database", "run `histpack build` or `histpack load` first")
        return connect_read_only(db), None
    return connect_read_only(cached_database(_package(package), _require_valid)), None


@app.command()
@friendly
def compare(left: str = typer.Argument(..., help="A regime_id (or place_id)."),
            right: str = typer.Argument(..., help="Another regime_id (or place_id)."),
            dimension: Optional[str] = typer.Option(None, help="Only this comparison dimension."),
            source: Optional[str] = typer.Option(None, "--source", metavar="SOURCE_ID",
                                                 help="Only this analysed source's comparisons (default: every source)."),
            db: Optional[Path] = typer.Option(None, help="Database to read (default: built on the fly)."),
            package: Optional[Path] = package_option("Package to load when no --db is given")) -> None:
    """The sources' comparisons between two regimes, side by side, with their words and pages."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from histpack.outputs.compare import compare as find, place_note, resolve_id

    con, tmp = _package_connection(db, package)
    try:
        try:
            _check_source(con, source)
            rows = find(con, left, right, dimension, source)
            (left, left_kind), (right, right_kind) = resolve_id(con, left), resolve_id(con, right)
            notes = [place_note(con, i) for i, kind in ((left, left_kind), (right, right_kind)) if kind == "place"]
        except ValueError as exc:
            raise BuildError("compare", str(exc)) from None
    finally:
        con.close()
        if tmp:
            tmp.cleanup()
    for note in notes:
        typer.echo(f"note: {note}; showing the comparisons with a side there")
    if not rows:
        typer.echo(f"no comparison between {left} and {right}" + (f" on {dimension}" if dimension else ""))
        return
    table = Table(title=f"{left} vs {right}", show_lines=True, expand=True)
    table.add_column("dimension / relation", ratio=1)
    table.add_column(left, ratio=2)
    table.add_column(right, ratio=2)
    for r in rows:
        head = Text(f"{r.dimension}\n{r.relation} ({r.basis})\n\n{r.claim}")
        cells = [Text(f"{s.summary}\n\n“{s.quote}”\n— {s.cited_as}, {s.pages}") for s in (r.left, r.right)]
        table.add_row(head, *cells)
    Console(width=160).print(table)


def _check_source(con, source: str | None) -> None:
    """`--source` names an analysed source of the package, or the command stops with the valid ids."""
    if source is None:
        return
    analyzed = [r[0] for r in con.execute("select source_id from sources where cast(role as varchar) = 'analyzed' "
                                          "order by source_id").fetchall()]
    if source not in analyzed:
        raise BuildError(f"--source {source}", "names no analysed source of the package",
                         f"analysed sources: {', '.join(analyzed)}")


class Align(str, Enum):
    calendar = "calendar"
    campaign = "campaign"


@app.command()
@friendly
def cite(format: Optional[str] = typer.Option(None, "--format",
                                             help="bibtex, biblatex, csl-json, ris, apa (default) or cff."),
         what: str = typer.Option("dataset", "--what", help="dataset or essay (an analysed source)."),
         source: Optional[str] = typer.Option(None, "--source", metavar="SOURCE_ID",
                                              help="With --what essay: which analysed source (needed if several)."),
         row: Optional[str] = typer.Option(None, "--row", metavar="TABLE:ID",
                                           help="Pinpoint citation of one row: page and quoted words."),
         package: Optional[Path] = package_option()) -> None:
    """How to cite the dataset, a source it encodes, or one row (the source's `cited_as` and page)."""
    from histpack.outputs.cite import CiteFormat, CiteWhat, Package, apa_dataset, cite_row, reference

    choices = {"--format": (format or "apa", CiteFormat), "--what": (what, CiteWhat)}
    for option, (value, kind) in choices.items():
        if value not in {k.value for k in kind}:
            raise BuildError(f"{option} {value}", "unknown choice", f"use one of: {', '.join(k.value for k in kind)}")
    pkg = Package.open(_package(package))
    if row is not None:
        if format not in (None, "apa"):
            raise BuildError("--row", "a row's citation is plain text", "drop --format, or cite the essay with it")
        typer.echo(cite_row(pkg, row).render(apa_dataset(pkg)), nl=False)
        return
    typer.echo(reference(pkg, CiteFormat(format or "apa"), CiteWhat(what), source), nl=False)


@app.command()
@friendly
def timeline(out: Path = typer.Option(..., "--out", help="Picture to write: .svg, .png or .html."),
             align: Align = typer.Option(Align.calendar, help="calendar dates, or years from each campaign's start."),
             since: int = typer.Option(1920, help="Calendar view: first year shown (earlier items are listed)."),
             source: Optional[str] = typer.Option(None, "--source", metavar="SOURCE_ID",
                                                  help="Only what this analysed source says (default: every source)."),
             db: Optional[Path] = typer.Option(None, help="Database to read (default: built on the fly)."),
             package: Optional[Path] = package_option("Package to load when no --db is given")) -> None:
    """Draw one lane per regime: phases by type, purges and rhetoric as marks."""
    from histpack.outputs.timeline import draw_timeline, timeline_items, timeline_title

    if out.suffix.lower() not in (".svg", ".png", ".html"):
        raise BuildError(str(out), "unknown picture format", "end the file name in .svg, .png or .html")
    con, tmp = _package_connection(db, package)
    try:
        _check_source(con, source)
        items, names = timeline_items(con, source)
        title = timeline_title(con, source)
    finally:
        con.close()
        if tmp:
            tmp.cleanup()
    if not items:
        raise BuildError("timeline" + (f" --source {source}" if source else ""), "nothing to draw: no dated phase, "
                         "purge or rhetoric row or attestation", "the timeline draws phases, purges and rhetoric")
    draw_timeline(items, names, out, align.value, since, title, protected=_guard(package))
    typer.echo(f"wrote {out}")


@app.command()
@friendly
def site(out: Path = typer.Option(..., "--out", help="Folder to write the site into (replaced as a whole)."),
         package: Optional[Path] = package_option()) -> None:
    """A static site to read the essay with every row in place: essay, tables, comparisons, timeline."""
    from histpack.site import build_site

    report = build_site(_package(package), out)
    if not report.essay:
        typer.echo("not a histpack essay package: built the table pages only")
    typer.echo(f"wrote {len(report.pages)} files to {os.path.relpath(report.out)}; open {os.path.relpath(report.out / 'index.html')}")


@app.command()
@friendly
def codebook(check: bool = typer.Option(False, "--check", help="Only say whether CODEBOOK.md is current; exit 1 if not."),
             package: Optional[Path] = package_option()) -> None:
    """Write CODEBOOK.md: every table, column and vocabulary value, from the models."""
    from histpack.outputs.cite import Package
    from histpack.outputs.codebook import FILENAME, is_current, write

    root = _package(package)
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
def export(format: str = typer.Option("parquet", "--format", help="parquet, csv, jsonl or sqlite."),
           out: Path = typer.Option(..., "--out", help="Folder for one file per table and view; for sqlite, the database file."),
           package: Optional[Path] = package_option()) -> None:
    """Write every table and view as typed Parquet (or CSV, JSON Lines), or one SQLite database for Datasette."""
    from histpack.outputs.export import ExportFormat, export as export_tables

    if format not in {f.value for f in ExportFormat}:
        raise BuildError(f"--format {format}", "unknown format", f"use one of: {', '.join(f.value for f in ExportFormat)}")
    package_root = _package(package)
    written = export_tables(package_root, ExportFormat(format), out)
    if format == ExportFormat.sqlite.value:
        db, metadata = (os.path.relpath(p) for p in written)
        typer.echo(f"wrote {db} and {metadata} (browse: datasette {db} -m {metadata})")
        return
    typer.echo(f"wrote {len(written)} {format} files to {os.path.relpath(out)}")


def main() -> None:
    """Entry point (`histpack.cli.console:main` catches interrupts even while this module imports)."""
    from histpack.project.interrupts import install

    install()
    app()


if __name__ == "__main__":
    main()
