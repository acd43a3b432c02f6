"""`histpack compare`, `coverage` and `timeline`: the package read as a historian reads it."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from histpack.cli.common import (Format, check_source, db_option, friendly, guard, locate, package_option,
                                 package_path, project_root, read_only_connection, source_option)
from histpack.project.errors import BuildError


class Align(str, Enum):
    calendar = "calendar"
    campaign = "campaign"


@friendly
def compare(left: str = typer.Argument(..., help="A regime_id (or place_id)."),
            right: str = typer.Argument(..., help="Another regime_id (or place_id)."),
            dimension: Optional[str] = typer.Option(None, help="Only this comparison dimension."),
            source: Optional[str] = source_option("Only this analysed source's comparisons (default: every source)."),
            format: Format = typer.Option(Format.table, "--format",
                                          help="table, or csv or json: one row per comparison, its left_* and right_* side."),
            db: Optional[Path] = db_option(),
            package: Optional[Path] = package_option("Package to load when no --db is given")) -> None:
    """The sources' comparisons between two regimes, side by side, with their words and pages."""
    from histpack.outputs.compare import ROW_COLUMNS, as_row, compare as find, place_note, resolve_id

    con = read_only_connection(db, package)
    try:
        try:
            check_source(con, source)
            rows = find(con, left, right, dimension, source)
            (left, left_kind), (right, right_kind) = resolve_id(con, left), resolve_id(con, right)
            places = [place_note(con, i) for i, kind in ((left, left_kind), (right, right_kind)) if kind == "place"]
        except ValueError as exc:
            raise BuildError("compare", str(exc)) from None
    finally:
        con.close()
    if format is not Format.table:
        from histpack.cli.query import machine_output, print_rows

        with machine_output(format):
            print_rows(ROW_COLUMNS, [[as_row(r) for r in rows]], format)
        return
    from histpack.cli.render import emit

    for note in places:
        emit(f"note: {note}; showing the comparisons with a side there")
    if not rows:
        emit(f"no comparison between {left} and {right}" + (f" on {dimension}" if dimension else ""))
        return
    print_comparisons(rows, left, right)


def print_comparisons(rows, left: str, right: str) -> None:
    """Side by side in a table as wide as the terminal (or `COLUMNS`), the text wrapped in its column;
    when both sides are of one regime (a regime compared with itself), the columns say which side is which."""
    from rich.table import Table
    from rich.text import Text

    from histpack.annotate.date_words import date_in_words
    from histpack.cli.render import console, printable

    heads = (left, right) if left != right else (f"{left}: one side", f"{right}: the other side")
    table = Table(title=f"{left} vs {right}", show_lines=True, expand=True)
    table.add_column("dimension / relation", ratio=1, overflow="fold")
    table.add_column(heads[0], ratio=2, overflow="fold")
    table.add_column(heads[1], ratio=2, overflow="fold")
    for r in rows:
        head = Text(printable(f"{r.dimension}\n{r.relation} ({r.basis})\n\n{r.claim}"))
        cells = []
        for side in (r.left, r.right):
            named = f"[{side.place_id or side.side_id}] " if left == right else ""
            when = f" ({date_in_words(side.date_edtf)})" if side.date_edtf else ""
            cells.append(Text(printable(f"{named}{side.summary}{when}\n\n“{side.quote}”\n— {side.cited_as}, {side.pages}")))
        table.add_row(head, *cells)
    console().print(table)


def _measured_coverage(package: Optional[Path], source: Optional[str], section: Optional[str]):
    """Coverage of a project (its annotations resolved), or of a package without its annotations (a
    release), measured from its tables."""
    from histpack.annotate.project import project_coverage
    from histpack.project.layout import Project, is_project

    located = locate(package)
    folder = located if located.is_dir() else located.parent
    if is_project(folder) or not (folder / "datapackage.json").is_file():
        return project_coverage(Project(project_root(package)), source, section)
    from histpack.outputs.coverage import package_coverage

    return package_coverage(package_path(package), source, section)


@friendly
def coverage(list_uncovered: bool = typer.Option(True, "--list/--no-list", help="List the uncovered sentences."),
             section: Optional[str] = typer.Option(None, help="Only this section of each source (abstract, epigraph, "
                                                               "body, note …; the sections it has are listed if not)."),
             source: Optional[str] = source_option("Only this analysed source (default: each in turn)."),
             format: Format = typer.Option(Format.table, "--format",
                                           help="table (a report), or csv or json: one row per paragraph."),
             package: Optional[Path] = package_option("Project folder, or a package without annotations (a release)")) -> None:
    """Per paragraph, the quotes anchored in it; the share of paragraphs and sentences covered."""
    from histpack.cli.render import emit, printable

    found_all = list(_measured_coverage(package, source, section))
    if section is not None and not any(found.paragraphs for found in found_all):
        sections = sorted({p.section for found in _measured_coverage(package, source, None) for p in found.paragraphs})
        raise BuildError(f"--section {section}", "no paragraph of " + (f"`{source}`" if source else "any source")
                         + " is in that section", f"sections: {', '.join(sections)}")
    if format is not Format.table:
        from histpack.cli.query import machine_output, print_rows

        names = ["source_id", "paragraph", "section", "page", "sentences", "covered", "anchors"]
        rows = [[found.source_id, p.seq, p.section, p.page_start, p.sentences, p.covered, len(p.quotes)]
                for found in found_all for p in found.paragraphs]
        with machine_output(format):
            print_rows(names, [rows], format)
        return
    for found in found_all:
        emit(f"{found.source_id}:")
        for p in found.paragraphs:
            mark = "ok " if p.covered == p.sentences else "   " if p.covered else "-- "
            emit(f"  {mark}¶{p.seq:<3} {p.section:<8} p.{p.page_start}  {p.covered}/{p.sentences} sentences, "
                 f"{len(p.quotes)} anchors")
        paragraphs, covered = len(found.paragraphs), found.covered_paragraphs
        if not paragraphs:
            emit("  no paragraph" + (f" in section {section}" if section else ""))
            continue
        emit(f"paragraphs covered: {covered}/{paragraphs} ({100 * covered / paragraphs:.1f}%)")
        emit(f"sentences covered: {found.covered_sentences}/{found.sentences} "
             f"({100 * found.covered_sentences / max(found.sentences, 1):.1f}%)")
        if list_uncovered:
            for s in found.uncovered:
                emit(f"  uncovered ¶{s.paragraph_seq} p.{found.canonical.page_of(s.char_start)}: {printable(s.text)}")


@friendly
def timeline(out: Path = typer.Option(..., "--out", help="Picture to write: .svg, .png, .pdf (with a page of key) or "
                                                         ".html (with the key)."),
             align: Align = typer.Option(Align.calendar, help="calendar dates, or years from each campaign's start."),
             since: int = typer.Option(1920, help="Calendar view: the axis starts at this year (earlier items are "
                                                  "listed under it)."),
             source: Optional[str] = source_option("Only what this analysed source says (default: every source)."),
             db: Optional[Path] = db_option(),
             package: Optional[Path] = package_option("Package to load when no --db is given")) -> None:
    """Draw one lane per regime: phases by type; events, purges and rhetoric as marks; each source's own dates."""
    from histpack.outputs.timeline import FORMATS, draw_timeline, nothing_to_draw, timeline_items, timeline_title

    if out.suffix.lower() not in FORMATS:
        raise BuildError(str(out), "unknown picture format", f"end the file name in {', '.join(FORMATS[:-1])} or {FORMATS[-1]}")
    con = read_only_connection(db, package)
    try:
        check_source(con, source)
        items, names = timeline_items(con, source)
        title = timeline_title(con, source)
        empty = "" if items else nothing_to_draw(con, source)
    finally:
        con.close()
    if empty:
        raise BuildError("timeline" + (f" --source {source}" if source else ""), empty,
                         "the timeline draws dated events, phases, purges and rhetoric, and the dates sources give of them")
    draw_timeline(items, names, out, align.value, since, title, protected=guard(package))
    typer.echo(f"wrote {out}")
