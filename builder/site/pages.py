"""The site's pages as HTML strings: one shell, the essay, an index of tables, a page per table,
the comparisons and the timeline. Plain semantic HTML that reads without JavaScript; `site.js`
only adds the panel, filters and sorting."""

from __future__ import annotations

import itertools
import json
from html import escape

from .data import SiteData, Table
from .essay import KIND_LABELS, KIND_ORDER, analyzed_sources, render_essay, table_page

ASSET_CSS, ASSET_JS = "assets/site.css", "assets/site.js"


def shell(data: SiteData, title: str, current: str, body: str, extra_head: str = "") -> str:
    links = []
    if data.is_histpack:
        links.append(("index.html", "Essay"))
    links.append(("tables.html", "Tables"))
    if data.is_histpack:
        links += [("comparisons.html", "Comparisons"), ("timeline.html", "Timeline")]
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


def _source_head(essay: dict, stats: dict, tag: str) -> str:
    share = 100 * stats["covered"] / max(stats["sentences"], 1)
    return (f"<{tag}>{escape(essay.get('authors', ''))}, “{escape(essay.get('title', ''))}”</{tag}>"
            f"<p class=\"meta\">{escape(essay.get('container', ''))} {escape(essay.get('volume', ''))}"
            f"{', no. ' + escape(essay['issue']) if essay.get('issue') else ''} ({escape(essay.get('year', ''))})"
            + (f": {escape(essay['pages'])}. Printed pages in the margin." if essay.get("pages") else ".")
            + f" {stats['quotes']} quotes highlighted; "
            f"{stats['covered']} of {stats['sentences']} sentences ({share:.0f}%) anchored by a row.</p>")


def essay_page(data: SiteData) -> tuple[str, dict]:
    """The main analysed source with its key, then every further analysed source, in one article."""
    main, *further = analyzed_sources(data)
    article, index, stats = render_essay(data, main["source_id"])
    key = "".join(f'<li><mark class="q k-{k}">{escape(KIND_LABELS[k])}</mark></li>' for k in KIND_ORDER)
    head = (_source_head(main, stats, "h1") +
            f"<details class=\"legend\" open><summary>Key</summary><ul class=\"kinds\">{key}"
            f"<li><span class=\"uncov\">sentence no row anchors</span></li>"
            f"<li><span class=\"ed\">e</span> editorial change to the PDF extraction</li>"
            f"<li><cite class=\"ref\">Author 12</cite> in-text citation</li></ul>"
            f"<p>Select a highlight (click, or Tab then Enter) to list the rows that rest on it.</p></details>")
    for essay in further:
        sid = essay["source_id"]
        text, _, more = render_essay(data, sid, id_prefix=f"{sid}-")
        article += (f'<section class="source" id="{escape(sid)}" aria-label="{escape(essay.get("cited_as", sid))}">'
                    f'{_source_head(essay, more, "h2")}{text}</section>')
        stats = {name: stats[name] + more[name] for name in stats}
    panel = ('<aside id="panel" aria-live="polite" aria-label="Rows resting on the selected quote" hidden>'
             '<button type="button" class="close" aria-label="Close">×</button><div class="content">'
             '<p>Select a highlighted passage to see the rows that rest on it, with their dates, editorial notes '
             'and the citation.</p></div></aside>')
    body = f'<div class="essay-wrap"><article class="essay">{head}{article}</article>{panel}</div>{json_script("quotes-data", index)}'
    return shell(data, "Essay", "index.html", body), stats


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
                link += f' <a class="to-essay" href="index.html#{text}" title="read it in the essay">essay ↗</a>'
            return f"<td>{link}</td>"
    if len(value) > 60:
        return f'<td class="long">{text}</td>'
    return f'<td class="short">{text}</td>' if len(value) <= 12 else f"<td>{text}</td>"


def table_page_html(data: SiteData, table: Table) -> str:
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in table.columns)
    body_rows = []
    for row in table.rows:
        cells = "".join(_cell(data, table, c, row) for c in table.columns)
        if table.name == "quotes" and data.is_histpack:
            cells = cells.replace(f'<a href="#{escape(table.row_id(row))}">{escape(row["quote_id"])}</a>',
                                  f'<a href="#{escape(table.row_id(row))}">{escape(row["quote_id"])}</a> '
                                  f'<a class="to-essay" href="index.html#{escape(row["quote_id"])}" '
                                  f'title="read it in the essay">essay ↗</a>', 1)
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
        "m.side_summary, m.quote, m.pages, s.quote_id, c.quote_id, m.comparison_quote, m.comparison_page "
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
                             f'<blockquote><a href="index.html#{escape(r[11])}">“{escape(str(r[9]))}”</a></blockquote>'
                             f'<p class="pages">Thom 2015, {escape(str(r[10]))}</p></section>')
        articles.append(
            f'<article class="cmp" id="comparisons/{escape(cid)}" data-dimension="{escape(dimension)}" '
            f'data-pairs="{escape("|".join(sorted(pair_keys)))}"><h2>{escape(claim)}</h2>'
            f'<p class="facets"><span>dimension: <b>{escape(dimension)}</b></span> <span>relation: <b>{escape(relation)}</b> '
            f'({escape(basis)})</span> <a href="table-comparisons.html#comparisons/{escape(cid)}">comparisons/{escape(cid)}</a></p>'
            f'<p class="cq">The essay: <a href="index.html#{escape(group[0][12])}">“{escape(str(group[0][13]))}”</a> '
            f'(p. {escape(str(group[0][14]))})</p><div class="sides">{"".join(side_html)}</div></article>')

    def label(pair: str) -> str:
        return " – ".join(regime_names.get(r, r) for r in pair.split(" "))

    pair_options = "".join(f'<option value="{escape(p)}">{escape(label(p))}</option>' for p in sorted(pairs))
    dim_options = "".join(f'<option value="{escape(d)}">{escape(d)}</option>' for d in sorted(dimensions))
    filters = (f'<form class="filters" id="cmp-filters" hidden><label>Regime pair <select name="pair">'
               f'<option value="">all</option>{pair_options}</select></label> <label>Dimension <select name="dimension">'
               f'<option value="">all</option>{dim_options}</select></label> <output id="cmp-count" aria-live="polite">'
               f'</output></form>')
    body = f"<h1>Comparisons</h1><p>{len(articles)} comparisons; each side in the essay's own words.</p>{filters}{''.join(articles)}"
    return shell(data, "Comparisons", "comparisons.html", body)


def timeline_page(data: SiteData, views: list[tuple[str, str, str]]) -> str:
    """`views` are (id, heading, the SVG and its notes)."""
    toggle = "".join(f'<button type="button" data-view="{v}" aria-pressed="{"true" if n == 0 else "false"}">{escape(h)}</button>'
                     for n, (v, h, _) in enumerate(views))
    sections = "".join(f'<section class="tl-view" id="view-{v}" aria-labelledby="h-{v}"><h2 id="h-{v}">{escape(h)}</h2>'
                       f'<div class="svg-wrap">{svg}</div></section>' for v, h, svg in views)
    body = (f"<h1>Timeline</h1><p>One lane per regime. Hover or focus a mark for what it is; select it to read its "
            f"evidence in the essay.</p><div class=\"toggle\" role=\"group\" aria-label=\"Axis\" hidden>{toggle}</div>"
            f"{sections}")
    return shell(data, "Timeline", "timeline.html", body)
