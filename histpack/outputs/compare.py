"""Side by side: the comparisons the sources draw between two regimes (or two places of one regime)."""

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
    cited_as: str  # how the source of the side's words is cited
    date_edtf: str = ""  # the date of the event, phase, purge or rhetoric the side refers to, if any


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


def _ids(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    return sorted(r[0] for r in con.execute(sql).fetchall() if r[0] is not None)


def _spellings(wanted: str) -> list[str]:
    """As typed, then with `-` and `_` swapped: regime ids use `_`, place ids `-`."""
    return list(dict.fromkeys([wanted, wanted.replace("-", "_"), wanted.replace("_", "-")]))


def resolve_id(con: duckdb.DuckDBPyConnection, wanted: str) -> tuple[str, str]:
    """(`id`, `regime` | `place` | `side`) for a name as a person types it; ValueError listing the valid ones."""
    regimes = _ids(con, "select regime_id from regimes")
    places = _ids(con, "select place_id from places")
    sides = _ids(con, "select side_id from comparison_sides")
    for known, kind in ((regimes, "regime"), (places, "place"), (sides, "side")):
        for spelling in _spellings(wanted):
            if spelling in known:
                return spelling, kind
    compared = _ids(con, "select distinct place_id from comparison_sides")
    raise ValueError(f"`{wanted}` is neither a regime_id nor a place_id; regimes: {', '.join(regimes)}; "
                     f"places that are sides of a comparison: {', '.join(compared)}")


def dimensions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every value of the comparison dimensions' vocabulary (its ENUM type), used or not."""
    try:
        found = con.execute("select enum_range(dimension) from comparisons limit 1").fetchone()
    except duckdb.Error:  # not an ENUM: the values the package uses
        found = None
    if found:
        return list(found[0])
    return _ids(con, "select distinct cast(dimension as varchar) from comparisons")


def resolve_dimension(con: duckdb.DuckDBPyConnection, wanted: str) -> str:
    valid = dimensions(con)
    for spelling in _spellings(wanted):
        if spelling in valid:
            return spelling
    raise ValueError(f"unknown dimension `{wanted}`; dimensions: {', '.join(valid)}")


def place_note(con: duckdb.DuckDBPyConnection, place_id: str) -> str:
    regime = con.execute("select regime_id from places where place_id = ?", [place_id]).fetchone()
    where = f" (in regime `{regime[0]}`)" if regime and regime[0] else ""
    return f"`{place_id}` is a place{where}, not a regime"


def compare(con: duckdb.DuckDBPyConnection, left: str, right: str, dimension: str | None = None,
            source_id: str | None = None) -> list[ComparisonRow]:
    """Comparisons with one side matching `left` and another matching `right` (regime, place or side id).

    Ids and the dimension may be typed with `-` for `_`. Unknown ones raise ValueError with the
    valid values; so does a place that no comparison has as a side (naming it a place)."""
    (left, left_kind), (right, right_kind) = resolve_id(con, left), resolve_id(con, right)
    if dimension is not None:
        dimension = resolve_dimension(con, dimension)
    rows = con.execute(
        "select m.comparison_id, cast(m.dimension as varchar), cast(m.relation as varchar), cast(m.basis as varchar), "
        "m.claim, m.side_id, m.regime_id, m.place_id, m.side_summary, m.quote, m.pages, m.side_cited_as, "
        "coalesce(t.date_edtf, '') from comparison_matrix m "
        "left join timeline t on t.id = coalesce(m.event_id, m.phase_id, m.purge_id, m.rhetoric_id) "
        "and t.kind = case when m.event_id is not null then 'event' when m.phase_id is not null then 'phase' "
        "when m.purge_id is not null then 'purge' else 'rhetoric' end "
        "where (? is null or cast(m.dimension as varchar) = ?) and (? is null or m.source_id = ?) "
        "order by m.comparison_id, m.side_id", [dimension, dimension, source_id, source_id]).fetchall()
    grouped: dict[str, list] = {}
    for r in rows:
        grouped.setdefault(r[0], []).append(r)
    out = []
    for comparison_id, sides in grouped.items():
        parsed = [Side(*s[5:13]) for s in sides]
        a = next((s for s in parsed if _matches(s, left)), None)
        b = next((s for s in parsed if _matches(s, right) and s is not a), None)
        if a and b:
            first = sides[0]
            out.append(ComparisonRow(comparison_id, first[1], first[2], first[3], first[4], a, b))
    compared = set(_ids(con, "select distinct place_id from comparison_sides"))
    for wanted, kind in ((left, left_kind), (right, right_kind)):
        if kind == "place" and wanted not in compared:
            raise ValueError(f"{place_note(con, wanted)}, and no comparison has a side there; compare regimes "
                             f"({', '.join(_ids(con, 'select regime_id from regimes'))}) or the places "
                             f"{', '.join(sorted(compared))}")
    return out


ROW_COLUMNS = ["comparison_id", "dimension", "relation", "basis", "claim",
               *(f"{side}_{field}" for side in ("left", "right")
                 for field in ("side_id", "regime_id", "place_id", "summary", "quote", "pages", "cited_as", "date_edtf"))]
"""`compare` as rows (`--format csv|json`): the comparison, then its left side and its right side."""


def as_row(row: ComparisonRow) -> list:
    sides = [getattr(side, f) for side in (row.left, row.right)
             for f in ("side_id", "regime_id", "place_id", "summary", "quote", "pages", "cited_as", "date_edtf")]
    return [row.comparison_id, row.dimension, row.relation, row.basis, row.claim, *(v or None for v in sides)]
