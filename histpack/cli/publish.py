"""`histpack cite`, `codebook`, `export` and `site`: the package for papers, reference managers and other tools."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from histpack.cli.common import friendly, guard, package_option, package_path, source_option
from histpack.project.errors import BuildError


@friendly
def cite(format: Optional[str] = typer.Option(None, "--format",
                                             help="bibtex, biblatex, csl-json, ris, apa (default) or cff."),
         what: str = typer.Option("dataset", "--what", help="dataset; source (an analysed source: the essay, a "
                                                             "statute, a web page; `essay` is the same); or works "
                                                             "(every work the sources cite, as a bibliography)."),
         source: Optional[str] = source_option("With --what source: which analysed source (needed if several); "
                                               "with --what works: only the works it cites."),
         row: Optional[str] = typer.Option(None, "--row", metavar="TABLE:ID",
                                           help="Pinpoint citation of one row: page and quoted words."),
         package: Optional[Path] = package_option()) -> None:
    """How to cite the dataset, a source it encodes, the works the sources cite, or one row (the source's
    `cited_as` and page)."""
    from histpack.engine.reader import Package
    from histpack.outputs.cite import CiteFormat, CiteWhat, apa_dataset, cite_row, reference

    choices = {"--format": (format or "apa", CiteFormat), "--what": (what, CiteWhat)}
    for option, (value, kind) in choices.items():
        if value not in {k.value for k in kind}:
            raise BuildError(f"{option} {value}", "unknown choice", f"use one of: {', '.join(k.value for k in kind)}")
    pkg = Package.open(package_path(package))
    if row is not None:
        if format not in (None, "apa"):
            raise BuildError("--row", "a row's citation is plain text", "drop --format, or cite the essay with it")
        typer.echo(cite_row(pkg, row).render(apa_dataset(pkg)), nl=False)
        return
    typer.echo(reference(pkg, CiteFormat(format or "apa"), CiteWhat(what), source), nl=False)


@friendly
def codebook(check: bool = typer.Option(False, "--check", help="Only say whether the codebook is current; exit 1 if not."),
             out: Optional[str] = typer.Option(None, "--out", metavar="PATH",
                                               help="Where to write it (default: CODEBOOK.md in the package's folder); "
                                                    "`-` prints it."),
             package: Optional[Path] = package_option()) -> None:
    """Write CODEBOOK.md: every table, column, view and vocabulary value, from the models."""
    from histpack.engine.reader import Package
    from histpack.outputs.codebook import FILENAME, is_current, render, write
    from histpack.project.writer import write_text

    pkg = Package.open(package_path(package))
    if out == "-":
        if check:
            raise BuildError("--out -", "prints the codebook; there is no file to check", "drop --check, or give a file")
        typer.echo(render(pkg), nl=False)
        return
    own = pkg.root / FILENAME
    target = Path(out) if out else own
    if check:
        if not is_current(pkg, target):
            raise BuildError(str(target), "out of date with the models and the package", "run `histpack codebook` and commit it")
        typer.echo(f"{os.path.relpath(target)} is current")
        return
    if target.resolve() == own.resolve():
        write(pkg, own)
    else:
        write_text(target, render(pkg), protected=guard(package))
    typer.echo(f"wrote {os.path.relpath(target)}")


@friendly
def export(format: str = typer.Option("parquet", "--format", help="parquet, csv, jsonl or sqlite."),
           out: str = typer.Option(..., "--out", help="Folder for one file per table and view; for sqlite, the "
                                                      "database file, or a folder (an existing one, or a name ending "
                                                      "in /) to write <package name>.sqlite into."),
           package: Optional[Path] = package_option()) -> None:
    """Write every table and view as typed Parquet (or CSV, JSON Lines), or one SQLite database for Datasette."""
    from histpack.outputs.export import ExportFormat, export as export_tables

    if format not in {f.value for f in ExportFormat}:
        raise BuildError(f"--format {format}", "unknown format", f"use one of: {', '.join(f.value for f in ExportFormat)}")
    root = package_path(package)
    target = Path(out)
    if format == ExportFormat.sqlite.value and (out.endswith(("/", os.sep)) or (target.is_dir() and not target.is_symlink())):
        target = target / f"{_package_name(root)}.sqlite"  # the safe writer makes the folder
    written = export_tables(root, ExportFormat(format), target)
    if format == ExportFormat.sqlite.value:
        db, metadata = (os.path.relpath(p) for p in written)
        typer.echo(f"wrote {db} and {metadata} (browse: datasette {db} -m {metadata})")
        return
    typer.echo(f"wrote {len(written)} {format} files to {os.path.relpath(target)}")


def _package_name(package: Path) -> str:
    """The package's `name` (its descriptor's), as a file name: what a database written into a folder is called."""
    import re

    from histpack.checks.validate import read_descriptor

    name = str(read_descriptor(package)[1].get("name") or "package")
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "package"


@friendly
def site(out: Path = typer.Option(..., "--out", help="Folder to write the site into (replaced as a whole)."),
         publish: bool = typer.Option(False, "--publish", help="Build it to publish: each text only as far as its "
                                      "rights allow (a withheld text as its quoted passages)."),
         package: Optional[Path] = package_option()) -> None:
    """A static site to read the essay with every row in place: essay, tables, comparisons, timeline."""
    from histpack.site import build_site

    report = build_site(package_path(package), out, publish=publish)
    if not report.essay:
        typer.echo("not a histpack essay package: built the table pages only")
    typer.echo(f"wrote {len(report.pages)} files to {os.path.relpath(report.out)}; "
               f"open {os.path.relpath(report.out / 'index.html')}")
