"""`histpack`: the command line, a thin shell over the Python API. One module per group of commands
(`build`, `validate`, `query`, `read`, `publish`); the options they share, and the one way a failure
reaches the terminal, are in `common`."""

from __future__ import annotations

import typer

from histpack.cli import build, publish, query, read, release, validate
from histpack.cli.common import PACKAGE_ENV  # noqa: F401 - the environment variable naming the package

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Build, validate, load and query a histpack data package.")

COMMANDS = (build.build, validate.validate, validate.load, query.query, query.describe, read.coverage, read.compare,
            publish.cite, read.timeline, publish.site, publish.codebook, publish.export, release.release, release.diff,
            release.verify_text, build.recover)
for command in COMMANDS:
    app.command()(command)


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


def main() -> None:
    """Entry point (`histpack.cli.console:main` catches interrupts even while this module imports)."""
    from histpack.cli.render import fit_encoding
    from histpack.project.interrupts import install

    install()
    fit_encoding()  # a Latin-1 or ASCII terminal: what it can show, never an encoding error
    app()


if __name__ == "__main__":
    main()
