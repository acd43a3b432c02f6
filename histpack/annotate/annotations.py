"""Read the hand-written YAML annotations, keeping the file and line of every row.

Every file goes through the project's bounded YAML reader (`histpack.project.yaml`), so no file can
make the build hang; each row remembers the file and line where it was typed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from histpack.project.errors import BuildError, echo
from histpack.project.layout import display_path as _display
from histpack.project.yaml import LocatedDict, load_yaml


@dataclass(frozen=True)
class RawRow:
    """One annotation row as typed, with where it was typed."""

    table: str
    values: dict
    file: str
    line: int
    source_id: str | None = None  # the essay the row's quotes are in, when a file names one

    @property
    def at(self) -> tuple[str, int]:
        """The file and line the row was typed at."""
        return self.file, self.line

def read_annotation_file(path: Path, display: str, tables: set[str],
                         source_ids: set[str] | None = None) -> list[RawRow]:
    """All rows of one file: a mapping of table name → list of rows."""
    document = load_yaml(path.read_bytes(), display)
    if document is None:
        raise BuildError.at(display, 1, "the file is empty", "add rows (`table:` then a list of rows) or delete the file")
    if not isinstance(document, dict):
        raise BuildError.at(display, 1, "the file must be a mapping of table names to lists of rows")
    rows = []
    source_id = document.pop("source", None)
    if "source" in document.key_lines:
        _check_source(source_id, source_ids, f"{display}:{document.key_lines['source']}")
    for table, items in document.items():
        at = f"{display}:{document.key_lines.get(table, 1)}"
        if table not in tables:
            near = difflib.get_close_matches(str(table), sorted(tables), n=1)
            hint = f"did you mean `{near[0]}`?" if near else f"tables: {', '.join(sorted(tables))}"
            raise BuildError(at, f"unknown table `{echo(table)[1:-1] if isinstance(table, str) else echo(table)}`",
                             hint)
        if not isinstance(items, list):
            raise BuildError(at, f"`{table}` must be a list of rows (each starting with `- `)")
        lines = getattr(items, "lines", [])
        for index, item in enumerate(items):
            line = lines[index] if index < len(lines) else document.key_lines.get(table, 1)
            if not isinstance(item, dict):
                raise BuildError.at(display, line, f"a row of `{table}` is {echo(item)}, not a mapping of "
                                 f"column: value", "write each row as `- column: value` lines")
            line = getattr(item, "line", line)
            odd = next((k for k in item if not isinstance(k, str)), None)
            if odd is not None:
                raise BuildError.at(display, line, f"a row of `{table}` has the column "
                                 f"name {echo(odd)}, which is not a word", "column names are words such as `name:`")
            _check_bool_words(item, table, display)
            rows.append(RawRow(table, dict(item), display, line, source_id))
    return rows


def _check_source(source_id, source_ids: set[str] | None, where: str) -> None:
    """`source:` is said once per file, so a wrong one is one error here, not one per row."""
    if not isinstance(source_id, str):
        raise BuildError(where, f"`source:` is {echo(source_id)}, not a source_id", "write `source: <source_id>`")
    if source_ids is not None and source_id not in source_ids:
        near = difflib.get_close_matches(source_id, sorted(source_ids), n=1)
        raise BuildError(where, f"`source: {echo(source_id)[1:-1]}` names no essay in sources/",
                         f"did you mean `{near[0]}`?" if near else f"essays: {', '.join(sorted(source_ids))}")


def _check_bool_words(item: LocatedDict, table: str, display: str) -> None:
    """`person_id: no` is read by YAML as false: say so, rather than let it fail as "not a string"."""
    from histpack.model.models import BY_TABLE

    model = BY_TABLE.get(table)
    for key, word in getattr(item, "bool_words", {}).items():
        field = model.model_fields.get(key) if model else None
        if field is None or "bool" in str(field.annotation):
            continue
        raise BuildError.at(display, item.key_lines.get(key, item.line), f"`{key}: {word}`: YAML read `{word}` as {str(item[key]).lower()}, not as the word",
                         f"quote it: `{key}: \"{word}\"`")


VOCABULARIES = "vocabularies.yaml"  # the content vocabularies (`vocabularies.py`), not annotation rows
_DROPPINGS = re.compile(r"^(\.|~\$)|~$|\.(swp|swo|bak|orig|tmp)$")


def annotation_files(directory: Path, root: Path) -> list[Path]:
    """The `*.yaml`/`*.yml` files to read, in name order; editor and OS droppings (`.#x.yaml`,
    `._x.yaml`, `x.yaml~`, hidden files) are skipped, and what cannot be read as a file is an error."""
    paths = []
    for path in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml")):
        if _DROPPINGS.search(path.name) or path.name == VOCABULARIES:
            continue
        display = _display(path, root)
        if path.is_symlink() and not path.exists():
            raise BuildError.at(display, 1, "a symbolic link to nothing", "remove it, or point it at a file")
        if path.is_dir():
            raise BuildError.at(display, 1, "a folder named like an annotation file", "rename it (annotation "
                             "files end in .yaml; folders may not)")
        if not path.is_file():
            raise BuildError.at(display, 1, "not a regular file", "annotation files are plain text files")
        if not path.resolve().is_relative_to(root.resolve()):
            raise BuildError.at(display, 1, "a symbolic link to a file outside the project",
                             "copy the file into annotations/; nothing is read outside the project")
        paths.append(path)
    return paths


def read_annotations(directory: Path, root: Path, tables: set[str],
                     source_ids: set[str] | None = None) -> list[RawRow]:
    """Every annotation file under `directory`, in name order, so builds do not depend on the file system
    (the content vocabularies, `vocabularies.yaml`, are not rows: `histpack.model.models.load_vocabularies`)."""
    rows: list[RawRow] = []
    for path in annotation_files(directory, root):
        rows.extend(read_annotation_file(path, _display(path, root), tables, source_ids))
    return rows

