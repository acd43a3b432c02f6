"""Read the hand-written YAML annotations, keeping the file and line of every row."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import BuildError


@dataclass(frozen=True)
class RawRow:
    """One annotation row as typed, with where it was typed."""

    table: str
    values: dict
    file: str
    line: int
    source_id: str | None = None  # the essay the row's quotes are in, when a file names one

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


class _LocatedLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe loader whose mappings remember their line and refuse duplicate keys (libyaml's parser
    where PyYAML has it: the pure-Python one took a quarter of a build)."""


class LocatedDict(dict):
    line: int = 0


def _construct_mapping(loader: _LocatedLoader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first given above)", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_LocatedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay strings: an EDTF date is not a Python date, and `1930` must not become an int silently.
_LocatedLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_annotation_file(path: Path, display: str, tables: set[str]) -> list[RawRow]:
    """All rows of one file: a mapping of table name → list of rows."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BuildError(f"{display}:{line}", "the file is not UTF-8", "save it as UTF-8") from None
    text = text.replace("\r\n", "\n")
    try:
        document = yaml.load(text, Loader=_LocatedLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or str(exc)
        if exc.context and exc.context_mark and mark and exc.context_mark.line != mark.line:
            problem += f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise BuildError(f"{display}:{line}", f"YAML syntax error: {problem}", "fix the YAML at that line") from None
    if document is None:
        raise BuildError(f"{display}:1", "the file is empty", "add rows (`table:` then a list of rows) or delete the file")
    if not isinstance(document, dict):
        raise BuildError(f"{display}:1", "the file must be a mapping of table names to lists of rows")
    rows = []
    source_id = document.pop("source", None)
    for table, items in document.items():
        line = getattr(document, "line", 1)
        if table not in tables:
            import difflib
            near = difflib.get_close_matches(str(table), sorted(tables), n=1)
            hint = f"did you mean `{near[0]}`?" if near else f"tables: {', '.join(sorted(tables))}"
            raise BuildError(f"{display}:{_key_line(text, table)}", f"unknown table `{table}`", hint)
        if not isinstance(items, list):
            raise BuildError(f"{display}:{_key_line(text, table)}", f"`{table}` must be a list of rows (each starting with `- `)")
        for item in items:
            if not isinstance(item, dict):
                raise BuildError(f"{display}:{line}", f"a row of `{table}` is not a mapping of column: value")
            odd = next((k for k in item if not isinstance(k, str)), None)
            if odd is not None:
                raise BuildError(f"{display}:{getattr(item, 'line', line)}", f"a row of `{table}` has the column "
                                 f"name {odd!r}, which is not a word", "column names are words such as `name:`")
            rows.append(RawRow(table, dict(item), display, getattr(item, "line", line), source_id))
    return rows


def _key_line(text: str, key: str) -> int:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith(f"{key}:"):
            return number
    return 1


def read_annotations(directory: Path, root: Path, tables: set[str]) -> list[RawRow]:
    """Every `*.yaml` under `directory`, in name order, so builds do not depend on the file system."""
    rows: list[RawRow] = []
    for path in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml")):
        rows.extend(read_annotation_file(path, _display(path, root), tables))
    return rows


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
