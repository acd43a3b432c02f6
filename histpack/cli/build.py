"""`histpack build` and `histpack recover`: the commands that write the project's own package."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from histpack.cli.common import friendly, package_option, project_root
from histpack.project.layout import DEFAULT_DB


@friendly
def build(db: Path = typer.Option(DEFAULT_DB, help="DuckDB file to create (relative to the project; {name} is "
                                  "the project's name in histpack.yaml)."),
          no_db: bool = typer.Option(False, "--no-db", help="Skip loading DuckDB."),
          package: Optional[Path] = package_option("Project folder")) -> None:
    """Canonical text → annotations → CSV, schemas, descriptor → validate → DuckDB."""
    from histpack.pipeline.build import build as build_package

    report = build_package(project_root(package), db_path=None if no_db else db)
    width = max(map(len, report.rows))
    typer.echo("rows per table:")
    for table, count in report.rows.items():
        typer.echo(f"  {table:<{width}}  {count:>5}")
    typer.echo(f"checks passed: {len(report.checks)} ({'; '.join(report.checks)})")
    if report.db_path:
        typer.echo(f"database: {os.path.relpath(report.db_path)}")


@friendly
def recover(package: Optional[Path] = package_option("Project folder")) -> None:
    """Finish the output swap of a build that was killed while it replaced the outputs."""
    from histpack.project.journal import recover as finish

    typer.echo("finished the interrupted swap of the outputs" if finish(project_root(package)) else "nothing to recover")
