"""`histpack release`, `diff` and `verify-text`: a versioned archive that respects each text's rights, what
changed between two versions, and a reader's own copy of a withheld text put back."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from histpack.cli.common import friendly, notes, package_option, package_path, project_root


class DiffFormat(str, Enum):
    text = "text"
    csv = "csv"
    json = "json"


@friendly
def release(dist: Optional[Path] = typer.Option(None, "--dist", help="Folder of the release archives "
                                                "(default: dist/ in the project)."),
            previous: Optional[Path] = typer.Option(None, "--previous", metavar="PATH", help="The previous release "
                                                    "(archive or folder; default: the newest older one in --dist)."),
            package: Optional[Path] = package_option("Project folder")) -> None:
    """Write dist/<name>-<version>.zip from the committed package and its changes into CHANGELOG.md."""
    from histpack.pipeline.release import make_release

    report = make_release(project_root(package), dist, previous)
    notes(report.notes)
    since = f"; changes since {report.diff.old_version}: {report.diff.level}" if report.diff else "; first release"
    typer.echo(f"wrote {os.path.relpath(report.archive)} ({len(report.files)} files{since}) and CHANGELOG.md")


@friendly
def diff(old: Path = typer.Argument(..., help="The older version: a package folder or a release archive (.zip)."),
         new: Optional[Path] = typer.Argument(None, help="The newer version: a package folder or a release archive "
                                              "(default: the package, --package)."),
         format: DiffFormat = typer.Option(DiffFormat.text, "--format", help="text, csv or json."),
         package: Optional[Path] = package_option()) -> None:
    """Rows added, removed and changed (with their columns), table by table, by primary key."""
    from histpack.outputs.diff import diff_packages, render_csv, render_json, render_text

    found = diff_packages(old, new if new is not None else package_path(package))
    render = {DiffFormat.text: render_text, DiffFormat.csv: render_csv, DiffFormat.json: render_json}[format]
    typer.echo(render(found), nl=False)


@friendly
def verify_text(source_id: str = typer.Argument(..., help="The analysed source whose text FILE is."),
                file: Path = typer.Argument(..., help="Your copy: the text as published, or its canonical text."),
                package: Optional[Path] = package_option()) -> None:
    """Check your own copy of a source's text against the package's hashes and restore the withheld text."""
    from histpack.outputs.withhold import restore_text

    restored = restore_text(package_path(package), source_id, file)
    if restored.written:
        typer.echo(f"{file}: {restored.how} of {source_id} (SHA-256 matches); restored {restored.paragraphs} "
                   f"paragraphs: {', '.join(restored.written)}")
    else:
        typer.echo(f"{file}: {restored.how} of {source_id} (SHA-256 matches); the package already holds it whole")
