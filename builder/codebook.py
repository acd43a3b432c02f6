"""CODEBOOK.md: what every table, column and closed-vocabulary value means.

Rendered from the models (`models.MODELS`, `schema.columns`, `schema.table_schema`, the
models' `vocabularies`) and the views' comments; only the package's name, version and row
counts are read from a built package. `histpack build` rewrites it; `histpack codebook --check`
says whether the committed file is current.
"""

from __future__ import annotations

from pathlib import Path

from . import models as m
from .cite import Package
from .schema import columns, table_schema
from .views import VIEW_COMMENTS

FILENAME = "CODEBOOK.md"


def _md(text: str) -> str:
    """A value for a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    text = str(text)
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{_md(text)}{pad}{fence}"


def _constraints(field: dict) -> str:
    c = field.get("constraints", {})
    parts = []
    if "pattern" in c:
        parts.append(f"pattern {_code(c['pattern'])}")
    if "enum" in c:
        parts.append("one of the values below")
    for key, label in (("minimum", "≥"), ("maximum", "≤")):
        if key in c:
            parts.append(f"{label} {c[key]}")
    if c.get("minLength") == 1:
        parts.append("not empty")
    elif "minLength" in c:
        parts.append(f"at least {c['minLength']} characters")
    if "maxLength" in c:
        parts.append(f"at most {c['maxLength']} characters")
    if field.get("type") == "date":
        parts.append("ISO date (YYYY-MM-DD)")
    return "; ".join(parts)


def row_counts(pkg: Package) -> dict[str, int]:
    return {model.table.name: len(pkg.rows(model.table.name)) for model in m.MODELS}


def render(pkg: Package) -> str:
    d = pkg.descriptor
    counts = row_counts(pkg)
    out = [
        f"# Codebook: {d['name']} {d.get('version', '')}".rstrip(),
        "",
        "<!-- Generated from builder/models.py by `histpack codebook` (and `histpack build`); do not edit. -->",
        "",
        f"{d.get('title', '')}.",
        "",
        d.get("description", ""),
        "",
        "Every analytic row names its evidence (`quote_id`), a verbatim passage of the essay with its printed "
        "page. Empty cells are missing values (unknown, or not given by the essay); nothing is invented.",
        "",
        "## Tables",
        "",
        "| table | rows | primary key | purpose |",
        "|---|---:|---|---|",
    ]
    for model in m.MODELS:
        t = model.table
        out.append(f"| [`{t.name}`](#{t.name}) | {counts[t.name]} | "
                   f"{', '.join(map(_code, t.primary_key))} | {_md(t.description)} |")
    out.append("")
    rights = {r["name"]: r.get("rights") for r in d.get("resources", [])}
    for model in m.MODELS:
        out += _table_section(model, counts[model.table.name], rights.get(model.table.name))
    out += ["## Views", "",
            "Created by `histpack load` / `histpack build` in the DuckDB database (not part of the CSV package).", "",
            "| view | what it shows |", "|---|---|"]
    out += [f"| `{name}` | {_md(comment)} |" for name, comment in VIEW_COMMENTS.items()]
    out.append("")
    return "\n".join(out)


def _table_section(model: type[m.Row], count: int, rights: str | None) -> list[str]:
    t = model.table
    schema = table_schema(model)
    fields = {f["name"]: f for f in schema["fields"]}
    out = [f"## {t.name}", "", f"**{t.title}.** {t.description}", "",
           f"- Rows: {count}",
           f"- Primary key: {', '.join(map(_code, t.primary_key))}"]
    if t.foreign_keys:
        links = [f"{_code(col)} → `{target}.{m.BY_TABLE[target].table.primary_key[0]}`"
                 for col, target in t.foreign_keys.items()]
        out.append(f"- Foreign keys: {'; '.join(links)}")
    else:
        out.append("- Foreign keys: none")
    if t.derived:
        out.append(f"- Computed by the builder (never typed): {', '.join(map(_code, t.derived))}")
    if rights:
        out.append(f"- Rights: {rights}")
    out += ["", "| column | type | required | constraints | description |", "|---|---|---|---|---|"]
    for col in columns(model):
        field = fields[col.name]
        required = "yes" if field.get("constraints", {}).get("required") else "no"
        out.append(f"| {_code(col.name)} | {field['type']} | {required} | {_constraints(field)} | "
                   f"{_md(col.description)} |")
    out.append("")
    for col in columns(model):
        if not col.enum:
            continue
        meanings = model.vocabularies.get(col.name, {})
        out += [f"Values of {_code(col.name)}:", "", "| value | meaning |", "|---|---|"]
        out += [f"| {_code(value)} | {_md(meanings.get(value, ''))} |" for value in col.enum]
        out.append("")
    return out


def write(pkg: Package, target: Path) -> Path:
    target.write_text(render(pkg), encoding="utf-8", newline="\n")
    return target


def is_current(pkg: Package, target: Path) -> bool:
    return target.is_file() and target.read_text(encoding="utf-8") == render(pkg)
