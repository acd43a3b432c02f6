"""What every command shares: the options declared once, where the package is, and the one way an
expected failure reaches the terminal (one line per finding, exit status 1, never a traceback)."""

from __future__ import annotations

import functools
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from histpack.project.errors import BuildError, HistpackError
from histpack.project.layout import find_root

PACKAGE_ENV = "HISTPACK_PACKAGE"


def package_option(what: str = "Package folder or datapackage.json"):
    return typer.Option(None, "--package", envvar=PACKAGE_ENV, metavar="PATH", show_envvar=True,
                        help=f"{what} (default: the project around the working directory).")


def source_option(what: str):
    return typer.Option(None, "--source", metavar="SOURCE_ID", help=what)


def db_option(what: str = "Database to read (default: built on the fly)."):
    return typer.Option(None, "--db", help=what)


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class Engine(str, Enum):
    duckdb = "duckdb"
    frictionless = "frictionless"


def engine_option(what: str):
    return typer.Option(Engine.duckdb, "--engine", help=what)


# --- where the package is ------------------------------------------------------------------------

def locate(package: Optional[Path]) -> Path:
    """`--package`, else $HISTPACK_PACKAGE (typer reads it), else the project around the working directory."""
    if package is not None:
        return package
    try:
        return find_root()
    except BuildError as exc:
        if not exc.message.startswith("not inside a histpack project"):
            raise
        raise BuildError(exc.finding.with_hint(f"give --package PATH or set {PACKAGE_ENV}")) from None


def package_path(package: Optional[Path]) -> Path:
    """The package a command reads (`locate`); refused while a build's output swap there is unfinished
    (`histpack build` or `histpack recover` finish it): a read never renames a file."""
    from histpack.project.journal import refuse_unfinished

    package = locate(package)
    refuse_unfinished(package if package.is_dir() else package.parent)
    return package


def project_root(package: Optional[Path]) -> Path:
    """The project (sources/ and annotations/) at or above `--package` / $HISTPACK_PACKAGE / here."""
    return find_root(locate(package))


def guard(package: Optional[Path]):
    """What no output may replace: the package's files and its project's inputs (or the project's
    around the working directory)."""
    from histpack.db.paths import protected

    try:
        return protected(locate(package))
    except BuildError:
        return protected()


def require_valid(package: Path) -> None:
    """Load only a valid package: a broken one fails here, one line per problem, nothing written."""
    from histpack.checks.validate import validate_package

    problems = validate_package(package)
    if problems:
        fail([p.text() for p in problems])


def read_only_connection(db: Optional[Path], package: Optional[Path] = None):
    """A read-only connection: to `db`, or to the package's cached database (`histpack.db.cache`)."""
    from histpack.db.cache import cached_database
    from histpack.db.query import connect_read_only

    if db is not None:
        from histpack.db.paths import database_to_read

        return connect_read_only(database_to_read(db))
    return connect_read_only(cached_database(package_path(package), require_valid))


def check_source(con, source: str | None) -> None:
    """`--source` names an analysed source of the package, or the command stops with the valid ids."""
    if source is None:
        return
    analyzed = [r[0] for r in con.execute("select source_id from sources where cast(role as varchar) = 'analyzed' "
                                          "order by source_id").fetchall()]
    if source not in analyzed:
        raise BuildError(f"--source {source}", "names no analysed source of the package",
                         f"analysed sources: {', '.join(analyzed)}")


# --- what reaches the terminal -------------------------------------------------------------------

def to_stderr(line: str) -> None:
    """One line on stderr, in what its encoding can show (click would re-encode an ASCII stream as UTF-8)."""
    stream = sys.stderr
    if not (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-").startswith("utf"):
        from histpack.cli.render import fit_encoding

        fit_encoding(stream)
        stream.write(line + "\n")
        stream.flush()
        return
    typer.echo(line, err=True)


def fail(lines: list[str]) -> None:
    for line in lines:
        to_stderr(f"error: {line}")
    raise typer.Exit(1)


def notes(found: list[str]) -> None:
    """What the engine could not check, one line each: nothing is skipped silently."""
    for note in dict.fromkeys(found):
        to_stderr(f"note: {note}")


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
            fail(exc.lines())
        except duckdb.Error as exc:
            from histpack.project.interrupts import reraise

            reraise(exc)
            # In full: DuckDB's hints ("Did you mean …", "Candidate bindings: …", the caret) follow the first line.
            first, *rest = [line for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
            typer.echo(f"error: DuckDB: {first}", err=True)
            for line in rest:
                typer.echo(f"  {line}", err=True)
            raise typer.Exit(1)
        except RecursionError:
            fail(["input nested too deeply to read — simplify it"])
        except Exception as exc:  # noqa: BLE001 - the promise is: no traceback
            from histpack.project.interrupts import reraise

            reraise(exc)  # a signal that stopped a DuckDB statement is an interruption (exit 130/143)
            if os.environ.get("HISTPACK_DEBUG"):
                raise
            detail = " ".join(str(exc).split())[:200]
            fail([f"internal error ({type(exc).__name__}): {detail} — rerun with HISTPACK_DEBUG=1 and report it"])

    return wrapper
