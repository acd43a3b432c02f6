"""Where a project is and what belongs to it: its inputs, the package it generates, the cache.

Finding a project only finds it: nothing here reads its files or changes them (an interrupted output
swap is `journal`'s business, run by the commands that write).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from histpack.project.errors import BuildError

INPUT_DIRS = ("sources", "annotations")
INPUT_FILES = ("histpack.yaml",)
GENERATED_DIRS = ("data", "schemas")
FIXED_OUTPUTS = ("datapackage.json", "CODEBOOK.md", "CITATION.cff", "load.sql")
CACHE_ENV = "HISTPACK_CACHE_DIR"
DEFAULT_DB = Path("build/{name}.duckdb")  # `{name}`: the project's `name` in histpack.yaml (`db.paths.database_path`)


@dataclass(frozen=True)
class Project:
    """A project folder: `sources/` and `annotations/` in, the package (`data/`, `schemas/`,
    `datapackage.json` …) out."""

    root: Path

    @property
    def sources(self) -> Path:
        return self.root / "sources"

    @property
    def annotations(self) -> Path:
        return self.root / "annotations"

    def display(self, path: Path) -> str:
        """`path` as messages name it: relative to the project where it lies inside it."""
        return display_path(path, self.root)


def is_project(folder: Path) -> bool:
    return (folder / "sources").is_dir() and (folder / "annotations").is_dir()


def find_root(start: Path | None = None) -> Path:
    """The project folder: the nearest one up from `start` holding `sources/` and `annotations/`."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if is_project(candidate):
            return candidate
    raise BuildError(str(here), "not inside a histpack project (no sources/ and annotations/ folders)",
                     "run the command from the repository")


def display_path(path: Path, root: Path) -> str:
    """`path` relative to `root` when it lies inside it (as typed, else as resolved), else as given."""
    try:
        return str(path.absolute().relative_to(root.absolute()))
    except ValueError:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            return str(path)


def protected_paths(root: Path) -> list[Path]:
    """The project's inputs and package: what no output of a command may be written over or into."""
    root = Path(root)
    return [root / name for name in (*INPUT_DIRS, *GENERATED_DIRS, *INPUT_FILES, *FIXED_OUTPUTS)]


def cache_dir() -> Path:
    """Where databases and descriptor verdicts are cached, outside any package: `$HISTPACK_CACHE_DIR`,
    else `$XDG_CACHE_HOME/histpack`, else `~/.cache/histpack`."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "histpack"
