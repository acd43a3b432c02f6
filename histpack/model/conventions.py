"""What the dataset's tables mean beyond any one table, declared once and without pydantic: the models
build on it, and the project's rules, views and site read it on any package without the models.
"""

from __future__ import annotations

from dataclasses import dataclass

DATE_COLUMNS = {"date_edtf": ("date_start", "date_end", "date_precision"),
                "period_edtf": ("period_start", "period_end")}
"""An EDTF column → the columns derived from it (first day, last day, precision)."""
DATE_BASIS_COLUMN = "date_basis"
"""Beside a row's `date_edtf`: whether the source states the date or the encoder inferred it (then
`editorial_note` says why)."""


@dataclass(frozen=True)
class Entity:
    """A kind of thing the sources speak of, that other sources may attest: its table, its id column,
    the column that names it, and whether it is dated."""

    kind: str
    table: str
    id_column: str
    label_column: str
    dated: bool


ENTITIES = (
    Entity("person", "persons", "person_id", "name", False),
    Entity("place", "places", "place_id", "name", False),
    Entity("regime", "regimes", "regime_id", "name", False),
    Entity("event", "events", "event_id", "title", True),
    Entity("phase", "phases", "phase_id", "label", True),
    Entity("purge", "purges", "purge_id", "target", True),
)
ENTITY_COLUMNS = tuple(e.id_column for e in ENTITIES)
"""The columns of which an attestation names exactly one."""
ENTITY_BY_COLUMN = {e.id_column: e for e in ENTITIES}
ENTITY_BY_KIND = {e.kind: e for e in ENTITIES}

MARKER = "histpack"  # descriptor key saying "this package holds histpack's tables"
FORMAT = 1


def is_histpack_package(descriptor: dict) -> bool:
    """Only a package that says it is ours is held to our rules: a third party's `quotes` table is theirs."""
    marker = descriptor.get(MARKER)
    return isinstance(marker, dict) and marker.get("format") == FORMAT
