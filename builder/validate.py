"""Validate a data package: the Table Schema checks of the generic engine (`builder.engine`, columnar
DuckDB work), then ours (quotes against the text, pages against the page map, EDTF against the derived
dates, cross-table rules).

Works on any Frictionless tabular data package; our own checks run where our tables are.
Frictionless itself checks only the descriptor (offline), or everything with `engine="frictionless"`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pydantic import ValidationError

from . import models as m
from .dates import DateError, derive_dates
from .engine.reader import PackageError, read_descriptor, read_package  # noqa: F401 - re-exported
from .engine.report import CHANGED, Problem  # noqa: F401 - re-exported
from .resolve import Resolution, check_references


def descriptor_problems(descriptor_path: Path, descriptor: dict) -> list[Problem]:
    """Frictionless's profile and metadata checks of the descriptor alone: offline, no file is read."""
    from frictionless import Package, system

    with system.use_context(trusted=False):
        report = Package.validate_descriptor(descriptor, basepath=str(descriptor_path.parent))
    return [Problem(descriptor_path.name, error.message) for error in report.errors]


def engine_problems(package: Path, con=None):
    """The Table Schema problems of every resource, and the engine's result (its DuckDB connection holds
    the typed rows, `__typed_N`, for loading) — or None when the descriptor itself is wrong."""
    from .engine.check import check_package
    from .engine.report import problems as report

    pkg = read_package(Path(package))
    metadata = descriptor_problems(pkg.descriptor_path, pkg.descriptor)
    if metadata:
        return metadata, set(), None
    checked = check_package(pkg, con)
    problems, broken = report(checked)
    return problems, broken, checked


def frictionless_problems(descriptor_path: Path) -> list[Problem]:
    """The reference implementation's findings (`--engine frictionless`), one line per error."""
    from frictionless import Package, system

    with system.use_context(trusted=False):
        report = Package(str(descriptor_path)).validate()
    out = [Problem(descriptor_path.name, error.message) for error in report.errors]
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            where = f"{task.place}: row {row}" if row else task.place
            out.append(Problem(where, f"{error.type}: {error.note or error.message}"))
    return out


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
    for name in m.BY_TABLE:
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

    if any(len(models[name]) < len(rows) for name, rows in raw.items()):
        return problems  # cross-table checks on a table with rows left out would report consequences
    resolution = Resolution(models, {k: v for k, v in where.items()})
    for error in check_references(resolution):
        problems.append(Problem(error.where, error.message))
    return problems


def check(package: Path, con=None, engine: str = "duckdb"):
    """(problems, the engine's result or None, notes): the engine's result keeps its DuckDB connection,
    with the typed rows of every resource, for `builder.duck` to load without reading the CSVs again."""
    descriptor_path, descriptor = read_descriptor(Path(package))
    if engine == "frictionless":
        return frictionless_problems(descriptor_path), None, []
    problems, broken, checked = engine_problems(descriptor_path, con)
    if checked is None:
        return problems, None, []
    if not broken and not any(p.where == descriptor_path.name for p in problems):
        seen = {p.where for p in problems}
        problems += [p for p in own_problems(descriptor_path, descriptor) if p.where not in seen]
    return _one_line_per_problem(problems), checked, checked.notes


def validate_package(package: Path, notes: list[str] | None = None, engine: str = "duckdb") -> list[Problem]:
    """All problems of the package at `package` (a folder or its datapackage.json); empty if valid.

    One line per problem: a problem our own checks find again (the same file and row) or that follows
    from another (rows of an unreadable file) is not reported twice. What the engine does not check
    (an unsupported option) is added to `notes`."""
    problems, checked, found_notes = check(package, engine=engine)
    if checked is not None:
        checked.close()
        checked.con.close()
    if notes is not None:
        notes.extend(found_notes)
    return problems


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
