"""The project's models as the typed schema model (`histpack.model.schema`).

Read from pydantic's JSON Schema of each model, so a column is declared once, in `models.py`; the
values of a content vocabulary come from the project's vocabularies, passed in. A closed vocabulary
is written twice in a field, as `constraints.enum` (Table Schema v1, what validators check) and as
`categories` with each value's meaning as its label (v2), so that the codebook and exports can explain
the values from the built package alone.
"""

from __future__ import annotations

from functools import lru_cache

from histpack.model import models as m
from histpack.model import vocabularies as v
from histpack.model.schema import Field, ForeignKey, PackageSchema, TableSchema

_TYPES = {("string", "date"): "date", ("string", None): "string", ("integer", None): "integer",
          ("number", None): "number", ("boolean", None): "boolean"}


def _anchored(pattern: str) -> str:
    """A Python `re.search` pattern as a Table Schema pattern, which must match the whole value."""
    body = pattern.removeprefix("^") if pattern.startswith("^") else ".*" + pattern
    return body.removesuffix("$") if body.endswith("$") else body + ".*"


@lru_cache(maxsize=None)
def _json_properties(model: type[m.Row]) -> dict:
    """pydantic's JSON Schema properties (rebuilt on every call by pydantic: computed once here)."""
    return model.model_json_schema()["properties"]


def table_schema(model: type[m.Row], vocabularies: v.Vocabularies) -> TableSchema:
    """The table of one model, its content vocabularies' values from `vocabularies`."""
    props = _json_properties(model)
    meanings = m.meanings(model, vocabularies)
    fields = []
    for name, info in model.model_fields.items():
        prop = props[name]
        options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
        nullable = len(options) < len(prop.get("anyOf", [prop]))
        spec = options[0]
        kind = _TYPES[(spec.get("type"), spec.get("format"))]
        if "x-vocabulary" in spec:
            enum = tuple(vocabularies.get(spec["x-vocabulary"], {}))
        else:
            enum = tuple(spec.get("enum", ())) or ((spec["const"],) if "const" in spec else ())
        values = meanings.get(name, {})
        fields.append(Field(
            name=name, type=kind, description=info.description or "",
            format="default" if kind == "date" else None,
            required=(not nullable and info.is_required()) or name in model.table.primary_key,
            enum=enum, labels=tuple(values.get(str(x), "") for x in enum) if enum else (),
            pattern=_anchored(spec["pattern"]) if spec.get("pattern") else None,
            minimum=spec.get("minimum"), maximum=spec.get("maximum"),
            min_length=spec.get("minLength"), max_length=spec.get("maxLength")))
    table = model.table
    fks = tuple(ForeignKey((column,), target, (m.BY_TABLE[target].table.primary_key[0],))
                for column, target in table.foreign_keys.items())
    return TableSchema(table.name, tuple(fields), tuple(table.primary_key), fks, table.title, table.description,
                       f"data/{table.name}.csv")


def package_schema(vocabularies: v.Vocabularies) -> PackageSchema:
    """Every table of the dataset, in the models' order."""
    return PackageSchema(tuple(table_schema(model, vocabularies) for model in m.MODELS))


def column_names(model: type[m.Row]) -> list[str]:
    return list(model.model_fields)
