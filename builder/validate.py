"""Validate a data package: Frictionless's standard checks, then ours (quotes against the text,
pages against the page map, EDTF against the derived dates, cross-table rules).

Works on any Frictionless tabular data package; our own checks run where our tables are.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from . import models as m
from .dates import DateError, derive_dates
from .resolve import Resolution, check_references


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


def frictionless_problems(descriptor_path: Path) -> list[Problem]:
    from frictionless import Package, system

    problems = []
    with system.use_context(trusted=False):
        report = Package(str(descriptor_path)).validate()
    for error in report.errors:
        problems.append(Problem(descriptor_path.name, error.message))
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            where = f"{task.place or task.name}" + (f": row {row}" if row else "")
            problems.append(Problem(where, f"{error.type}: {error.note or error.message}"))
    return problems


def _read_rows(root: Path, resource: dict) -> list[dict]:
    with open(root / resource["path"], encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def own_problems(descriptor_path: Path, descriptor: dict) -> list[Problem]:
    """Our checks, for packages that hold our tables."""
    root = descriptor_path.parent
    resources = {r.get("name"): r for r in descriptor["resources"]}
    if not {"quotes", "paragraphs", "page_spans"} <= set(resources):
        return []
    problems: list[Problem] = []
    raw: dict[str, list[dict]] = {}
    for name, model in m.BY_TABLE.items():
        if name in resources:
            raw[name] = _read_rows(root, resources[name])
    models: dict[str, list[m.Row]] = {}
    where: dict[tuple, str] = {}
    for name, rows in raw.items():
        model = m.BY_TABLE[name]
        built = []
        for number, row in enumerate(rows, start=2):
            values = {k: (v if v != "" else None) for k, v in row.items() if k is not None}
            if model is m.Quote:
                values["prefix"] = values.get("prefix") or ""
                values["suffix"] = values.get("suffix") or ""
            try:
                obj = model(**values)
            except ValidationError as exc:
                first = exc.errors()[0]
                problems.append(Problem(f"data/{name}.csv: row {number}",
                                        f"{'.'.join(map(str, first['loc']))}: {first['msg']}"))
                continue
            built.append(obj)
            where[(name, tuple(getattr(obj, k) for k in model.table.primary_key))] = f"data/{name}.csv: row {number}"
        models[name] = built

    texts: dict[str, str] = {}
    for source_id in sorted({p.source_id for p in models.get("paragraphs", [])}):
        paras = sorted((p for p in models["paragraphs"] if p.source_id == source_id), key=lambda p: p.seq)
        texts[source_id] = "\n\n".join(p.text for p in paras)
        offset = 0
        for p in paras:
            if (p.char_start, p.char_end) != (offset, offset + len(p.text)):
                problems.append(Problem(where[("paragraphs", (p.paragraph_id,))],
                                        f"paragraph offsets {p.char_start}-{p.char_end} do not follow from the text"))
            offset += len(p.text) + 2
    spans: dict[str, list] = {}
    for s in models.get("page_spans", []):
        spans.setdefault(s.source_id, []).append(s)

    def page_of(source_id: str, offset: int) -> int | None:
        for s in spans.get(source_id, []):
            if s.char_start <= offset < s.char_end:
                return s.page
        return None

    for q in models.get("quotes", []):
        at = where[("quotes", (q.quote_id,))]
        text = texts.get(q.source_id, "")
        if text[q.char_start:q.char_end] != q.text:
            problems.append(Problem(at, f"quote `{q.quote_id}`: text differs from the canonical text at "
                                        f"{q.char_start}-{q.char_end}"))
            continue
        pages = (page_of(q.source_id, q.char_start), page_of(q.source_id, q.char_end - 1))
        if pages != (q.page_start, q.page_end):
            problems.append(Problem(at, f"quote `{q.quote_id}`: pages {q.page_start}-{q.page_end} but the page map "
                                        f"gives {pages[0]}-{pages[1]}"))
        if not text[:q.char_start].endswith(q.prefix) or not text[q.char_end:].startswith(q.suffix):
            problems.append(Problem(at, f"quote `{q.quote_id}`: prefix/suffix do not match the text around it"))
    for c in models.get("citations", []):
        at = where[("citations", (c.citation_id,))]
        sid = next(iter(texts), None)
        if sid and texts[sid][c.char_start:c.char_end] != c.cited_as:
            problems.append(Problem(at, f"citation `{c.citation_id}`: cited_as differs from the text at its offsets"))
        elif sid and page_of(sid, c.char_start) != c.page:
            problems.append(Problem(at, f"citation `{c.citation_id}`: page {c.page} but the page map gives "
                                        f"{page_of(sid, c.char_start)}"))

    for name in ("events", "phases", "purges", "rhetoric", "regimes"):
        column, targets = ("period_edtf", ("period_start", "period_end")) if name == "regimes" else \
            ("date_edtf", ("date_start", "date_end", "date_precision"))
        for row in models.get(name, []):
            value = getattr(row, column)
            if value is None:
                continue
            pk = tuple(getattr(row, k) for k in row.table.primary_key)
            at = where[(name, pk)]
            try:
                derived = derive_dates(value)
            except DateError as exc:
                problems.append(Problem(at, f"`{column}`: {exc}"))
                continue
            expected = (derived.start, derived.end, derived.precision)[: len(targets)]
            got = tuple(getattr(row, t) for t in targets)
            if got != expected:
                problems.append(Problem(at, f"{', '.join(targets)} {tuple(map(str, got))} do not agree with "
                                            f"{column} {value!r} {tuple(map(str, expected))}"))

    resolution = Resolution(models, {k: v for k, v in where.items()})
    for error in check_references(resolution):
        problems.append(Problem(error.where, error.message))
    return problems


def validate_package(package: Path) -> list[Problem]:
    """All problems of the package at `package` (a folder or its datapackage.json); empty if valid."""
    descriptor_path, descriptor = read_descriptor(Path(package))
    return frictionless_problems(descriptor_path) + own_problems(descriptor_path, descriptor)
