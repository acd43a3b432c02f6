"""The engine's findings as one line per problem: file, row, field, value.

A bad header is one line for its file and its rows are not reported (they would all be wrong);
a row with several errors is one line naming the first; each error class shows at most
`CAP_PER_CLASS` rows per file, then the exact count of the rest. The grouping runs in DuckDB, so a
million bad rows cost one query, not a million Python objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from histpack.engine.check import Checked
from histpack.project.sql import literal

CAP_PER_CLASS = 10
CHANGED = "the file is not the one the descriptor describes"
HEADER_ERRORS = ("blank-label", "duplicate-label", "missing-label", "extra-label", "incorrect-label")
ROW_ORDER = ("missing-cell", "extra-cell", "blank-row", "type-error", "constraint-error", "unique-error",
             "primary-key", "foreign-key")


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def line(self) -> str:
        return f"{self.where}: {self.message}"


def _cell_message(kind: str, field: str | None, cell: str | None, note: str) -> str:
    if kind == "missing-cell":
        return f"column `{field}` is missing (the row has fewer cells than the header: cut short?)"
    if kind == "extra-cell":
        return f"an extra cell {cell!r} beyond the header's columns"
    if kind == "blank-row":
        return "the row is blank (every cell is empty or a missing value)"
    if kind == "type-error":
        type_name = note.removeprefix("type is ").strip('"').split("/")[0]
        return f"column `{field}`: {cell!r} is not a valid {type_name}"
    if kind == "constraint-error":
        return f"column `{field}`: {cell!r} breaks the constraint {note.removeprefix('constraint ')}"
    if kind == "unique-error":
        return f"column `{field}`: {cell!r} is not unique ({note})"
    if kind == "primary-key":
        if "all \"None\"" in note:
            return "the primary key is empty (every cell of it is missing)"
        return f"duplicate primary key {cell!r}: {note}"
    if kind == "foreign-key":
        return f"dangling foreign key: {note}"
    return f"{kind}: {note}"


def problems(checked: Checked) -> tuple[list[Problem], set[str]]:
    """The problems, in package order, and the resources whose rows cannot be trusted."""
    con = checked.con
    out: list[Problem] = []
    broken: set[str] = set()
    files = con.execute("SELECT seq, type, resource, place, row, field, cell, note FROM __errors "
                        "WHERE row IS NULL OR type IN ('encoding-error', 'source-error') OR type LIKE '%-label' "
                        "ORDER BY seq, row NULLS FIRST, field_number").fetchall()
    by_resource: dict[int, list] = {}
    for e in files:
        by_resource.setdefault(e[0], []).append(e)
    staged_by_seq = {s.index: s for s in checked.staged.values()}
    unreadable = {r.name for r in checked.package.resources} - set(checked.staged)
    for seq, errors in sorted(by_resource.items()):
        changed = [e[7] for e in errors if e[1] in ("byte-count", "hash-count")]
        header = [e for e in errors if e[1] in HEADER_ERRORS]
        if changed:
            out.append(Problem(errors[0][3], CHANGED + " (" + "; ".join(changed) + "): it was edited or damaged "
                               "after the build — restore it, or change the annotations and rebuild (`histpack build`)"))
        for e in errors:
            kind, place, row = e[1], e[3], e[4]
            if kind in ("byte-count", "hash-count") or kind in HEADER_ERRORS:
                continue
            where = f"{place}: row {row}" if row else place
            message = e[7]
            if kind == "encoding-error" and "utf-8" in message.lower():
                message = "the file is not UTF-8 — save it as UTF-8"
            out.append(Problem(where, message))
            if kind in ("source-error", "encoding-error", "scheme-error", "resource-error"):
                broken.add(e[2])
        if header:
            staged = staged_by_seq.get(seq)
            expected = staged.names if staged else []
            got = staged.labels if staged else []
            missing = [n for n in expected if n not in got]
            extra = [n for n in got if n not in expected]
            detail = "; ".join(part for part in (
                f"missing column {', '.join(f'`{n}`' for n in missing)}" if missing else "",
                f"extra column {', '.join(f'`{n}`' for n in extra)}" if extra else "",
                "columns in another order" if not missing and not extra else "") if part)
            out.append(Problem(f"{header[0][3]}: row 1", f"the header row does not match the schema ({detail}); "
                               f"expected: {', '.join(expected)} — restore the file or rebuild"))
            broken.add(header[0][2])
    broken |= unreadable
    out += _row_problems(checked, broken)
    return out, broken


def _row_problems(checked: Checked, broken: set[str]) -> list[Problem]:
    con = checked.con
    skip_resources = (f"resource IN ({', '.join(map(literal, sorted(broken)))})" if broken else "false")
    lookups = [literal('%lookup table "' + b + '" as%') for b in sorted(broken)]
    skip_lookups = " OR ".join(f"(type = 'foreign-key' AND note LIKE {pattern})" for pattern in lookups) or "false"
    order = " ".join(f"WHEN {literal(kind)} THEN {i}" for i, kind in enumerate(ROW_ORDER))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE __rows AS
        WITH e AS (
            SELECT *, CASE type {order} ELSE {len(ROW_ORDER)} END AS priority FROM __errors
            WHERE row IS NOT NULL AND type NOT IN ('encoding-error', 'source-error') AND type NOT LIKE '%-label'
              AND NOT ({skip_resources}) AND NOT ({skip_lookups})),
        r AS (
            SELECT seq, place, row, count(*) AS n,
                   arg_min(struct_pack(type := type, field := field, cell := cell, note := note),
                           priority * 100000 + coalesce(field_number, 0)) AS first
            FROM e GROUP BY seq, place, row)
        SELECT seq, place, row, n, first.type AS type, first.field AS field, first.cell AS cell,
               first.note AS note, row_number() OVER (PARTITION BY seq, first.type ORDER BY row) AS k
        FROM r""")
    shown = con.execute(f"SELECT seq, place, row, n, type, field, cell, note FROM __rows WHERE k <= {CAP_PER_CLASS} "
                        "ORDER BY seq, row").fetchall()
    rest = con.execute(f"SELECT seq, place, type, count(*) FROM __rows WHERE k > {CAP_PER_CLASS} "
                       "GROUP BY seq, place, type ORDER BY seq, type").fetchall()
    con.execute("DROP TABLE __rows")
    out: list[Problem] = []
    rest_by_seq: dict[int, list] = {}
    for seq, place, kind, count in rest:
        rest_by_seq.setdefault(seq, []).append((place, kind, count))
    seqs = sorted({s[0] for s in shown} | set(rest_by_seq))
    for seq in seqs:
        for _, place, row, n, kind, field, cell, note in (s for s in shown if s[0] == seq):
            more = f" (and {n - 1} more in this row)" if n > 1 else ""
            out.append(Problem(f"{place}: row {row}", _cell_message(kind, field, cell, note) + more))
        for place, kind, count in rest_by_seq.get(seq, []):
            out.append(Problem(place, f"… and {count:,} more rows with {kind}"))
    return out
