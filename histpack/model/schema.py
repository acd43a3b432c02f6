"""Models → Frictionless Table Schemas (and the column facts DuckDB and the codebook need).

Rendered from pydantic's JSON Schema of each model, so a column is declared once, in
`models.py`. A closed vocabulary is written twice in a field, as `constraints.enum` (Table Schema v1,
what validators check) and as `categories` with each value's meaning as its label (v2), so that the
codebook and exports can explain the values from the built package alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from histpack.model import models as m
from histpack.model import vocabularies


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Table Schema type: string, integer, date
    required: bool
    description: str
    enum: tuple[str, ...] = ()
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    min_length: int | None = None
    max_length: int | None = None


_TYPES = {("string", "date"): "date", ("string", None): "string", ("integer", None): "integer",
          ("number", None): "number", ("boolean", None): "boolean"}


def columns(model: type[m.Row]) -> tuple[Column, ...]:
    """The model's columns, with the values of the content vocabularies in use (`vocabularies.use`)."""
    return _columns(model, vocabularies.active_key())


@cache
def _columns(model: type[m.Row], vocabularies_key: str) -> tuple[Column, ...]:
    """Computed once per model and vocabularies: pydantic rebuilds its JSON Schema on every call."""
    props = model.model_json_schema()["properties"]
    out = []
    for name, info in model.model_fields.items():
        prop = props[name]
        options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
        nullable = len(options) < len(prop.get("anyOf", [prop]))
        spec = options[0]
        out.append(Column(
            name=name,
            type=_TYPES[(spec.get("type"), spec.get("format"))],
            required=not nullable and info.is_required(),
            description=info.description or "",
            enum=tuple(spec.get("enum", ())) or ((spec["const"],) if "const" in spec else ()),  # one-value vocabulary
            pattern=spec.get("pattern"),
            minimum=spec.get("minimum"),
            maximum=spec.get("maximum"),
            min_length=spec.get("minLength"),
            max_length=spec.get("maxLength"),
        ))
    return tuple(out)


def _anchored(pattern: str) -> str:
    """A Python `re.search` pattern as a Table Schema pattern, which must match the whole value."""
    body = pattern.removeprefix("^") if pattern.startswith("^") else ".*" + pattern
    return body.removesuffix("$") if body.endswith("$") else body + ".*"


def table_schema(model: type[m.Row]) -> dict:
    """The Frictionless Table Schema of one table."""
    fields = []
    for col in columns(model):
        field: dict = {"name": col.name, "type": col.type, "description": col.description}
        if col.type == "date":
            field["format"] = "default"
        constraints: dict = {}
        if col.required or col.name in model.table.primary_key:
            constraints["required"] = True
        if col.enum:
            constraints["enum"] = list(col.enum)
        if col.pattern:
            constraints["pattern"] = _anchored(col.pattern)
        for key, value in (("minimum", col.minimum), ("maximum", col.maximum), ("minLength", col.min_length),
                           ("maxLength", col.max_length)):
            if value is not None:
                constraints[key] = value
        if constraints:
            field["constraints"] = constraints
        if col.enum:  # each value with its meaning (Table Schema v2 `categories`), so the package explains itself
            meanings = model.vocabularies.get(col.name, {})
            field["categories"] = [{"value": value, "label": meanings.get(value, "")} for value in col.enum]
        fields.append(field)
    table = model.table
    schema: dict = {"fields": fields, "missingValues": [""], "primaryKey": list(table.primary_key)}
    fks = []
    for column, target in table.foreign_keys.items():
        target_table = m.BY_TABLE[target].table
        fks.append({"fields": [column],
                    "reference": {"resource": "" if target == table.name else target,
                                  "fields": [target_table.primary_key[0]]}})
    if fks:
        schema["foreignKeys"] = fks
    return schema
