"""The reading view of an analysed source (the essay): its canonical text rebuilt from the
package's `paragraphs`, with every quote highlighted by the kind of row resting on it, printed
pages in the margin, footnote references where the markers stood, the citations that stand in it,
editorial changes marked, and unanchored sentences shaded.

Quotes nest and sometimes cross; HTML elements cannot cross, so a quote that crosses another is
closed and reopened around it. Its first piece carries the quote's id, so each quote is one
highlight with a stable fragment (`#q86-…`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from html import escape

from histpack.annotate.date_words import date_in_words
from histpack.text.canonical import PARAGRAPH_SEPARATOR, CanonicalText, Paragraph
from histpack.text.coverage import coverage
from histpack.model.conventions import ENTITIES
from histpack.site.data import SiteData, page_name

# Which kind of row a quote's colour shows, strongest first.
KIND_OF_TABLE = {"events": "event", "phases": "phase", "purges": "purge", "rhetoric": "rhetoric",
                 "comparison_sides": "side", "comparisons": "comparison", "theses": "thesis",
                 "terms": "term", "term_occurrences": "term",
                 "persons": "mention", "places": "mention", "regimes": "mention", "attestations": "attestation",
                 "slips": "slip"}
KIND_ORDER = ["event", "phase", "purge", "rhetoric", "side", "comparison", "thesis", "term", "attestation", "slip",
              "citation", "mention"]
KIND_LABELS = {"event": "event", "phase": "phase", "purge": "purge", "rhetoric": "rhetoric",
               "side": "comparison side", "comparison": "comparison", "thesis": "thesis", "term": "regime's term",
               "attestation": "attestation (what this source says of an entity)",
               "slip": "the source's own slip, marked [sic]", "citation": "cited source",
               "mention": "first mention (person, place, regime)"}
KEY_FIELDS = {"events": ["title", "event_type"], "phases": ["label", "phase_type", "campaign", "seq"],
              "purges": ["target", "target_group", "instigator_id"], "rhetoric": ["speaker_id", "theme", "summary"],
              "theses": ["statement", "held_by", "stance"], "comparisons": ["dimension", "relation", "claim"],
              "comparison_sides": ["comparison_id", "side_id", "side_summary"], "persons": ["name", "role"],
              "places": ["name", "kind"], "regimes": ["name", "state"], "terms": ["term", "gloss"],
              "term_occurrences": ["term_id"], "slips": ["kind", "reading"],
              "attestations": ["person_id", "place_id", "regime_id", "event_id", "phase_id", "purge_id", "summary"]}
ENTITY_TABLES = {e.id_column: e.table for e in ENTITIES}  # an attestation's entity, by the column it fills
_FOOTNOTE_MARKER = re.compile(r"footnote marker (\d+)")
_NOTE_NUMBER = re.compile(r"^(\d+)\s")


@dataclass
class Range:
    start: int
    end: int
    order: tuple
    opening: str  # first piece
    reopening: str  # a piece after a crossing
    closing: str


def table_page(name: str) -> str:
    return f"table-{page_name(name)}.html"


def row_href(data: SiteData, table: str, row_id: str) -> str:
    return f"{table_page(table)}#{row_id}"


def rows_by_quote(data: SiteData) -> dict[str, list[tuple[str, dict]]]:
    """Every row that rests on each quote: (table, row), tables in a fixed order. A source's page
    opens `…#events/…` at that row's quote, so a row's fragment works there too."""
    out: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for name in sorted(data.tables):
        table = data.tables[name]
        if name == "quotes" or "quote_id" not in table.columns:
            continue
        for row in table.rows:
            if row.get("quote_id"):
                out[row["quote_id"]].append((name, row))
    return out


def quote_kind(quote: dict, resting: list[tuple[str, dict]]) -> tuple[str, list[str]]:
    kinds = {KIND_OF_TABLE.get(t, "mention") for t, _ in resting}
    if quote.get("citation_id"):
        kinds.add("citation")
    ordered = [k for k in KIND_ORDER if k in kinds]
    return (ordered[0] if ordered else "mention"), ordered


def _attestation_links(data: SiteData, row: dict) -> list[list[str]]:
    """An attestation's entity: its row in the table, and the quote its own source dates it by."""
    links = []
    for column, table_name in ENTITY_TABLES.items():
        entity_id = row.get(column)
        table = data.tables.get(table_name)
        if not entity_id or table is None:
            continue
        entity = next((r for r in table.rows if r.get(column) == entity_id), None)
        links.append([f"{table_name}:{entity_id}", row_href(data, table_name, f"{table_name}/{entity_id}")])
        if entity and entity.get("quote_id"):
            source = data.cited_as(data.quote_source.get(entity["quote_id"], ""))
            said = f"as {source} gives it" + (f" ({date_in_words(entity['date_edtf'])})" if entity.get("date_edtf") else "")
            links.append([said, data.quote_href(entity["quote_id"], f"{table_name}/{entity_id}")])
    return links


def across_sources(data: SiteData) -> dict[str, list[dict]]:
    """For each quote, what other sources say of the entity dated on it (the `source_dates` view)."""
    out: dict[str, list[dict]] = defaultdict(list)
    if "attestations" not in data.tables:
        return out
    pairs = data.con.execute(
        "SELECT entity_kind, entity_id, label, source_a, date_a, quote_a, source_b, date_b, quote_b, agreement "
        "FROM source_dates ORDER BY entity_kind, entity_id, source_a, source_b, quote_a, quote_b").fetchall()
    for kind, entity_id, label, src_a, date_a, q_a, src_b, date_b, q_b, agreement in pairs:
        for own, own_date, other, other_date, other_quote in ((q_a, date_a, src_b, date_b, q_b),
                                                              (q_b, date_b, src_a, date_a, q_a)):
            out[own].append({"entity": f"{kind} {label}", "date": date_in_words(own_date), "source": data.cited_as(other),
                             "other_date": date_in_words(other_date), "href": data.quote_href(other_quote),
                             "agreement": agreement})
    return out


def quote_index(data: SiteData, source_id: str | None = None) -> dict[str, dict]:
    """What the highlight of each quote (of `source_id`, else all) opens: its words, citation, the rows
    on it and what other sources say of the entities it dates."""
    citations = dict(data.con.execute("SELECT quote_id, citation FROM quote_context").fetchall())
    sic = held_slips(data)
    resting = rows_by_quote(data)
    across = across_sources(data)
    index = {}
    for quote in data.tables["quotes"].rows:
        qid = quote["quote_id"]
        if source_id is not None and quote["source_id"] != source_id:
            continue
        rows = []
        for table_name, row in resting.get(qid, []):
            table = data.tables[table_name]
            fields = [[k, row[k]] for k in KEY_FIELDS.get(table_name, table.columns[1:4]) if row.get(k)]
            entry = {"table": table_name, "id": table.row_id(row), "href": row_href(data, table_name, table.row_id(row)),
                     "fields": fields, "date": row.get("date_edtf", ""), "when": date_in_words(row.get("date_edtf")),
                     "note": row.get("editorial_note", "")}
            if table_name == "attestations":
                entry["links"] = _attestation_links(data, row)
            rows.append(entry)
        index[qid] = {"text": quote["text"], "citation": citations.get(qid, ""), "page": quote["page_start"],
                      "speaker": quote.get("speaker_id", ""), "cited": quote.get("citation_id", ""), "rows": rows}
        if across.get(qid):
            index[qid]["across"] = across[qid]
        if sic.get(qid):
            index[qid]["sic"], index[qid]["slips"] = sic[qid]
    return index


def held_slips(data: SiteData) -> dict[str, tuple[str, list[list[str]]]]:
    """For each quote that holds a slip of its source: its words with “[sic]” after each slip
    (`quote_context.text_sic`), and per slip its words, the intended reading and its row."""
    if "slips" not in data.tables:
        return {}
    marked = dict(data.con.execute("SELECT quote_id, text_sic FROM quote_context WHERE text_sic <> text").fetchall())
    out: dict[str, tuple[str, list[list[str]]]] = {}
    for qid, slip_id, words, reading in data.con.execute(
            "SELECT quote_id, slip_id, slip_text, reading FROM quote_slips ORDER BY quote_id, slip_start, slip_id").fetchall():
        entry = out.setdefault(qid, (marked.get(qid, ""), []))
        entry[1].append([words, reading or "", row_href(data, "slips", f"slips/{slip_id}")])
    return out


def _canonical(data: SiteData, source_id: str) -> CanonicalText:
    """The canonical text as the package records it: paragraphs at their offsets."""
    paras = sorted((r for r in data.tables["paragraphs"].rows if r["source_id"] == source_id),
                   key=lambda r: int(r["char_start"]))
    text = PARAGRAPH_SEPARATOR.join(r["text"] for r in paras)
    paragraphs = [Paragraph(int(r["seq"]), r["section"], int(r["char_start"]), int(r["char_end"]),
                            int(r["page_start"]), int(r["page_end"]), r["text"]) for r in paras]
    for p in paragraphs:
        if text[p.char_start:p.char_end] != p.text:
            raise ValueError(f"paragraph {p.seq} is not at its offsets")
    spans = sorted((int(r["char_start"]), int(r["char_end"]), int(r["page"]))
                   for r in data.tables["page_spans"].rows if r["source_id"] == source_id)
    return CanonicalText(source_id, text, paragraphs, spans, [], [], "")


def quote_pieces(spans: list[tuple[str, int, int]], cuts: set[int]) -> dict[str, list[tuple[int, int, tuple]]]:
    """Each quote as pieces that never nest in one another: every stretch of text belongs to the
    innermost quote over it (the latest to start; the shorter on a tie), and records the quotes it
    lies within (`enclosing`), so a quote inside a quote is a highlight of its own beside, not
    within, the outer one's. Pieces are also cut at `cuts` (links in the text, such as footnote
    references), so no link sits inside a highlight. A quote whose every character lies in another
    of the very same span keeps its whole span (and nests)."""
    bounds = sorted({p for _, a, b in spans for p in (a, b)} | cuts)
    pieces: dict[str, list[tuple[int, int, tuple]]] = {}
    ordered = sorted(spans, key=lambda s: (s[1], -s[2], s[0]))
    for left, right in zip(bounds, bounds[1:]):
        over = [s for s in ordered if s[1] <= left and right <= s[2]]
        if not over:
            continue
        inner = max(over, key=lambda s: (s[1], -s[2], s[0]))
        enclosing = tuple(s[0] for s in over if s is not inner)
        own = pieces.setdefault(inner[0], [])
        if own and own[-1][1] == left and own[-1][2] == enclosing and left not in cuts:
            own[-1] = (own[-1][0], right, enclosing)
        else:
            own.append((left, right, enclosing))
    return pieces


def _interactive_points(data: SiteData, source_id: str, canonical: CanonicalText) -> set[int]:
    """Offsets where a link is inserted into the text (a footnote reference)."""
    return {int(c["char_offset"]) for c in data.tables["editorial_changes"].rows
            if c["source_id"] == source_id and c.get("char_offset") and c["kind"] == "footnote_marker_removed"
            and int(c["char_offset"]) < len(canonical.text)}


def render_text(text: str, base: int, ranges: list[Range], points: dict[int, list[str]]) -> str:
    """`text` (starting at offset `base`) with properly nested elements for `ranges` and markup
    inserted at `points`; ranges that cross are closed and reopened."""
    end = base + len(text)
    ranges = [r for r in ranges if r.start < r.end and r.start < end and r.end > base]
    bounds = sorted({base, end} | {max(r.start, base) for r in ranges} | {min(r.end, end) for r in ranges}
                    | {p for p in points if base <= p <= end})
    starting = defaultdict(list)
    for r in ranges:
        starting[max(r.start, base)].append(r)
    out, stack = [], []
    for n, pos in enumerate(bounds):
        ending = [i for i, r in enumerate(stack) if r.end <= pos]
        if ending:
            cut = min(ending)
            popped = stack[cut:]
            out.extend(r.closing for r in reversed(popped))
            del stack[cut:]
            for r in popped:
                if r.end > pos:
                    out.append(r.reopening)
                    stack.append(r)
        out.extend(points.get(pos, []))
        for r in sorted(starting[pos], key=lambda r: (-r.end, r.order)):
            out.append(r.opening)
            stack.append(r)
        if n + 1 < len(bounds):
            out.append(escape(text[pos - base:bounds[n + 1] - base], quote=False))
    out.extend(r.closing for r in reversed(stack))
    return "".join(out)


def render_essay(data: SiteData, source_id: str | None = None) -> tuple[str, dict, dict]:
    """The <article> of one analysed source (the first, see `reading_order`, unless named) and the
    index of its quotes; plus counts for the report. Only the citations that stand in this source
    are marked in it."""
    source_id = source_id or data.analyzed[0]["source_id"]
    canonical = _canonical(data, source_id)
    quotes = [q for q in data.tables["quotes"].rows if q["source_id"] == source_id]
    citations = [c for c in data.tables["citations"].rows if c["source_id"] and c.get("char_start")
                 and c.get("citing_source_id", source_id) == source_id]
    cite_spans = [c for c in citations if canonical.text[int(c["char_start"]):int(c["char_end"])] == c["cited_as"]]
    spans = [(q["quote_id"], int(q["char_start"]), int(q["char_end"])) for q in quotes]
    spans += [(c["citation_id"], int(c["char_start"]), int(c["char_end"])) for c in cite_spans]
    measured = coverage(canonical, spans)
    index = quote_index(data, source_id)
    resting = rows_by_quote(data)

    ranges: list[Range] = []
    pieces = quote_pieces([(q["quote_id"], int(q["char_start"]), int(q["char_end"])) for q in quotes],
                          _interactive_points(data, source_id, canonical))
    paginated = data.paginated(source_id)
    for q in quotes:
        qid = q["quote_id"]
        kind, kinds = quote_kind(q, resting.get(qid, []))
        n_rows = len(resting.get(qid, []))
        attrs = f'class="q k-{kind}" data-q="{escape(qid)}" data-kinds="{" ".join(kinds)}"'
        page = f"p. {q['page_start']} — " if paginated else ""
        title = f"{page}{n_rows} row{'s' if n_rows != 1 else ''}: {', '.join(KIND_LABELS[k] for k in kinds)}"
        first = True
        for start, end, enclosing in pieces.get(qid, [(int(q["char_start"]), int(q["char_end"]), ())]):
            inside = f' data-in="{escape(" ".join(enclosing))}"' if enclosing else ""
            opening = (f'<mark id="{escape(qid)}" {attrs}{inside} tabindex="0" role="button" title="{escape(title)}">'
                       if first else f'<mark {attrs}{inside} data-cont="1">')
            ranges.append(Range(start, end, (0, qid, start), opening, f'<mark {attrs}{inside} data-cont="1">', "</mark>"))
            first = False
    for s in measured.uncovered:
        ranges.append(Range(s.char_start, s.char_end, (1, s.char_start), '<span class="uncov">',
                            '<span class="uncov">', "</span>"))
    for c in cite_spans:
        ranges.append(Range(int(c["char_start"]), int(c["char_end"]), (2, c["citation_id"]),
                            f'<cite class="ref" title="citation {escape(c["citation_id"])}">', '<cite class="ref">',
                            "</cite>"))
    points: dict[int, list[str]] = defaultdict(list)
    slip_quotes = {q["quote_id"]: q for q in quotes}
    for slip in data.tables["slips"].rows if "slips" in data.tables else []:
        words = slip_quotes.get(slip["quote_id"])
        if words is None:
            continue
        mended = f"; read “{slip['reading']}”" if slip.get("reading") else ""
        title = f"The source's own slip ({slip['kind'].replace('_', ' ')}): “{words['text']}”{mended}"
        points[int(words["char_end"])].append(f'<span class="sic" title="{escape(title)}"> [sic]</span>')
    changes = [c for c in data.tables["editorial_changes"].rows if c["source_id"] == source_id]
    note_numbers = {}
    for p in canonical.paragraphs:
        m = _NOTE_NUMBER.match(p.text)
        if p.section == "note" and m:
            note_numbers[p.seq] = m.group(1)
    unplaced = []
    for change in changes:
        offset = int(change["char_offset"]) if change.get("char_offset") else None
        if offset is None or offset >= len(canonical.text):
            unplaced.append(change)
            continue
        marker = _FOOTNOTE_MARKER.search(change["description"])
        if change["kind"] == "footnote_marker_removed" and marker:
            n = marker.group(1)
            points[offset].append(f'<sup class="fnref"><a id="fnref{n}" href="#fn{n}" aria-label="note {n}" '
                                  f'title="{escape(change["description"])}">{n}</a></sup>')
        title = escape(f"{change['kind'].replace('_', ' ')}: {change['description']}")
        ranges.append(Range(offset, offset + 1, (3, change["change_id"]),
                            f'<span class="ed" id="{escape(change["change_id"])}" title="{title}">',
                            '<span class="ed">', "</span>"))
    page_starts = {start: page for start, _, page in canonical.page_spans}
    notes_start = min((p.char_start for p in canonical.paragraphs if p.section == "note"), default=len(canonical.text))
    for start, page in sorted(page_starts.items()):
        if start < notes_start and paginated:
            points[start].insert(0, f'<span class="page" id="page-{page}" data-page="{page}" role="note" '
                                    f'aria-label="page {page}">{page}</span>')

    parts = []
    section = None
    for p in canonical.paragraphs:
        if p.section != section:
            if section is not None:
                parts.append("</section>")
            section = p.section
            heading = {"abstract": "Abstract", "epigraph": "Epigraph", "body": "Essay", "note": "Notes"}.get(section, section)
            parts.append(f'<section class="s-{escape(section)}" aria-label="{escape(heading)}">')
            if section == "note":
                parts.append("<h2>Notes</h2>")
        inner = render_text(p.text, p.char_start, ranges, points)
        if p.section == "note" and p.seq in note_numbers:
            n = note_numbers[p.seq]
            margin = (f'<span class="page note-page" data-page="{p.page_start}">p. {p.page_start}</span>'
                      if paginated else "")
            parts.append(f'<p class="para note" id="fn{n}" data-page="{p.page_start}">{margin}{inner} '
                         f'<a href="#fnref{n}" aria-label="back to the text">↩</a></p>')
        else:
            parts.append(f'<p class="para" id="para-{p.seq}">{inner}</p>')
    parts.append("</section>")
    if unplaced:
        items = "".join(f'<li id="{escape(c["change_id"])}"><b>{escape(c["kind"].replace("_", " "))}</b> '
                        f'(raw line {escape(c["raw_line"])}): {escape(c["description"])}</li>' for c in unplaced)
        parts.append(f'<section class="changes"><h2>Editorial changes to the whole text</h2><ul>{items}</ul>'
                     f'<p>Changes at one place are marked in the text with a dotted underline; '
                     f'hover or focus them for what was changed.</p></section>')
    stats = {"quotes": len(quotes), "sentences": sum(p.sentences for p in measured.paragraphs),
             "covered": sum(p.covered for p in measured.paragraphs), "changes_marked": len(changes) - len(unplaced),
             "citations": len(cite_spans), "uncovered": len(measured.uncovered), "paginated": paginated}
    return "".join(parts), index, stats
