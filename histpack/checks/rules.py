"""The project's own rules, as SQL over the package's tables loaded in DuckDB.

Generic checks (types, constraints, keys) belong to the validation engine; these are the rules
only this project has: quotes are the essay's words at their offsets and pages, EDTF dates agree
with their derived columns, and the cross-table rules no single row can check. Each rule is a
small named function in `RULES`; the build runs them on the tables it is about to publish (and
names the annotation line), `histpack validate` on a package's tables (and names the CSV row).

A table in DuckDB is a resource of the package (table name = resource name) with its rows in file
order, so a violation carries the row's position (`rowid`) and the table's primary key.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import duckdb

from histpack.model.conventions import MARKER, is_histpack_package
from histpack.model.schema import PackageSchema
from histpack.project.errors import Finding
from histpack.project.sql import ident
TEXT_SEPARATOR = "\n\n"  # paragraphs joined with a blank line give the canonical text


@dataclass(frozen=True)
class Violation:
    table: str
    rowid: int  # position of the row in its table (= its CSV data row, counted from 0)
    key: tuple  # the row's primary key
    message: str
    hint: str = ""
    rule: str = ""  # the rule's name in `RULES`


@dataclass(frozen=True)
class Rule:
    name: str
    tables: tuple[str, ...]  # the rule runs only where all of these tables are
    check: Callable[[duckdb.DuckDBPyConnection, PackageSchema], list[Violation]]


RULES: dict[str, Rule] = {}


def rule(*tables: str):
    def register(check):
        RULES[check.__name__] = Rule(check.__name__, tables, check)
        return check
    return register


def load_tables(con: duckdb.DuckDBPyConnection, root: Path) -> None:
    """Every resource as a typed table with its rows in file order and no key constraints, so that
    rows breaking a key can still be named (the rules report them; a constrained load would refuse them)."""
    from histpack.engine.check import check_package

    checked = check_package(Path(root), con)
    try:
        create_rule_tables(con, checked)
    finally:
        checked.close()


def create_rule_tables(con: duckdb.DuckDBPyConnection, checked) -> list[str]:
    """The rows the engine typed (`checked`) as tables named after the resources, rows in file order."""
    from histpack.engine.types import sql_type

    made = []
    for name, staged in checked.staged.items():
        if staged.broken:
            continue
        columns = ", ".join(f"CAST(t{j} AS {sql_type(f)}) AS {ident(f['name'])}" for j, f in enumerate(staged.fields))
        con.execute(f"CREATE TABLE {ident(name)} AS SELECT {columns} FROM {staged.table} ORDER BY rn")
        made.append(name)
    return made


def project_problems(con: duckdb.DuckDBPyConnection, descriptor: dict, schema: PackageSchema) -> list:
    """Our rules on a package's tables, one `Finding` per violation naming the CSV row (header = row 1).
    Empty for a package that is not a histpack package."""

    if not is_histpack_package(descriptor):
        return []
    paths = {t.name: t.path for t in schema}
    try:
        violations = run_rules(con, schema)
    except duckdb.Error as exc:  # a table that calls itself ours but lacks our columns
        return [Finding(f"the package says it is a histpack package (`{MARKER}`), but its "
                                            f"tables do not have histpack's columns: {str(exc).splitlines()[0]}", "datapackage.json")]
    return [Finding(v.message, paths.get(v.table) or v.table, row=v.rowid + 2, kind=v.rule) for v in violations]


def run_rules(con: duckdb.DuckDBPyConnection, schema: PackageSchema) -> list[Violation]:
    """Every rule whose tables are in `con`, in registry order."""
    present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}
    out: list[Violation] = []
    for item in RULES.values():
        if set(item.tables) <= present:
            out += [replace(v, rule=item.name) for v in item.check(con, schema)]
    return out


def _label(table: str, key: tuple) -> str:
    return f"{table} row `{'/'.join(map(str, key))}`"


# --- the text: paragraphs, quotes, citations against the canonical text and the page map -----------

_TEXTS = f"""(SELECT source_id, string_agg(text, '{TEXT_SEPARATOR}' ORDER BY seq) AS full_text
              FROM paragraphs GROUP BY source_id HAVING bool_and(text IS NOT NULL))"""


def _page_of(alias: str, source: str, offset: str) -> str:
    """A join giving `{alias}.page`: the page map's page at `offset` of the essay `source`."""
    return (f"LEFT JOIN page_spans {alias} ON {alias}.source_id = {source} "
            f"AND {alias}.char_start <= {offset} AND {offset} < {alias}.char_end")


_WITHHELD = """(SELECT source_id FROM paragraphs GROUP BY source_id HAVING bool_and(text IS NULL))"""


@rule("paragraphs")
def paragraph_offsets(con, schema) -> list[Violation]:
    """Joined with blank lines, the paragraphs give the text every offset refers to; where the text is
    withheld (a release), they still follow each other with one blank line between them."""
    rows = con.execute(f"""
        SELECT rowid, paragraph_id, char_start, char_end FROM (
            SELECT rowid, paragraph_id, char_start, char_end, length(text) AS size,
                   coalesce(sum(coalesce(length(text), char_end - char_start) + {len(TEXT_SEPARATOR)}) OVER (PARTITION BY source_id ORDER BY seq
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS expected
            FROM paragraphs)
        WHERE char_start <> expected OR (size IS NOT NULL AND char_end <> expected + size)
              OR char_end <= char_start ORDER BY rowid""").fetchall()
    return [Violation("paragraphs", r[0], (r[1],), f"paragraph offsets {r[2]}-{r[3]} do not follow from the text")
            for r in rows]


@rule("paragraphs", "sources")
def text_whole_or_withheld(con, schema) -> list[Violation]:
    """A source's text is in the package whole, or withheld whole where its rights allow no more than
    quotations (a release); then its paragraphs keep their offsets and pages, and the source its hash."""
    rows = con.execute(f"""
        SELECT s.rowid, s.source_id, CAST(s.redistribution AS VARCHAR), count(p.text), count(*)
        FROM sources s JOIN paragraphs p USING (source_id)
        GROUP BY s.rowid, s.source_id, s.redistribution
        HAVING count(p.text) NOT IN (0, count(*))
            OR (count(p.text) = 0 AND coalesce(CAST(s.redistribution AS VARCHAR), 'full_text') = 'full_text')
        ORDER BY s.rowid""").fetchall()
    out = []
    for row, source_id, redistribution, with_text, total in rows:
        if with_text:
            out.append(Violation("sources", row, (source_id,), f"source `{source_id}`: {total - with_text} of its "
                                 f"{total} paragraphs have no text", "restore the whole text (histpack verify-text) "
                                 "or rebuild"))
        else:
            out.append(Violation("sources", row, (source_id,), f"source `{source_id}`: its text is withheld but its "
                                 f"rights (`redistribution` {redistribution or 'empty'}) allow the full text",
                                 "rebuild the release"))
    return out


@rule("paragraphs", "sources")
def text_matches_its_hash(con, schema) -> list[Violation]:
    """Joined with blank lines, a source's paragraphs hash to the `text_sha256` its row records."""
    rows = con.execute(f"""
        SELECT s.rowid, s.source_id FROM sources s
        JOIN (SELECT source_id, sha256(string_agg(text, '{TEXT_SEPARATOR}' ORDER BY seq)) AS digest
              FROM paragraphs GROUP BY source_id HAVING bool_and(text IS NOT NULL)) t USING (source_id)
        WHERE s.text_sha256 IS NOT NULL AND s.text_sha256 <> t.digest ORDER BY s.rowid""").fetchall()
    return [Violation("sources", row, (sid,), f"source `{sid}`: its paragraphs' text does not match `text_sha256`",
                      "the text was changed after the build: rebuild, or restore it with histpack verify-text")
            for row, sid in rows]


@rule("quotes", "paragraphs", "page_spans")
def quote_text_pages_and_context(con, schema) -> list[Violation]:
    """A quote is the text at its offsets, on the pages the page map gives, between its prefix and suffix,
    and its words hash to its `text_sha256`. Where the source's text is withheld, the words (if the
    release carries them) are checked by their length and hash, and the offsets against their paragraph."""
    rows = con.execute(f"""
        WITH q AS (
            SELECT q.rowid AS row, q.quote_id, q.char_start, q.char_end, q.page_start, q.page_end,
                   t.full_text IS NULL AS withheld,
                   CASE WHEN t.full_text IS NULL
                        THEN q.text IS NULL OR length(q.text) = q.char_end - q.char_start
                        ELSE q.text = substring(t.full_text, q.char_start + 1, q.char_end - q.char_start) END
                       AS verbatim,
                   q.text IS NULL OR sha256(q.text) = q.text_sha256 AS hashed,
                   t.full_text IS NOT NULL OR (p.char_start IS NOT NULL AND p.char_start <= q.char_start
                                               AND q.char_end <= p.char_end) AS placed,
                   first.page AS first_page, last.page AS last_page,
                   t.full_text IS NULL OR (q.char_start >= length(coalesce(q.prefix, ''))
                   AND substring(t.full_text, q.char_start - length(coalesce(q.prefix, '')) + 1,
                                 length(coalesce(q.prefix, ''))) = coalesce(q.prefix, '')
                   AND substring(t.full_text, q.char_end + 1, length(coalesce(q.suffix, '')))
                       = coalesce(q.suffix, '')) AS in_context
            FROM quotes q LEFT JOIN {_TEXTS} t USING (source_id)
            LEFT JOIN paragraphs p ON p.paragraph_id = q.paragraph_id AND p.source_id = q.source_id
            {_page_of('first', 'q.source_id', 'q.char_start')}
            {_page_of('last', 'q.source_id', 'q.char_end - 1')})
        SELECT * FROM q
        WHERE NOT verbatim OR NOT hashed OR NOT placed OR first_page IS DISTINCT FROM page_start
              OR last_page IS DISTINCT FROM page_end OR NOT in_context
        ORDER BY row""").fetchall()
    out = []
    for row, quote_id, start, end, page_start, page_end, withheld, verbatim, hashed, placed, first, last, in_context \
            in rows:
        at = ("quotes", row, (quote_id,))
        if not verbatim:
            out.append(Violation(*at, f"quote `{quote_id}`: " + (f"its text is not {end - start} characters long "
                                      f"(offsets {start}-{end})" if withheld else
                                      f"text differs from the canonical text at {start}-{end}")))
            continue
        if not hashed:
            out.append(Violation(*at, f"quote `{quote_id}`: its text does not match `text_sha256`"))
        if not placed:
            out.append(Violation(*at, f"quote `{quote_id}`: offsets {start}-{end} are not inside its paragraph"))
        if (first, last) != (page_start, page_end):
            out.append(Violation(*at, f"quote `{quote_id}`: pages {page_start}-{page_end} but the page map "
                                      f"gives {first}-{last}"))
        if not in_context:
            out.append(Violation(*at, f"quote `{quote_id}`: prefix/suffix do not match the text around it"))
    return out


@rule("quotes", "sources")
def quote_words_withheld_only_where_allowed(con, schema) -> list[Violation]:
    """A quote carries its words unless its source's rights withhold even quotations (`nothing`)."""
    rows = con.execute("""
        SELECT q.rowid, q.quote_id, q.source_id FROM quotes q LEFT JOIN sources s USING (source_id)
        WHERE q.text IS NULL AND coalesce(CAST(s.redistribution AS VARCHAR), 'full_text') <> 'nothing'
        ORDER BY q.rowid""").fetchall()
    return [Violation("quotes", row, (qid,), f"quote `{qid}`: no text, but the rights of `{sid}` allow quotations")
            for row, qid, sid in rows]


@rule("citations", "paragraphs", "page_spans")
def citation_text_and_page(con, schema) -> list[Violation]:
    """A reference's words stand at its offsets, on its page, in the source it stands in
    (`citing_source_id`; `source_id` is the work it cites). Where that text is withheld, its page."""
    rows = con.execute(f"""
        SELECT c.rowid, c.citation_id, c.page, s.page AS mapped,
               t.full_text IS NULL
               OR coalesce(substring(t.full_text, c.char_start + 1, c.char_end - c.char_start) = c.cited_as, false)
        FROM citations c LEFT JOIN {_TEXTS} t ON t.source_id = c.citing_source_id
        {_page_of('s', 'c.citing_source_id', 'c.char_start')}
        ORDER BY c.rowid""").fetchall()
    out = []
    for row, citation_id, page, mapped, held in rows:
        at = ("citations", row, (citation_id,))
        if not held:
            out.append(Violation(*at, f"citation `{citation_id}`: cited_as differs from the text at its offsets"))
        elif page != mapped:
            out.append(Violation(*at, f"citation `{citation_id}`: page {page} but the page map gives {mapped}"))
    return out


def withheld_texts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The sources whose text the package withholds (a release), for a note: what could not be checked."""
    try:
        return [r[0] for r in con.execute(f"SELECT source_id FROM {_WITHHELD} ORDER BY source_id").fetchall()]
    except duckdb.Error:  # no paragraphs table, or not ours: nothing is withheld
        return []


@rule("quotes")
def evidence_from_its_quotes_source(con, schema) -> list[Violation]:
    """A row of evidence names the source its quote is from: `source_id` is derived from `quote_id`."""
    present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    out = []
    for table in sorted(evidence_tables(schema) & present):
        pk = _primary_key(schema, table) or ["quote_id"]
        rows = con.execute(f"""
            SELECT t.rowid, {', '.join('t.' + ident(k) for k in pk)}, t.source_id, q.source_id
            FROM {ident(table)} t JOIN quotes q ON q.quote_id = t.quote_id
            WHERE t.source_id IS DISTINCT FROM q.source_id ORDER BY t.rowid""").fetchall()
        for row in rows:
            key = tuple(row[1:1 + len(pk)])
            out.append(Violation(table, row[0], key, f"{_label(table, key)}: `source_id` {row[-2]!r} but its "
                                                     f"quote is from {row[-1]!r}"))
    return out


def evidence_tables(schema: PackageSchema) -> set[str]:
    """The tables other than `quotes` with both `quote_id` and `source_id`: rows of evidence."""
    return {t.name for t in schema if t.name != "quotes" and {"quote_id", "source_id"} <= set(t.names)}


# --- dates -------------------------------------------------------------------------------------------



def _primary_key(schema: PackageSchema, table: str) -> list[str]:
    found = schema.table(table)
    return list(found.primary_key) if found else []


@rule()
def edtf_dates(con, schema) -> list[Violation]:
    """Derived date columns are what their EDTF column covers. Each distinct value is parsed once."""
    from histpack.annotate.dates import DateError, derive_dates
    from histpack.model.conventions import DATE_COLUMNS

    columns: dict[str, set[str]] = {}
    for table, column in con.execute("SELECT c.table_name, c.column_name FROM duckdb_columns() c JOIN duckdb_tables() t "
                                     "USING (database_name, schema_name, table_name)").fetchall():
        columns.setdefault(table, set()).add(column)
    dated = [(table, column, targets) for table in sorted(columns) for column, targets in DATE_COLUMNS.items()
             if column in columns[table] and set(targets) <= columns[table]]
    values: set[str] = set()
    for table, column, _ in dated:
        values |= {r[0] for r in con.execute(f"SELECT DISTINCT CAST({ident(column)} AS VARCHAR) FROM {ident(table)} "
                                             f"WHERE {ident(column)} IS NOT NULL").fetchall()}
    if not values:
        return []
    parsed = []
    for value in sorted(values):
        try:
            d = derive_dates(value)
            parsed += [value, d.start, d.end, d.precision, None]
        except DateError as exc:
            parsed += [value, None, None, None, str(exc)]
    derived = ("(VALUES " + ", ".join(["(?, CAST(? AS DATE), CAST(? AS DATE), ?, ?)"] * len(values))
               + ") AS d(value, first_day, last_day, precision, error)")
    out = []
    for table, column, targets in dated:
        pk = _primary_key(schema, table) or [column]
        expected = ("d.first_day", "d.last_day", "d.precision")[: len(targets)]
        got = [f"CAST(t.{ident(c)} AS VARCHAR)" if c.endswith("precision") else f"t.{ident(c)}" for c in targets]
        differs = " OR ".join(f"{g} IS DISTINCT FROM {e}" for g, e in zip(got, expected))
        rows = con.execute(f"""
            SELECT t.rowid, {', '.join('t.' + ident(k) for k in pk)}, t.{ident(column)}, d.error,
                   {', '.join(got)}, {', '.join(expected)}
            FROM {ident(table)} t JOIN {derived} ON d.value = CAST(t.{ident(column)} AS VARCHAR)
            WHERE d.error IS NOT NULL OR {differs} ORDER BY t.rowid""", parsed).fetchall()
        n = len(targets)
        for row in rows:
            rowid, key, (value, error), rest = row[0], row[1:1 + len(pk)], row[1 + len(pk):3 + len(pk)], row[3 + len(pk):]
            if error:
                out.append(Violation(table, rowid, tuple(key), f"`{column}`: {error}"))
            else:
                out.append(Violation(table, rowid, tuple(key),
                                     f"{', '.join(targets)} {tuple(map(str, rest[:n]))} do not agree with "
                                     f"{column} {value!r} {tuple(map(str, rest[n:]))}"))
    return out


# --- cross-table rules ----------------------------------------------------------------------------------

@rule()
def references_resolve(con, schema) -> list[Violation]:
    """Every foreign key names a row of its target table (with a "did you mean" for a near miss).
    All keys are checked in one query; only the rows that break one come back."""
    present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    keys = [(table.name, list(fk.fields), fk.table, list(fk.reference)) for table, fk in schema.references()
            if table.name in present and fk.table in present]
    parts = []
    for i, (table, fields, target, remote) in enumerate(keys):
        local = ", ".join(f"c.{ident(f)}" for f in fields)
        found = " AND ".join(f"r.{ident(b)} = c.{ident(a)}" for a, b in zip(fields, remote))
        shown = f"CAST(c.{ident(fields[0])} AS VARCHAR)" if len(fields) == 1 else f"CAST(({local}) AS VARCHAR)"
        parts.append(f"SELECT {i} AS fk, c.rowid AS row, {shown} AS value FROM {ident(table)} c "
                     f"ANTI JOIN {ident(target)} r ON {found} "
                     f"WHERE {' AND '.join(f'c.{ident(f)} IS NOT NULL' for f in fields)}")
    if not parts:
        return []
    out = []
    for i, rowid, value in con.execute(" UNION ALL ".join(parts) + " ORDER BY fk, row").fetchall():
        table, fields, target, remote = keys[i]
        pk = _primary_key(schema, table) or fields
        key = tuple(con.execute(f"SELECT {', '.join(ident(k) for k in pk)} FROM {ident(table)} WHERE rowid = ?",
                                [rowid]).fetchone())
        candidates = sorted(str(r[0]) for r in con.execute(f"SELECT {ident(remote[0])} FROM {ident(target)}").fetchall())
        near = difflib.get_close_matches(value, candidates, n=1)
        hint = f"did you mean `{near[0]}`?" if near else f"define it in `{target}`"
        out.append(Violation(table, rowid, key, f"{_label(table, key)}: `{', '.join(fields)}` {value!r} is not "
                                                f"a {', '.join(remote)} in {target}", hint))
    return out


@rule("rhetoric", "quotes")
def rhetoric_quotes_the_speaker(con, schema) -> list[Violation]:
    """Rhetoric is an actor's own words: its quote is not the author's, and has the same speaker."""
    rows = con.execute("""
        SELECT r.rowid, r.rhetoric_id, r.speaker_id FROM rhetoric r JOIN quotes q ON q.quote_id = r.quote_id
        WHERE CAST(q.voice AS VARCHAR) = 'author' OR q.speaker_id IS DISTINCT FROM r.speaker_id
        ORDER BY r.rowid""").fetchall()
    return [Violation("rhetoric", row, (rid,), f"rhetoric row `{rid}`: its quote must be the speaker's own words "
                                               f"(voice primary/secondary, speaker `{speaker}`)")
            for row, rid, speaker in rows]


@rule("quotes")
def author_quotes_have_no_speaker(con, schema) -> list[Violation]:
    """The essay's author speaks in `voice: author`; a speaker marks someone else's words."""
    rows = con.execute("SELECT rowid, quote_id FROM quotes WHERE CAST(voice AS VARCHAR) = 'author' "
                       "AND speaker_id IS NOT NULL ORDER BY rowid").fetchall()
    return [Violation("quotes", row, (qid,), f"quote `{qid}`: an author-voice quote has no speaker_id")
            for row, qid in rows]


@rule("persons")
def actors_have_a_regime(con, schema) -> list[Violation]:
    rows = con.execute("SELECT rowid, person_id FROM persons WHERE CAST(kind AS VARCHAR) = 'actor' "
                       "AND regime_id IS NULL ORDER BY rowid").fetchall()
    return [Violation("persons", row, (pid,), f"persons row `{pid}`: an actor needs `regime_id`") for row, pid in rows]


@rule("comparisons")
def inferred_comparisons_say_why(con, schema) -> list[Violation]:
    rows = con.execute("SELECT rowid, comparison_id FROM comparisons WHERE CAST(basis AS VARCHAR) = 'inferred' "
                       "AND (basis_note IS NULL OR basis_note = '') ORDER BY rowid").fetchall()
    return [Violation("comparisons", row, (cid,), f"comparisons row `{cid}`: an inferred comparison needs "
                                                  f"basis_note saying why") for row, cid in rows]


@rule("comparisons", "comparison_sides")
def comparison_sides_differ(con, schema) -> list[Violation]:
    rows = con.execute("""
        SELECT c.rowid, c.comparison_id FROM comparisons c WHERE EXISTS (
            SELECT 1 FROM comparison_sides s WHERE s.comparison_id = c.comparison_id
            GROUP BY s.regime_id, s.place_id HAVING count(*) > 1)
        ORDER BY c.rowid""").fetchall()
    return [Violation("comparisons", row, (cid,), f"comparisons row `{cid}`: two sides with the same regime and place",
                      "one side per regime; sides within one regime differ by `place_id`") for row, cid in rows]


@rule("comparisons", "comparison_sides")
def comparisons_have_two_sides(con, schema) -> list[Violation]:
    rows = con.execute("""
        SELECT c.rowid, c.comparison_id FROM comparisons c
        WHERE (SELECT count(*) FROM comparison_sides s WHERE s.comparison_id = c.comparison_id) < 2
        ORDER BY c.rowid""").fetchall()
    return [Violation("comparisons", row, (cid,), f"comparisons row `{cid}`: a comparison needs at least two sides",
                      "add `sides:`") for row, cid in rows]


@rule("terms", "term_occurrences", "quotes")
def term_quote_is_its_first_occurrence(con, schema) -> list[Violation]:
    """A term's `quote` is where the essay first uses it: no occurrence of the term comes earlier."""
    rows = con.execute("""
        SELECT t.rowid, t.term_id FROM terms t JOIN quotes q ON q.quote_id = t.quote_id
        WHERE coalesce((SELECT min(u.char_start) FROM term_occurrences o JOIN quotes u ON u.quote_id = o.quote_id
                        WHERE o.term_id = t.term_id), -1) < q.char_start
        ORDER BY t.rowid""").fetchall()
    return [Violation("terms", row, (tid,), f"terms row `{tid}`: `quote` must be the term's first occurrence",
                      "swap it with the earliest of its `occurrences`") for row, tid in rows]


@rule("attestations")
def attestations_name_one_entity(con, schema) -> list[Violation]:
    """An attestation is about exactly one person, place, regime, event, phase or purge."""
    from histpack.model.conventions import ENTITY_COLUMNS

    given = " + ".join(f"CAST({c} IS NOT NULL AS INTEGER)" for c in ENTITY_COLUMNS)
    rows = con.execute(f"SELECT rowid, attestation_id FROM attestations WHERE {given} <> 1 ORDER BY rowid").fetchall()
    return [Violation("attestations", row, (aid,), f"attestations row `{aid}`: name exactly one of "
                                                   f"{', '.join(ENTITY_COLUMNS)}") for row, aid in rows]


_PHASES = """SELECT rowid, phase_id, regime_id, campaign, seq, date_start,
                    row_number() OVER w AS position, lag(phase_id) OVER w AS before_id,
                    lag(seq) OVER w AS before_seq, lag(date_start) OVER w AS before_start,
                    count(*) OVER (PARTITION BY regime_id, campaign, seq) AS same_seq
             FROM phases WINDOW w AS (PARTITION BY regime_id, campaign ORDER BY seq, rowid)"""


@rule("phases")
def phase_seq_unique(con, schema) -> list[Violation]:
    """Within a campaign, `seq` numbers the phases: no two share one (reported once, at the first phase)."""
    rows = con.execute(f"""
        SELECT p.rowid, p.phase_id, p.regime_id, p.campaign FROM ({_PHASES}) p
        WHERE p.position = 1 AND EXISTS (SELECT 1 FROM phases o WHERE o.regime_id = p.regime_id
              AND o.campaign = p.campaign GROUP BY o.seq HAVING count(*) > 1)
        ORDER BY p.rowid""").fetchall()
    return [Violation("phases", row, (pid,), f"phases of {regime}/{campaign}: `seq` values repeat")
            for row, pid, regime, campaign in rows]


@rule("phases")
def phases_in_date_order(con, schema) -> list[Violation]:
    """Phases in `seq` order start in date order."""
    rows = con.execute(f"""
        SELECT rowid, phase_id, seq, before_id, before_seq FROM ({_PHASES})
        WHERE before_start IS NOT NULL AND date_start IS NOT NULL AND before_start > date_start
        ORDER BY rowid""").fetchall()
    return [Violation("phases", row, (pid,), f"phases row `{pid}` (seq {seq}) starts before `{before}` "
                                             f"(seq {before_seq})", "order `seq` by date")
            for row, pid, seq, before, before_seq in rows]


@rule("slips", "quotes")
def slips_mend_their_words(con, schema) -> list[Violation]:
    """A slip's `reading` is what its words were meant to be: the same words are no slip."""
    rows = con.execute("""
        SELECT s.rowid, s.slip_id, q.text FROM slips s JOIN quotes q ON q.quote_id = s.quote_id
        WHERE s.reading = q.text ORDER BY s.rowid""").fetchall()
    return [Violation("slips", row, (sid,), f"slips row `{sid}`: `reading` {text!r} is the slip's own words",
                      "write what the words were meant to read, or leave `reading` empty")
            for row, sid, text in rows]


def _dated_tables(con) -> list[str]:
    """The tables with a date and its basis (and the note an inferred date needs)."""
    from histpack.model.conventions import DATE_BASIS_COLUMN

    columns: dict[str, set[str]] = {}
    for table, column in con.execute("SELECT c.table_name, c.column_name FROM duckdb_columns() c JOIN duckdb_tables() t "
                                     "USING (database_name, schema_name, table_name)").fetchall():
        columns.setdefault(table, set()).add(column)
    return sorted(t for t, cols in columns.items() if {"date_edtf", DATE_BASIS_COLUMN, "editorial_note"} <= cols)


@rule()
def dates_have_a_basis(con, schema) -> list[Violation]:
    """A date says whether the source states it or the encoder inferred it; no date, no basis; and an
    inferred date says in `editorial_note` how it was inferred."""
    out = []
    for table in _dated_tables(con):
        pk = _primary_key(schema, table) or ["date_edtf"]
        rows = con.execute(f"""
            SELECT rowid, {', '.join(ident(k) for k in pk)}, date_edtf IS NULL, CAST(date_basis AS VARCHAR),
                   coalesce(editorial_note, '') = ''
            FROM {ident(table)}
            WHERE (date_edtf IS NULL) <> (date_basis IS NULL)
               OR (CAST(date_basis AS VARCHAR) = 'inferred' AND coalesce(editorial_note, '') = '')
            ORDER BY rowid""").fetchall()
        for row in rows:
            rowid, key, (undated, basis, no_note) = row[0], tuple(row[1:1 + len(pk)]), row[1 + len(pk):]
            if undated:
                message, hint = f"{_label(table, key)}: `date_basis` {basis!r} but no date", "remove `date_basis`"
            elif basis is None:
                message, hint = f"{_label(table, key)}: a date without `date_basis`", "rebuild the package"
            else:
                message, hint = (f"{_label(table, key)}: an inferred date needs `editorial_note` saying how it "
                                 "was inferred", "say where the source places it, or what bounds it")
            out.append(Violation(table, rowid, key, message, hint))
    return out
