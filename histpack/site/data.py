"""The package as the site sees it: every table's rows as display strings, keys, foreign keys.

Read through the same loader as `histpack load`/`export` (a DuckDB connection), so the site shows
exactly what the package holds and nothing else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from histpack.project.sql import ident
from histpack.project.writer import fit_name
from histpack.outputs.export import load_into
from histpack.model.schema import TableSchema
from histpack.checks.validate import read_descriptor

PAGE_SAFE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


def page_name(name: str) -> str:
    """A resource's or source's name as part of a page's file name: lower-case letters, digits, `.`, `_`
    and `-` as they are, any other character as `~` and its UTF-8 bytes in hex (`a/b` → `a~2fb`, never
    the page of `a_b`; `A` → `~41`, never the page of `a` on a file system that ignores case), cut to the
    file system's limits (`fit_name`). So two names never share a page."""
    return fit_name("".join(c if c in PAGE_SAFE else "".join(f"~{b:02x}" for b in c.encode("utf-8")) for c in name))


# The tables and columns the essay, comparisons and timeline read; a package without them (a
# third-party one) gets the table pages only.
ESSAY_COLUMNS = {
    "sources": {"source_id", "role", "authors", "title"},
    "paragraphs": {"source_id", "seq", "section", "char_start", "char_end", "page_start", "page_end", "text"},
    "page_spans": {"source_id", "char_start", "char_end", "page"},
    "quotes": {"quote_id", "source_id", "text", "char_start", "char_end", "page_start", "citation_id", "speaker_id"},
    "editorial_changes": {"change_id", "source_id", "kind", "description", "raw_line", "char_offset"},
    "citations": {"citation_id", "source_id", "cited_as", "char_start", "char_end"},
    "regimes": {"regime_id", "name"}, "places": {"place_id", "name"},
    "comparisons": {"comparison_id", "quote_id"}, "comparison_sides": {"comparison_id", "side_id", "quote_id"},
    "phases": {"phase_id", "quote_id", "date_edtf"}, "purges": {"purge_id", "quote_id", "date_edtf"},
    "rhetoric": {"rhetoric_id", "quote_id", "date_edtf"},
}
ESSAY_VIEWS = {"quote_context", "comparison_matrix"}


@dataclass
class Table:
    name: str
    title: str
    description: str
    columns: list[str]
    primary_key: list[str]
    foreign_keys: dict[str, tuple[str, str]]  # column → (table, column), single-column keys only
    rows: list[dict[str, str]] = field(default_factory=list)

    def row_id(self, row: dict[str, str]) -> str:
        """Stable fragment of a row: `events/<event_id>`."""
        keys = self.primary_key or self.columns[:1]
        return "/".join([self.name, *(row[k] for k in keys)])


@dataclass
class SiteData:
    root: Path
    descriptor: dict
    tables: dict[str, Table]
    con: duckdb.DuckDBPyConnection

    is_histpack: bool = False
    analyzed: list[dict] = field(default_factory=list)  # the analysed sources, the one on index.html first
    quote_source: dict[str, str] = field(default_factory=dict)  # quote_id → its source_id
    quote_rows: dict[str, dict] = field(default_factory=dict)  # quote_id → its row
    paragraph_seq: dict[str, str] = field(default_factory=dict)  # paragraph_id → its number in its source

    def source_page(self, source_id: str) -> str:
        """index.html for the first analysed source (see `reading_order`), source-<id>.html for the others."""
        if self.analyzed and self.analyzed[0]["source_id"] == source_id:
            return "index.html"
        return f"source-{page_name(source_id)}.html"

    def quote_href(self, quote_id: str, fragment: str | None = None) -> str:
        """The reading page of the quote's source, opened at the quote (or at a row resting on it)."""
        return f"{self.source_page(self.quote_source.get(quote_id, ''))}#{fragment or quote_id}"

    def paginated(self, source_id: str) -> bool:
        """Whether the source has printed pages: its record gives a page range, or its page map more than
        one page. A statute or a web page has none (its text counts as one page, 1) and is never cited by
        a page number."""
        row = next((r for r in self.tables["sources"].rows if r["source_id"] == source_id), {})
        pages = {r["page"] for r in self.tables["page_spans"].rows if r["source_id"] == source_id}
        return bool(row.get("pages")) or len(pages) > 1

    def locator(self, quote_id: str) -> str:
        """Where a quote is in its source, as a reader finds it: "p. 87", or "¶ 4" (its paragraph) in a
        source without printed pages."""
        quote = self.quote_rows.get(quote_id, {})
        if self.paginated(quote.get("source_id", "")):
            first, last = quote.get("page_start", ""), quote.get("page_end", "")
            return f"p. {first}" if not last or last == first else f"pp. {first}–{last}"
        return f"¶ {self.paragraph_seq.get(quote.get('paragraph_id', ''), '?')}"

    def cited_as(self, source_id: str) -> str:
        row = next((r for r in self.tables["sources"].rows if r["source_id"] == source_id), {})
        return row.get("cited_as") or source_id

    def holds_the_essay(self) -> bool:
        if any(t not in self.tables or not cols <= set(self.tables[t].columns) for t, cols in ESSAY_COLUMNS.items()):
            return False
        views = {r[0] for r in self.con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        if not ESSAY_VIEWS <= views:
            return False
        return any(r.get("role") == "analyzed" for r in self.tables["sources"].rows)


def _schema(root: Path, resource: dict) -> dict:
    schema = resource.get("schema", {})
    if isinstance(schema, str):  # read_descriptor has refused any path leaving the package
        schema = json.loads((root / schema).read_text(encoding="utf-8"))
    return schema if isinstance(schema, dict) else {}


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_site_data(package: Path, con: duckdb.DuckDBPyConnection | None = None) -> SiteData:
    """The package's tables, from `con` if it holds them already (loaded once by the caller)."""
    descriptor_path, descriptor = read_descriptor(Path(package))
    root = descriptor_path.parent
    if con is None:
        con = duckdb.connect()
        load_into(con, root)
    tables: dict[str, Table] = {}
    for resource in descriptor["resources"]:
        name = resource["name"]
        table = TableSchema.from_frictionless(name, _schema(root, resource), resource)
        columns = table.names
        pk = list(table.primary_key)
        fks = {fk.fields[0]: (fk.table, fk.reference[0]) for fk in table.foreign_keys if len(fk.fields) == 1}
        cursor = con.execute(f"SELECT * FROM {ident(name)}")
        names = [d[0] for d in cursor.description]
        records = [dict(zip(names, map(_display, r))) for r in cursor.fetchall()]
        columns = columns or names
        order = [c for c in (pk or columns) if c in names]
        records.sort(key=lambda r: tuple(r[c] for c in order))
        tables[name] = Table(name, resource.get("title", name), resource.get("description", ""), columns, pk, fks,
                             records)
    data = SiteData(root, descriptor, tables, con)
    data.is_histpack = data.holds_the_essay()
    if data.is_histpack:
        data.analyzed = reading_order(data)
        data.quote_source = {q["quote_id"]: q["source_id"] for q in tables["quotes"].rows}
        data.quote_rows = {q["quote_id"]: q for q in tables["quotes"].rows}
        data.paragraph_seq = {p["paragraph_id"]: p["seq"] for p in tables["paragraphs"].rows if "paragraph_id" in p}
    return data


def reading_order(data: SiteData) -> list[dict]:
    """The analysed sources, the one with the most quotes first (ties by id), the rest by id.

    The site opens (index.html) on the package's main text, so a further source that attests a few
    dates does not displace it, whatever its id; with one source this is simply that source."""
    counts: dict[str, int] = {}
    for q in data.tables["quotes"].rows:
        counts[q["source_id"]] = counts.get(q["source_id"], 0) + 1
    analysed = sorted((r for r in data.tables["sources"].rows if r.get("role") == "analyzed"),
                      key=lambda r: r["source_id"])
    if not analysed:
        return []
    first = min(analysed, key=lambda r: (-counts.get(r["source_id"], 0), r["source_id"]))
    return [first, *(r for r in analysed if r is not first)]
