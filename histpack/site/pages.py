"""The site's pages as HTML strings: one shell, a reading page per analysed source, an index of
tables, a page per table, the comparisons, the timeline and (with attestations) across sources. Plain semantic HTML that reads without JavaScript; `site.js`
only adds the panel, filters and sorting."""

from __future__ import annotations

import itertools
import json
from html import escape

from histpack.annotate.date_words import date_in_words
from histpack.model.conventions import ENTITIES
from histpack.site.data import SiteData, Table
from histpack.site.essay import KIND_LABELS, KIND_ORDER, render_essay, table_page

ASSET_CSS, ASSET_JS = "assets/site.css", "assets/site.js"
SOURCES_PAGE = "across-sources.html"


def shell(data: SiteData, title: str, current: str, body: str, extra_head: str = "") -> str:
    links = []
    if data.is_histpack:
        links += [(data.source_page(r["source_id"]), r.get("cited_as") or r["source_id"]) for r in data.analyzed]
    links.append(("tables.html", "Tables"))
    if data.is_histpack:
        links += [("comparisons.html", "Comparisons"), ("timeline.html", "Timeline")]
        if has_attestations(data):
            links.append((SOURCES_PAGE, "Across sources"))
    current_attr = ' aria-current="page"'
    nav = "".join(f'<li><a href="{href}"{current_attr if href == current else ""}>{escape(text)}</a></li>'
                  for href, text in links)
    name = escape(data.descriptor.get("title") or data.descriptor.get("name") or "Data package")
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)} — {name}</title><link rel=\"stylesheet\" href=\"{ASSET_CSS}\">{extra_head}</head>"
            f"<body><a class=\"skip\" href=\"#main\">Skip to content</a>"
            f"<header><p class=\"site-name\">{name}</p><nav aria-label=\"Views\"><ul>{nav}</ul></nav></header>"
            f"<main id=\"main\">{body}</main>"
            f"<script src=\"{ASSET_JS}\"></script></body></html>\n")


def json_script(element_id: str, value) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    safe = text.replace("<", "\\u003c")  # no `</script>` or `<!--` can end or bend the element
    return f'<script type="application/json" id="{element_id}">{safe}</script>'


def has_attestations(data: SiteData) -> bool:
    return bool(data.tables.get("attestations") and data.tables["attestations"].rows)


def source_heading(source: dict) -> tuple[str, str]:
    """`Authors, “Title”` and `Container volume, no. issue (year): pages.` from the parts the
    record gives; a missing part leaves no stray punctuation."""
    title = f"“{escape(source['title'])}”" if source.get("title") else escape(source.get("cited_as") or source["source_id"])
    heading = ", ".join(p for p in (escape(source.get("authors", "")), title) if p)
    where = " ".join(escape(source[k]) for k in ("container", "volume") if source.get(k))
    if source.get("issue"):
        where = f"{where}, no. {escape(source['issue'])}" if where else f"no. {escape(source['issue'])}"
    if source.get("year"):
        where = f"{where} ({escape(source['year'])})" if where else escape(source["year"])
    if source.get("pages"):
        where = f"{where}: {escape(source['pages'])}" if where else f"pp. {escape(source['pages'])}"
    return heading, f"{where}. " if where else ""


def index_has_slips(index: dict) -> bool:
    return any("slips" in entry for entry in index.values())


def essay_page(data: SiteData, source: dict | None = None) -> tuple[str, dict]:
    """The reading page of one analysed source (the first, see `reading_order`, unless given)."""
    essay = source or data.analyzed[0]
    from histpack.site.publish import is_withheld, render_quotations

    # a text its rights keep out of the package (a release, `--publish`): its quoted passages only
    render = render_quotations if is_withheld(data, essay["source_id"]) else render_essay
    article, index, stats = render(data, essay["source_id"])
    kinds = [k for k in KIND_ORDER if (k != "attestation" or has_attestations(data))
             and (k != "slip" or index_has_slips(index))]
    key = "".join(f'<li><mark class="q k-{k}">{escape(KIND_LABELS[k])}</mark></li>' for k in kinds)
    share = 100 * stats["covered"] / max(stats["sentences"], 1)
    heading, where = source_heading(essay)
    margin = "Printed pages in the margin. " if stats.get("paginated", True) else ""
    key_items = [key, '<li><span class="uncov">sentence no row anchors</span></li>']
    if stats.get("changes_marked"):
        key_items.append('<li><span class="ed">e</span> editorial change to the text as received</li>')
    if stats.get("citations"):
        key_items.append('<li><cite class="ref">Author 12</cite> in-text citation</li>')
    head = (f"<h1>{heading}</h1>"
            f"<p class=\"meta\">{where}{margin}{stats['quotes']} quotes highlighted"
            + (" (the quoted passages only)." if stats.get("withheld") else
               f"; {stats['covered']} of {stats['sentences']} sentences ({share:.0f}%) anchored by a row.")
            + "</p>"
            f"<details class=\"legend\" open><summary>Key</summary><ul class=\"kinds\">{''.join(key_items)}</ul>"
            f"<p>Select a highlight (click, or Tab then Enter) to list the rows that rest on it.</p></details>")
    panel = ('<aside id="panel" class="idle" aria-live="polite" aria-label="Rows resting on the selected quote" hidden>'
             '<button type="button" class="close" aria-label="Close the panel">×</button><div class="content">'
             '<p>Select a highlighted passage to see the rows that rest on it, with their dates, editorial notes '
             'and the citation.</p></div></aside>')
    body = f'<div class="essay-wrap"><article class="essay">{head}{article}</article>{panel}</div>{json_script("quotes-data", index)}'
    page = data.source_page(essay["source_id"])
    return shell(data, essay.get("cited_as") or essay["source_id"], page, body), stats


def _cell(data: SiteData, table: Table, column: str, row: dict) -> str:
    value = row.get(column, "")
    if not value:
        return "<td></td>"
    text = escape(value)
    if column in table.primary_key and len(table.primary_key) == 1:
        return f'<td class="key"><a href="#{escape(table.row_id(row))}">{text}</a></td>'
    if column in table.foreign_keys:
        target, _ = table.foreign_keys[column]
        ref = data.tables.get(target)
        if ref is not None:
            link = f'<a href="{table_page(target)}#{escape(target)}/{text}">{text}</a>'
            if target == "quotes" and data.is_histpack:
                link += _to_text(data, value)
            return f"<td>{link}</td>"
    if column.endswith("_edtf"):
        return f'<td class="date"><span class="words">{escape(date_in_words(value))}</span> <code>{text}</code></td>'
    if len(value) > 60:
        return f'<td class="long"><div class="clip">{text}</div></td>'
    return f'<td class="short">{text}</td>' if len(value) <= 12 else f"<td>{text}</td>"


def _to_text(data: SiteData, quote_id: str) -> str:
    """The link from a table to a quote in place, on its own source's page."""
    source = data.cited_as(data.quote_source.get(quote_id, ""))
    return (f' <a class="to-essay" href="{escape(data.quote_href(quote_id))}" '
            f'title="read it in {escape(source)}">essay ↗</a>')


def table_page_html(data: SiteData, table: Table) -> str:
    head = "".join(f'<th scope="col">{escape(c).replace("_", "_<wbr>")}</th>' for c in table.columns)
    body_rows = []
    for row in table.rows:
        cells = "".join(_cell(data, table, c, row) for c in table.columns)
        if table.name == "quotes" and data.is_histpack:
            cells = cells.replace(f'<a href="#{escape(table.row_id(row))}">{escape(row["quote_id"])}</a>',
                                  f'<a href="#{escape(table.row_id(row))}">{escape(row["quote_id"])}</a>'
                                  + _to_text(data, row["quote_id"]), 1)
        body_rows.append(f'<tr id="{escape(table.row_id(row))}">{cells}</tr>')
    fks = "".join(f"<li><code>{escape(c)}</code> → <a href=\"{table_page(t)}\">{escape(t)}</a></li>"
                  for c, (t, _) in sorted(table.foreign_keys.items()))
    body = (f"<h1>{escape(table.title)} <small>(<code>{escape(table.name)}</code>, {len(table.rows)} rows)</small></h1>"
            f"<p>{escape(table.description)}</p>"
            + (f"<details><summary>Links to other tables</summary><ul>{fks}</ul></details>" if fks else "")
            + f'<div class="table-wrap"><table class="data" data-filterable="1" aria-describedby="count">'
            f"<caption id=\"count\">{len(table.rows)} rows</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body_rows)}</tbody></table></div>")
    return shell(data, table.title, table_page(table.name), body)


def tables_index(data: SiteData) -> str:
    items = "".join(f'<li><a href="{table_page(t.name)}">{escape(t.title)}</a> <code>{escape(t.name)}</code> '
                    f'— {len(t.rows)} rows. {escape(t.description)}</li>' for t in data.tables.values())
    note = "" if data.is_histpack else ("<p class=\"note\">This is not a histpack essay package (it lacks "
                                        "the essay's text, quotes and page map): only the table pages are built.</p>")
    return shell(data, "Tables", "tables.html", f"<h1>Tables</h1>{note}<ul class=\"tables\">{items}</ul>")


def comparisons_page(data: SiteData) -> str:
    con = data.con
    rows = con.execute(
        "SELECT m.comparison_id, m.dimension, m.relation, m.basis, m.claim, m.side_id, m.regime_id, m.place_id, "
        "m.side_summary, m.quote, m.pages, s.quote_id, c.quote_id, m.comparison_quote, m.comparison_page, "
        "m.source_id, m.side_cited_as "
        "FROM comparison_matrix m JOIN comparison_sides s USING (comparison_id, side_id) "
        "JOIN comparisons c USING (comparison_id) ORDER BY m.comparison_id, m.side_id").fetchall()
    regime_names = {r["regime_id"]: r["name"] for r in data.tables["regimes"].rows}
    place_names = {r["place_id"]: r["name"] for r in data.tables["places"].rows}
    articles, pairs, dimensions = [], set(), set()
    for cid, group in itertools.groupby(rows, key=lambda r: r[0]):
        group = list(group)
        _, dimension, relation, basis, claim = map(str, group[0][:5])
        sides = sorted({str(r[6]) for r in group})
        pair_keys = {" ".join(p) for p in itertools.combinations(sides, 2)}
        pairs |= pair_keys
        dimensions.add(dimension)
        side_html = []
        for r in group:
            side_name = place_names.get(r[7]) if r[7] else regime_names.get(r[6], r[6])
            side_html.append(f'<section class="side"><h3>{escape(str(side_name))}</h3><p>{escape(str(r[8]))}</p>'
                             f'<blockquote><a href="{escape(data.quote_href(r[11]))}">“{escape(str(r[9]))}”</a></blockquote>'
                             f'<p class="pages">{escape(str(r[16]))}, {escape(data.locator(r[11]))}</p></section>')
        articles.append(
            f'<article class="cmp" id="comparisons/{escape(cid)}" data-dimension="{escape(dimension)}" '
            f'data-pairs="{escape("|".join(sorted(pair_keys)))}"><h2>{escape(claim)}</h2>'
            f'<p class="facets"><span>dimension: <b>{escape(dimension)}</b></span> <span>relation: <b>{escape(relation)}</b> '
            f'({escape(basis)})</span> <a href="table-comparisons.html#comparisons/{escape(cid)}">comparisons/{escape(cid)}</a></p>'
            f'<p class="cq">{escape(data.cited_as(str(group[0][15])))}: '
            f'<a href="{escape(data.quote_href(group[0][12]))}">“{escape(str(group[0][13]))}”</a> '
            f'({escape(data.locator(group[0][12]))})</p><div class="sides">{"".join(side_html)}</div></article>')

    def label(pair: str) -> str:
        return " – ".join(regime_names.get(r, r) for r in pair.split(" "))

    pair_options = "".join(f'<option value="{escape(p)}">{escape(label(p))}</option>' for p in sorted(pairs))
    dim_options = "".join(f'<option value="{escape(d)}">{escape(d)}</option>' for d in sorted(dimensions))
    filters = (f'<form class="filters" id="cmp-filters" hidden><label>Regime pair <select name="pair">'
               f'<option value="">all</option>{pair_options}</select></label> <label>Dimension <select name="dimension">'
               f'<option value="">all</option>{dim_options}</select></label> <output id="cmp-count" aria-live="polite">'
               f'</output></form>')
    words = "the essay's own words" if len(data.analyzed) == 1 else "its source's own words"
    body = f"<h1>Comparisons</h1><p>{len(articles)} comparisons; each side in {words}.</p>{filters}{''.join(articles)}"
    return shell(data, "Comparisons", "comparisons.html", body)


ENTITY_TABLE = {e.kind: e.table for e in ENTITIES}


def _evidence_link(data: SiteData, source_id: str, quote_id: str, with_source: bool = True) -> str:
    """A link to a quote on its source's page: "Author 1999, p. 87" (or "¶ 4" where the source has no pages)."""
    where = data.locator(quote_id)
    text = f"{data.cited_as(source_id)}, {where}" if with_source else where
    return f'<a href="{escape(data.quote_href(quote_id))}">{escape(text)}</a>'


def _entity_cell(kind: str, entity_id: str, label: str, tag: str = "td") -> str:
    table = ENTITY_TABLE[kind]
    scope = ' scope="row"' if tag == "th" else ""
    return (f'<{tag}{scope}>{escape(kind)} '
            f'<a href="{table_page(table)}#{escape(table)}/{escape(entity_id)}">{escape(str(label))}</a></{tag}>')


def shared_origin(a: dict, b: dict) -> str:
    """What two sources have in common that makes their agreement less than independent: the same
    author, or the same publication ("" when nothing)."""
    same = []
    if a.get("authors") and a.get("authors") == b.get("authors"):
        same.append(f"by the same author ({a['authors']})")
    if a.get("container") and a.get("container") == b.get("container"):
        same.append(f"published in the same work ({a['container']})")
    return " and ".join(same)


AGREEMENT_WORDS = {"same": "same dates", "nested": "one within the other", "overlap": "overlapping",
                   "differ": "different dates"}


def across_sources_page(data: SiteData) -> str:
    """The cross-source view: for each pair of analysed sources, the entities both date (`source_dates`),
    one row per pair of dates, with every quote that gives each, and whether they agree; a note when
    the two sources share an author or a publication (their agreement is not independent); then every
    entity more than one source speaks of (`entity_evidence`)."""
    pairs = data.con.execute(
        "SELECT source_a, source_b, entity_kind, entity_id, label, date_a, date_b, agreement, quote_a, quote_b "
        "FROM source_dates ORDER BY source_a, source_b, entity_kind, entity_id, date_a, date_b, quote_a, quote_b"
    ).fetchall()
    sources = {r["source_id"]: r for r in data.tables["sources"].rows}
    counts = {a: 0 for a in AGREEMENT_WORDS}
    sections = []
    for (src_a, src_b), group in itertools.groupby(pairs, key=lambda r: r[:2]):
        merged: dict[tuple, tuple[list[str], list[str]]] = {}
        for _, _, kind, entity_id, label, date_a, date_b, agreement, q_a, q_b in group:
            quotes_a, quotes_b = merged.setdefault((kind, entity_id, label, date_a, date_b, agreement), ([], []))
            quotes_a.append(q_a) if q_a not in quotes_a else None
            quotes_b.append(q_b) if q_b not in quotes_b else None
        rows = []
        for (kind, entity_id, label, date_a, date_b, agreement), (quotes_a, quotes_b) in merged.items():
            counts[agreement] = counts.get(agreement, 0) + 1
            said = [f'<td><b>{escape(date_in_words(d))}</b> <code>{escape(str(d))}</code><br>'
                    f'{", ".join(_evidence_link(data, src, q, with_source=False) for q in quotes)}</td>'
                    for d, src, quotes in ((date_a, src_a, quotes_a), (date_b, src_b, quotes_b))]
            rows.append(f'<tr data-agreement="{escape(agreement)}">{_entity_cell(kind, entity_id, label, "th")}'
                        f'{"".join(said)}<td class="agree-{escape(agreement)}">{escape(agreement)}</td></tr>')
        name_a, name_b = data.cited_as(src_a), data.cited_as(src_b)
        shared = shared_origin(sources.get(src_a, {}), sources.get(src_b, {}))
        caveat = (f'<p class="caveat"><strong>Not independent:</strong> both are {escape(shared)}. Where they agree, '
                  f"that is one origin's account twice, not corroboration from two.</p>" if shared else "")
        pair_id = f"pair/{src_a}/{src_b}"
        sections.append(
            f'<section class="pair" id="{escape(pair_id)}" aria-labelledby="{escape(pair_id)}-h">'
            f'<h3 id="{escape(pair_id)}-h">{escape(name_a)} and {escape(name_b)}</h3>{caveat}'
            f'<div class="table-wrap"><table class="data dates"><caption>{len(rows)} '
            f'date{"s" if len(rows) != 1 else ""} both give</caption><thead><tr><th scope="col">entity</th>'
            f'<th scope="col">{escape(name_a)}</th><th scope="col">{escape(name_b)}</th>'
            f'<th scope="col">agreement</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div></section>')
    summary = ", ".join(f"{n} {a}" for a, n in counts.items())
    dates = (f"<h2>Dates, by pair of sources</h2><p>Where two sources date the same entity ({summary}): <i>same</i> is "
             f"the same range, <i>nested</i> one date more precise and within the other, <i>overlap</i> ranges that "
             f"share some days, <i>differ</i> ranges that share none. Each date links to every quote that gives it."
             f"</p>{''.join(sections)}")
    evidence = data.con.execute(
        "SELECT entity_kind, entity_id, label, source_id, quote_id, date_edtf, origin FROM entity_evidence "
        "WHERE (entity_kind, entity_id) IN (SELECT entity_kind, entity_id FROM entity_evidence "
        "GROUP BY ALL HAVING count(DISTINCT source_id) > 1) "
        "ORDER BY entity_kind, entity_id, source_id, origin DESC, quote_id").fetchall()
    entities = []
    for (kind, entity_id, label), group in itertools.groupby(evidence, key=lambda r: r[:3]):
        said = "".join(f'<li>{_evidence_link(data, r[3], r[4])}'
                       f'{": " + escape(date_in_words(r[5])) if r[5] else ""}'
                       f'{" (attestation)" if r[6] == "attestation" else ""}</li>' for r in group)
        entities.append(f"<tr>{_entity_cell(kind, entity_id, label, 'th')}<td><ul>{said}</ul></td></tr>")
    shared = (f"<h2>Entities in more than one source</h2><p>{len(entities)} entities, with each source's evidence: the "
              f"row's own quote and every attestation.</p>"
              f'<div class="table-wrap"><table class="data" aria-label="entities in more than one source">'
              f'<thead><tr><th scope="col">entity</th><th scope="col">evidence</th></tr></thead>'
              f"<tbody>{''.join(entities)}</tbody></table></div>")
    names = ", ".join(escape(r.get("cited_as") or r["source_id"]) for r in data.analyzed)
    body = (f"<h1>Across sources</h1><p>What the analysed sources ({names}) say of the same entities. Each claim "
            f"links to its quote on its source's page.</p>{dates}{shared}")
    return shell(data, "Across sources", SOURCES_PAGE, body)


def timeline_page(data: SiteData, views: list[tuple[str, str, str, str]]) -> str:
    """`views` are (id, heading, the SVG, the notes under it). Each SVG scrolls inside its own box."""
    toggle = "".join(f'<button type="button" data-view="{v}" aria-pressed="{"true" if n == 0 else "false"}">{escape(h)}</button>'
                     for n, (v, h, _, _) in enumerate(views))
    sections = "".join(f'<section class="tl-view" id="view-{v}" aria-labelledby="h-{v}"><h2 id="h-{v}">{escape(h)}</h2>'
                       f'<div class="svg-wrap" role="region" aria-label="{escape(h)} (scrolls sideways)" tabindex="0">'
                       f'{svg}</div>{notes}</section>' for v, h, svg, notes in views)
    source_filter = ""
    if len(data.analyzed) > 1:
        options = "".join(f'<option value="{escape(r["source_id"])}">{escape(r.get("cited_as") or r["source_id"])}</option>'
                          for r in data.analyzed)
        source_filter = (f'<form class="filters" id="tl-filters" hidden><label>Source <select name="source">'
                         f'<option value="">all</option>{options}</select></label>'
                         f'<output id="tl-count" aria-live="polite"></output></form>')
    where = "in the essay" if len(data.analyzed) == 1 else "in its source; hollow marks are a further source's date"
    body = (f"<h1>Timeline</h1><p>One lane per regime. Hover or focus a mark for what it is and when; select it to "
            f"read its evidence {where}. Events are numbered in their lane by date (E1, E2 …).</p>"
            f"<div class=\"toggle\" role=\"group\" aria-label=\"Axis\" hidden>{toggle}</div>"
            f"{source_filter}{sections}")
    return shell(data, "Timeline", "timeline.html", body)
