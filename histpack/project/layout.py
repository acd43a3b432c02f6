"""Where a project is and where its outputs go: what the command line needs before it imports the
pipeline (so `histpack --help` stays instant)."""

from __future__ import annotations

import re
from pathlib import Path

from histpack.project.errors import BuildError

DEFAULT_DB = Path("build/{name}.duckdb")  # `{name}`: the project's `name` in histpack.yaml (`database_path`)
JOURNAL = ".histpack-journal.json"
STAGING_PREFIX = ".staging-"


def find_root(start: Path | None = None) -> Path:
    """The project folder: the nearest one up from `start` holding `sources/` and `annotations/`;
    an unfinished output swap there is finished first (see `build.recover`)."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "sources").is_dir() and (candidate / "annotations").is_dir():
            if (candidate / JOURNAL).exists() or (candidate / f"{JOURNAL}.tmp").exists() \
                    or any(candidate.glob(f"{STAGING_PREFIX}*")):
                from histpack.build.pipeline import recover

                recover(candidate)
            return candidate
    raise BuildError(str(here), "not inside a histpack project (no sources/ and annotations/ folders)",
                     "run the command from the repository")


def database_path(db_path: Path, folder: Path) -> Path:
    """`db_path` with the `DEFAULT_DB` template filled in: `build/<name>.duckdb`, the name from the
    project's `histpack.yaml` (or, for a package folder without one, its `datapackage.json`), so that
    two projects never write the same default database. Any other path is returned as given."""
    if Path(db_path) != DEFAULT_DB:
        return Path(db_path)
    folder = Path(folder)
    folder = folder.parent if folder.is_file() else folder
    if (folder / "histpack.yaml").is_file():
        from histpack.package.files import read_metadata

        name = read_metadata(folder).name
    else:
        from histpack.engine.reader import read_descriptor

        name = str(read_descriptor(folder)[1].get("name") or "")
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
            raise BuildError(str(folder / "datapackage.json"), "the package has no usable `name` to name its database",
                             "give --db PATH")
    return Path(str(DEFAULT_DB).replace("{name}", name))
