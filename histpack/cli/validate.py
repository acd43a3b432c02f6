"""`histpack validate` and `histpack load`: any tabular data package, checked, and loaded into DuckDB."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from histpack.cli.common import Engine, engine_option, fail, friendly, notes, package_option, package_path
from histpack.project.layout import DEFAULT_DB, find_root


def _path_argument(what: str):
    return typer.Argument(None, metavar="[PACKAGE]", help=what)


@friendly
def validate(path: Optional[Path] = _path_argument("Package folder or datapackage.json (default: the project)."),
             package: Optional[Path] = package_option(),
             engine: Engine = engine_option("duckdb (histpack's engine) or frictionless (the reference "
                                            "implementation, to cross-check).")) -> None:
    """Table Schema checks of any tabular data package, plus ours (quotes, pages, EDTF, cross-table rules)."""
    from histpack.checks.validate import validate_package

    found: list[str] = []
    problems = validate_package(package_path(path or package), found, engine=engine.value)
    notes(found)
    if problems:
        fail([p.text() for p in problems])
    typer.echo(f"valid: {'frictionless' if engine == Engine.frictionless else 'Table Schema'} and histpack checks passed")


@friendly
def load(path: Optional[Path] = _path_argument("Package folder or datapackage.json."),
         db: Path = typer.Option(DEFAULT_DB, help="DuckDB file to create ({name}: the package's name)."),
         package: Optional[Path] = package_option(),
         engine: Engine = engine_option("duckdb, or frictionless to validate with the reference implementation "
                                        "first.")) -> None:
    """Create a typed DuckDB database from a data package (validated first; nothing written if invalid).
    An existing database at --db is replaced, and the command says so; any other file there is refused."""
    from histpack.checks.validate import validate_package
    from histpack.db.loader import validate_and_load
    from histpack.db.paths import database_path, database_target

    given = path or package
    root = package_path(given)
    target = database_path(db, root)
    target = target if given is not None or target.is_absolute() else find_root() / target
    database_target(target, root)
    if engine == Engine.frictionless:
        problems = validate_package(root, engine="frictionless")
        if problems:
            fail([p.text() for p in problems])
    replacing = target.is_file()
    problems, found = validate_and_load(root, target)
    notes(found)
    if problems:
        fail([p.text() for p in problems])
    typer.echo(f"loaded {os.path.relpath(target)}" + (" (replaced the database that was there)" if replacing else ""))
