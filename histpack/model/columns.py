"""Column names with a meaning beyond their table, declared once and without pydantic: the models build
on them, and the project's rules read them on any package without importing the models."""

DATE_COLUMNS = {"date_edtf": ("date_start", "date_end", "date_precision"),
                "period_edtf": ("period_start", "period_end")}
"""An EDTF column → the columns derived from it (first day, last day, precision)."""

ENTITY_COLUMNS = ("person_id", "place_id", "regime_id", "event_id", "phase_id", "purge_id")
"""The columns of which an attestation names exactly one."""
