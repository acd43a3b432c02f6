"""Where a project is and where its outputs go: what the command line needs before it imports the
pipeline (so `histpack --help` stays instant)."""

from __future__ import annotations

from pathlib import Path

from .errors import BuildError

DEFAULT_DB = Path("build/thom2015.duckdb")
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
                from .build import recover

                recover(candidate)
            return candidate
    raise BuildError(str(here), "not inside a histpack project (no sources/ and annotations/ folders)",
                     "run the command from the repository")
