"""Validate a data package: Frictionless's standard checks, then ours (quotes against the text,
pages against the page map, EDTF against the derived dates, cross-table rules).

Works on any Frictionless tabular data package; our own checks (`rules.py`) run on packages whose
descriptor says they are histpack packages.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def line(self) -> str:
        return f"{self.where}: {self.message}"


class PackageError(Exception):
    """The package cannot be read at all (no descriptor, unsafe path …)."""


def _unsafe(path_value, root: Path) -> str | None:
    if not isinstance(path_value, str) or not path_value:
        return "is not a relative file path"
    if "://" in path_value or path_value.startswith(("http:", "https:", "ftp:", "file:", "data:")):
        return "is a URL; only files inside the package folder are read"
    if os.path.isabs(path_value) or path_value.startswith(("/", "\\")):
        return "is an absolute path; only files inside the package folder are read"
    if ".." in Path(path_value).parts:
        return "leaves the package folder ('..')"
    resolved = (root / path_value).resolve()
    if not resolved.is_relative_to(root.resolve()):
        return "leaves the package folder (through a symbolic link)"
    return None


def read_descriptor(package: Path) -> tuple[Path, dict]:
    """The descriptor, after refusing any path that would read outside the package folder."""
    descriptor_path = package / "datapackage.json" if package.is_dir() else package
    root = descriptor_path.parent
    if not descriptor_path.is_file():
        raise PackageError(f"{descriptor_path}: no datapackage.json here — build the package first (`histpack build`)")
    text = descriptor_path.read_text(encoding="utf-8")
    if not text.strip():
        raise PackageError(f"{descriptor_path}: datapackage.json is empty — rebuild it (`histpack build`)")
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PackageError(f"{descriptor_path}:{exc.lineno}: datapackage.json is not valid JSON ({exc.msg})") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise PackageError(f"{descriptor_path}: not a data package descriptor (no `resources` list)")
    for i, resource in enumerate(descriptor["resources"]):
        name = resource.get("name", f"#{i + 1}") if isinstance(resource, dict) else f"#{i + 1}"
        paths = resource.get("path") if isinstance(resource, dict) else None
        for value in (paths if isinstance(paths, list) else [paths]):
            reason = _unsafe(value, root)
            if reason:
                raise PackageError(f"{descriptor_path}: resource `{name}`: path {value!r} {reason}; refused before reading")
        schema = resource.get("schema") if isinstance(resource, dict) else None
        if isinstance(schema, str):
            reason = _unsafe(schema, root)
            if reason:
                raise PackageError(f"{descriptor_path}: resource `{name}`: schema {schema!r} {reason}; refused before reading")
    return descriptor_path, descriptor


CHANGED = "the file is not the one the descriptor describes"
_HEADER_ERRORS = {"blank-header", "duplicate-label", "missing-label", "extra-label", "blank-label",
                  "incorrect-label", "header-error", "label-error"}
_ROW_ORDER = ("missing-cell", "extra-cell", "blank-row", "type-error", "constraint-error", "primary-key",
              "unique-error", "foreign-key")
MAX_ROWS_PER_RESOURCE = 10


def file_problems(descriptor_path: Path, descriptor: dict) -> tuple[list[Problem], set[str]]:
    """What is wrong with each resource's file as a file: missing, empty, not UTF-8, or not the bytes
    the descriptor's `bytes`/`hash` promise. Returns the problems and the resources that cannot be read."""
    root = descriptor_path.parent
    problems, unreadable = [], set()
    for resource in descriptor["resources"]:
        if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
            continue
        name, path = resource.get("name"), resource["path"]
        target = root / path
        if not target.is_file():
            problems.append(Problem(path, "the file is missing — restore it, or rebuild the package (`histpack build`)"))
            unreadable.add(name)
            continue
        data = target.read_bytes()
        changed = []
        if isinstance(resource.get("bytes"), int) and resource["bytes"] != len(data):
            changed.append(f"{len(data)} bytes, the descriptor says {resource['bytes']}")
        expected = resource.get("hash")
        if isinstance(expected, str) and expected:
            algorithm, _, digest = expected.rpartition(":")
            algorithm = algorithm or "md5"
            if algorithm in hashlib.algorithms_guaranteed:
                actual = hashlib.new(algorithm, data).hexdigest()
                if actual != digest.lower():
                    changed.append(f"{algorithm} {actual[:12]}…, the descriptor says {digest[:12]}…")
        if changed:
            problems.append(Problem(path, CHANGED + " (" + "; ".join(changed) + "): it was edited or damaged "
                                    "after the build — restore it, or change the annotations and rebuild "
                                    "(`histpack build`)"))
        if not data.strip():
            problems.append(Problem(path, "the file is empty (not even a header row) — restore it or rebuild"))
            unreadable.add(name)
            continue
        if str(resource.get("encoding", "utf-8")).lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig"):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                problems.append(Problem(f"{path}: row {line}", "the file is not UTF-8 — save it as UTF-8"))
                unreadable.add(name)
    return problems, unreadable


def _cell_message(error) -> str:
    column = getattr(error, "field_name", None)
    cell = getattr(error, "cell", None)
    kind = error.type
    if kind == "missing-cell":
        return f"column `{column}` is missing (the row has fewer cells than the header: cut short?)"
    if kind == "extra-cell":
        return f"an extra cell {cell!r} beyond the header's columns"
    if kind == "type-error":
        return f"column `{column}`: {cell!r} is not a valid {error.note.removeprefix('type is ').strip(chr(34)).split('/')[0]}"
    if kind == "constraint-error":
        return f"column `{column}`: {cell!r} breaks the constraint {error.note.removeprefix('constraint ')}"
    if kind == "primary-key":
        return f"duplicate primary key: {error.note}"
    if kind == "foreign-key":
        return f"dangling foreign key: {error.note}"
    return f"{kind}: {error.note or error.message}"


def frictionless_problems(descriptor_path: Path, skip: set[str] = frozenset()) -> tuple[list[Problem], set[str]]:
    """Frictionless's findings, one line per problem: a bad header is one line for its file, a bad row one
    line for that row, and nothing is reported twice or as a consequence of another problem (rows of a
    file whose header is wrong, foreign keys into a file that cannot be read). Returns the problems and
    the resources whose rows cannot be trusted."""
    from frictionless import Package, system

    problems = []
    with system.use_context(trusted=False):
        package = Package(str(descriptor_path))
        report = package.validate()
    for error in report.errors:
        problems.append(Problem(descriptor_path.name, error.message))
    broken = set(skip)
    for task in report.tasks:
        if any(e.type in _HEADER_ERRORS for e in task.errors):
            broken.add(task.name)
    for task in report.tasks:
        place = task.place or task.name
        if task.name in skip:
            continue
        if task.name in broken:
            labels = next((getattr(e, "labels", None) for e in task.errors if e.type in _HEADER_ERRORS), None)
            expected = package.get_resource(task.name).schema.field_names
            got = list(labels or [])
            missing = [n for n in expected if n not in got]
            extra = [n for n in got if n not in expected]
            detail = "; ".join(part for part in (
                f"missing column {', '.join(f'`{n}`' for n in missing)}" if missing else "",
                f"extra column {', '.join(f'`{n}`' for n in extra)}" if extra else "",
                "columns in another order" if not missing and not extra else "") if part)
            problems.append(Problem(f"{place}: row 1", f"the header row does not match the schema ({detail}); "
                                    f"expected: {', '.join(expected)} — restore the file or rebuild"))
            continue
        rows: dict[int, list] = {}
        for error in task.errors:
            if error.type in ("hash-count", "byte-count"):
                continue  # file_problems reports these, once per file
            if error.type == "foreign-key" and getattr(error, "reference_name", None) in broken:
                continue  # a consequence of the unreadable table, already reported
            row = getattr(error, "row_number", None)
            if row:
                rows.setdefault(row, []).append(error)
            else:
                problems.append(Problem(place, f"{error.type}: {error.note or error.message}"))
        for number, (row, errors) in enumerate(sorted(rows.items())):
            if number == MAX_ROWS_PER_RESOURCE:
                problems.append(Problem(place, f"… and {len(rows) - number} more rows with problems"))
                break
            errors.sort(key=lambda e: _ROW_ORDER.index(e.type) if e.type in _ROW_ORDER else len(_ROW_ORDER))
            more = f" (and {len(errors) - 1} more in this row)" if len(errors) > 1 else ""
            problems.append(Problem(f"{place}: row {row}", _cell_message(errors[0]) + more))
    return problems, broken


def project_checks(descriptor_path: Path, descriptor: dict) -> list[Problem]:
    """Our own rules (`rules.py`) on the package's tables, loaded in an in-memory DuckDB. A package
    DuckDB cannot load (its rows break the schema) is left to the problems already reported."""
    from .rules import is_histpack_package, project_problems

    if not is_histpack_package(descriptor):
        return []
    import duckdb

    from .duck import _create

    con = duckdb.connect()
    try:
        try:
            _create(con, descriptor_path.parent, descriptor)
        except duckdb.Error:
            return []
        return project_problems(con, descriptor, descriptor_path.parent)
    finally:
        con.close()


def validate_package(package: Path) -> list[Problem]:
    """All problems of the package at `package` (a folder or its datapackage.json); empty if valid.

    One line per problem: a problem our own checks find again (the same file and row) or that follows
    from another (rows of an unreadable file) is not reported twice."""
    descriptor_path, descriptor = read_descriptor(Path(package))
    files, unreadable = file_problems(descriptor_path, descriptor)
    if unreadable:  # whatever else frictionless finds would follow from the files it cannot read
        return _one_line_per_problem(files)
    standard, broken = frictionless_problems(descriptor_path, unreadable)
    problems = files + standard
    if not broken:
        seen = {p.where for p in problems}
        problems += [p for p in project_checks(descriptor_path, descriptor) if p.where not in seen]
    return _one_line_per_problem(problems)


def _one_line_per_problem(problems: list[Problem]) -> list[Problem]:
    """A changed file that also has a precise problem (a bad row, a bad header) is reported by that
    problem alone, which then says the file was changed: one problem, one line."""
    changed = {p.where for p in problems if p.message.startswith(CHANGED)}
    specific = {p.where.split(": row ")[0] for p in problems if not p.message.startswith(CHANGED)}
    out = []
    for p in problems:
        file = p.where.split(": row ")[0]
        if p.message.startswith(CHANGED) and file in specific:
            continue
        if file in changed and not p.message.startswith(CHANGED) and " — " not in p.message:
            p = Problem(p.where, p.message + " — the file was changed after the build: restore it or rebuild")
        out.append(p)
    return out
