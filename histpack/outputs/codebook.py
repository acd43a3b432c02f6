"""CODEBOOK.md: what every table, column and closed-vocabulary value means.

Rendered from the models (`models.MODELS`, and their tables as the typed schema model,
`tables.table_schema`) and the views' comments; from the built package come its name, version, row
counts and the content vocabularies (values and meanings, as its schemas' `categories` record them),
so the codebook needs nothing but the package and the builder. `histpack build` rewrites it; `histpack codebook --check`
says whether the committed file is current.
"""

from __future__ import annotations

from pathlib import Path

from histpack.model import models as m
from histpack.model.tables import table_schema
from histpack.model.vocabularies import Vocabularies
from histpack.engine.reader import Package
from histpack.project.writer import write_text
from histpack.model.views import VIEW_COLUMNS, VIEW_COMMENTS

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
    # the values and meanings the package records, nothing else
    vocabularies = m.vocabularies_of_package(pkg.fields(), str(pkg.root))
    d = pkg.descriptor
    counts = row_counts(pkg)
    out = [
        f"# Codebook: {d['name']} {d.get('version', '')}".rstrip(),
        "",
        "<!-- Generated from histpack/model/models.py by `histpack codebook` (and `histpack build`); do not edit. -->",
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
        out += _table_section(model, counts[model.table.name], rights.get(model.table.name), vocabularies)
    out += edtf_section(pkg)
    out += ["## Views", "",
            "In the DuckDB database (`histpack build`, `histpack load`, `load.sql`), the SQLite export, and as files "
            "of their own in `histpack export` (Parquet, CSV, JSON Lines); not in the CSV package.", "",
            "| view | what it shows |", "|---|---|"]
    out += [f"| `{name}` | {_md(comment)} |" for name, comment in VIEW_COMMENTS.items()]
    out.append("")
    for name, columns in VIEW_COLUMNS.items():
        out += [f"### {name}", "", "| column | meaning |", "|---|---|"]
        out += [f"| {_code(column)} | {_md(description)} |" for column, description in columns.items()]
        out.append("")
    return "\n".join(out)


def _table_section(model: type[m.Row], count: int, rights: str | None, vocabularies: Vocabularies) -> list[str]:
    t = model.table
    schema = table_schema(model, vocabularies)
    fields = {f["name"]: f for f in schema.to_frictionless()["fields"]}
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
    for col in schema.fields:
        field = fields[col.name]
        required = "yes" if field.get("constraints", {}).get("required") else "no"
        out.append(f"| {_code(col.name)} | {field['type']} | {required} | {_constraints(field)} | "
                   f"{_md(col.description)} |")
    out.append("")
    for col in schema.fields:
        if not col.enum:
            continue
        out += [f"Values of {_code(col.name)}:", "", "| value | meaning |", "|---|---|"]
        out += [f"| {_code(value)} | {_md(meaning)} |" for value, meaning in col.meanings.items()]
        out.append("")
    return out


SEASONS = {"21": "spring", "22": "summer", "23": "autumn", "24": "winter"}
SEASON_MONTHS = {"21": "March to May", "22": "June to August", "23": "September to November"}
_EDTF_PARTS = [  # (pattern, name, what it covers)
    (r"\d{4}-\d{2}-\d{2}", "day", "that day"),
    (r"\d{4}-(0[1-9]|1[0-2])", "month", "the month, first to last day"),
    (r"\d{4}-2[1-4]", "season", "the season's three months"),
    (r"\d{4}", "year", "1 January to 31 December"),
]


def _edtf_part(value: str) -> tuple[str, str, str]:
    """(form, name, what it covers) of one side of an EDTF value."""
    import re

    if value in ("", ".."):
        return ("`..`", "open end", "") if value == ".." else ("(empty)", "unknown end", "")
    for pattern, name, covers in _EDTF_PARTS:
        if re.fullmatch(pattern, value):
            form = f"YYYY-{value[5:7]}" if name == "season" else {"day": "YYYY-MM-DD", "month": "YYYY-MM",
                                                                    "year": "YYYY"}[name]
            if name == "season":
                return f"`{form}`", f"{SEASONS[value[5:7]]} (season {value[5:7]})", SEASON_MONTHS.get(value[5:7], "")
            return f"`{form}`", name, covers
    return f"`{value}`", "other", ""


def edtf_form(value: str) -> str:
    """`1929-21` → "`YYYY-21`"; `1930-02/1930-05` → "`YYYY-MM`/`YYYY-MM`"."""
    return "/".join(_edtf_part(p)[0] for p in value.split("/"))


def _reading(value: str) -> str:
    parts = [_edtf_part(p) for p in value.split("/")]
    if len(parts) == 1:
        return f"a {parts[0][1]}: {parts[0][2]}"
    return f"an interval from a {parts[0][1]} to a {parts[1][1]}: first day of the one to last day of the other"


def edtf_section(pkg: Package) -> list[str]:
    """Every EDTF form the data uses, what it means, and an example row for each."""
    examples: dict[str, list] = {}  # form → [example value, where, count]
    for model in m.MODELS:
        edtf_columns = [name for name in model.model_fields if name.endswith("_edtf")]
        key = model.table.primary_key
        for row in pkg.rows(model.table.name) if edtf_columns else []:
            for col in edtf_columns:
                value = row.get(col) or ""
                if value:
                    where = f"{model.table.name}.{col} of `{'/'.join(row[k] for k in key)}`"
                    examples.setdefault(edtf_form(value), [value, where, 0])[2] += 1
    out = ["## Dates (EDTF)", "",
           "Dates are written in the Extended Date/Time Format (EDTF, ISO 8601-2), exactly as precisely as the "
           "essay gives them; `date_start` and `date_end` are the first and last day the EDTF value covers "
           "(derived, never typed), and `date_precision` names its form. The forms the data uses:", "",
           "| form | how it reads | rows | example | where |", "|---|---|---:|---|---|"]
    for form in sorted(examples, key=lambda f: (f.count("/"), -len(f), f)):
        value, where, count = examples[form]
        out.append(f"| {_md(form)} | {_md(_reading(value))} | {count} | {_code(value)} | {_md(where)} |")
    values = [v[0] for v in examples.values()]
    notes = []
    if not any(".." in v or v.startswith("/") or v.endswith("/") for v in values):
        notes.append("Open ends (`1929/..`, `../1953`) and unknown ends (`1929/`) are not used: every interval "
                     "in the data has both ends.")
    if not any(v.endswith("-24") for v in values):
        notes.append("Winter (`-24`) is not used: a winter is written as an interval of months "
                     "(the form `YYYY-12/YYYY-02`), because the `edtf` library reads `-24` as December only.")
    unused = [f"{SEASONS[code]} (`-{code}`)" for code in ("21", "22", "23")
              if not any(v.endswith(f"-{code}") for v in values)]
    if unused:
        notes.append(f"Season codes not used in the data: {', '.join(unused)}.")
    notes.append("Uncertain or approximate dates (`?`, `~`) and unspecified digits (`19XX`) are not used.")
    return out + [""] + [f"- {n}" for n in notes] + [""]


def write(pkg: Package, target: Path) -> Path:
    """CODEBOOK.md is the package's own file: written whole (never through a link or onto a special file)."""
    return write_text(target, render(pkg))


def is_current(pkg: Package, target: Path) -> bool:
    return target.is_file() and target.read_text(encoding="utf-8") == render(pkg)
