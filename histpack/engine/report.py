"""The engine's findings as one line per problem: file, row, field, value.

A bad header is one line for its file and its rows are not reported (they would all be wrong);
a row with several errors is one line naming the first; each error class shows at most
`CAP_PER_CLASS` rows per file, then the exact count of the rest. The grouping runs in DuckDB, so a
million bad rows cost one query, not a million Python objects.
"""

from __future__ import annotations

from histpack.engine.check import Checked, Error
from histpack.project.errors import Finding
from histpack.project.sql import literal

CAP_PER_CLASS = 10
CHANGED = "the file is not the one the descriptor describes"
HEADER_ERRORS = ("blank-label", "duplicate-label", "missing-label", "extra-label", "incorrect-label")
ROW_ORDER = ("missing-cell", "extra-cell", "blank-row", "type-error", "constraint-error", "unique-error",
             "primary-key", "foreign-key")
CHANGED_KINDS = ("byte-count", "hash-count")


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


def own_package(checked: Checked) -> bool:
    """True for this project's own package (the `histpack` marker): only there does advice about the
    annotations, rebuilding or "after the build" make sense."""
    from histpack.model.conventions import is_histpack_package

    return is_histpack_package(checked.package.descriptor)


def problems(checked: Checked) -> tuple[list[Finding], set[str]]:
    """The problems, in package order, and the resources whose rows cannot be trusted."""
    con = checked.con
    own = own_package(checked)
    out: list[Finding] = []
    broken: set[str] = set()
    files = [Error(*r) for r in con.execute(
        "SELECT type, resource, place, row, field, cell, note, hint, seq FROM __h$errors "
        "WHERE row IS NULL OR type IN ('encoding-error', 'source-error') OR type LIKE '%-label' "
        "ORDER BY seq, row NULLS FIRST, field_number").fetchall()]
    by_resource: dict[int, list[Error]] = {}
    for error in files:
        by_resource.setdefault(error.seq, []).append(error)
    staged_by_seq = {s.index: s for s in checked.staged.values()}
    unreadable = {r.name for r in checked.package.resources} - set(checked.staged)
    for seq, errors in sorted(by_resource.items()):
        changed = [e for e in errors if e.type in CHANGED_KINDS]
        header = [e for e in errors if e.type in HEADER_ERRORS]
        if changed:
            kind = "hash-count" if any(e.type == "hash-count" for e in changed) else "byte-count"
            detail = CHANGED + " (" + "; ".join(e.note for e in changed) + ")"
            if own:
                out.append(Finding(detail + ": it was edited or damaged after the build", errors[0].place, kind=kind,
                                   hint="restore it, or change the annotations and rebuild (`histpack build`)"))
            else:
                out.append(Finding(detail, errors[0].place, kind=kind,
                                   hint="restore the file, or correct the descriptor's `bytes` and `hash`"))
        for e in errors:
            if e.type in CHANGED_KINDS or e.type in HEADER_ERRORS:
                continue
            message, hint = e.note, e.hint or ""
            if own and hint == "restore it":
                hint = "restore it, or rebuild the package (`histpack build`)"
            if e.type == "encoding-error" and "utf-8" in message.lower():
                message, hint = "the file is not UTF-8", "save it as UTF-8"
            out.append(Finding(message, e.place, row=e.row or None, kind=e.type, field=e.field, value=e.cell,
                               hint=hint))
            if e.type in ("source-error", "encoding-error", "scheme-error", "resource-error"):
                broken.add(e.resource)
        if header:
            staged = staged_by_seq.get(seq)
            expected = staged.names if staged else []
            got = staged.labels if staged else []
            missing = [n for n in expected if n not in got]
            extra = [n for n in got if n not in expected]
            shown = ", ".join(n or "(a field without a name)" for n in expected)
            detail = "; ".join(part for part in (
                f"missing column {', '.join(f'`{n}`' for n in missing)}" if missing else "",
                f"extra column {', '.join(f'`{n}`' for n in extra)}" if extra else "",
                "columns in another order" if not missing and not extra else "") if part)
            if staged is not None and staged.resource.schema is None:  # labels without a schema: blank or twice
                out.append(Finding("the header row cannot name the columns (" + "; ".join(e.note for e in header) + ")",
                                   header[0].place, row=1, kind=header[0].type, hint="name every column once"))
            else:
                out.append(Finding(f"the header row does not match the schema ({detail}); expected: {shown}",
                                   header[0].place, row=1, kind=header[0].type,
                                   hint="restore the file or rebuild" if own else "correct the header or the schema"))
            broken.add(header[0].resource)
    broken |= unreadable
    out += _row_problems(checked, broken)
    return out, broken


def _row_problems(checked: Checked, broken: set[str]) -> list[Finding]:
    con = checked.con
    skip_resources = (f"resource IN ({', '.join(map(literal, sorted(broken)))})" if broken else "false")
    lookups = [literal('%lookup table "' + b + '" as%') for b in sorted(broken)]
    skip_lookups = " OR ".join(f"(type = 'foreign-key' AND note LIKE {pattern})" for pattern in lookups) or "false"
    order = " ".join(f"WHEN {literal(kind)} THEN {i}" for i, kind in enumerate(ROW_ORDER))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE __h$rows AS
        WITH e AS (
            SELECT *, CASE type {order} ELSE {len(ROW_ORDER)} END AS priority FROM __h$errors
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
    shown = con.execute(f"SELECT seq, place, row, n, type, field, cell, note FROM __h$rows WHERE k <= {CAP_PER_CLASS} "
                        "ORDER BY seq, row").fetchall()
    rest = con.execute(f"SELECT seq, place, type, count(*) FROM __h$rows WHERE k > {CAP_PER_CLASS} "
                       "GROUP BY seq, place, type ORDER BY seq, type").fetchall()
    con.execute("DROP TABLE __h$rows")
    out: list[Finding] = []
    rest_by_seq: dict[int, list] = {}
    for seq, place, kind, count in rest:
        rest_by_seq.setdefault(seq, []).append((place, kind, count))
    seqs = sorted({s[0] for s in shown} | set(rest_by_seq))
    for seq in seqs:
        for _, place, row, n, kind, field, cell, note in (s for s in shown if s[0] == seq):
            more = f" (and {n - 1} more in this row)" if n > 1 else ""
            out.append(Finding(_cell_message(kind, field, cell, note) + more, place, row=row, kind=kind, field=field,
                               value=cell))
        for place, kind, count in rest_by_seq.get(seq, []):
            out.append(Finding(f"… and {count:,} more rows with {kind}", place, kind=kind))
    return out
