"""Side by side: the essay's comparisons between two regimes (or two places of one regime)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Side:
    side_id: str
    regime_id: str
    place_id: str | None
    summary: str
    quote: str
    pages: str


@dataclass(frozen=True)
class ComparisonRow:
    comparison_id: str
    dimension: str
    relation: str
    basis: str
    claim: str
    left: Side
    right: Side


def _matches(side: Side, wanted: str) -> bool:
    return wanted in (side.regime_id, side.place_id, side.side_id)


def compare(con: duckdb.DuckDBPyConnection, left: str, right: str, dimension: str | None = None) -> list[ComparisonRow]:
    """Comparisons with one side matching `left` and another matching `right` (regime, place or side id)."""
    known = {r[0] for r in con.execute("select regime_id from regimes union select place_id from places").fetchall()}
    for wanted in (left, right):
        if wanted not in known:
            raise ValueError(f"`{wanted}` is neither a regime_id nor a place_id (regimes: "
                             f"{', '.join(sorted(r[0] for r in con.execute('select regime_id from regimes').fetchall()))})")
    rows = con.execute(
        "select comparison_id, cast(dimension as varchar), cast(relation as varchar), cast(basis as varchar), claim, "
        "side_id, regime_id, place_id, side_summary, quote, pages from comparison_matrix "
        "where ? is null or cast(dimension as varchar) = ? order by comparison_id, side_id",
        [dimension, dimension]).fetchall()
    grouped: dict[str, list] = {}
    for r in rows:
        grouped.setdefault(r[0], []).append(r)
    out = []
    for comparison_id, sides in grouped.items():
        parsed = [Side(s[5], s[6], s[7], s[8], s[9], s[10]) for s in sides]
        a = next((s for s in parsed if _matches(s, left)), None)
        b = next((s for s in parsed if _matches(s, right) and s is not a), None)
        if a and b:
            first = sides[0]
            out.append(ComparisonRow(comparison_id, first[1], first[2], first[3], first[4], a, b))
    return out
