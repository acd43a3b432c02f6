"""The DuckDB views of DESIGN.md: side by side, chronology, aligned phases, quotes in context."""

from __future__ import annotations

import duckdb

PAGES = "CAST({q}.page_start AS VARCHAR) || CASE WHEN {q}.page_end <> {q}.page_start THEN '–' || CAST({q}.page_end AS VARCHAR) ELSE '' END"

VIEWS = {
    "quote_context": f"""
        SELECT q.quote_id, q.text, q.page_start, q.page_end, q.voice, q.speaker_id, p.name AS speaker,
               q.citation_id, c.cited_as, cs.cited_as AS cited_work, para.section, q.prefix, q.suffix,
               q.char_start, q.char_end,
               s.cited_as || ', ' || {PAGES.format(q='q')} AS citation
        FROM quotes q
        JOIN sources s ON s.source_id = q.source_id
        JOIN paragraphs para ON para.paragraph_id = q.paragraph_id
        LEFT JOIN persons p ON p.person_id = q.speaker_id
        LEFT JOIN citations c ON c.citation_id = q.citation_id
        LEFT JOIN sources cs ON cs.source_id = c.source_id""",
    "timeline": """
        SELECT 'event' AS kind, e.event_id AS id, e.regime_id, e.date_edtf, e.date_start, e.date_end,
               CAST(e.date_precision AS VARCHAR) AS date_precision, e.title AS label,
               CAST(e.event_type AS VARCHAR) AS detail, q.page_start AS page, e.quote_id
        FROM events e JOIN quotes q USING (quote_id)
        UNION ALL
        SELECT 'phase', ph.phase_id, ph.regime_id, ph.date_edtf, ph.date_start, ph.date_end,
               CAST(ph.date_precision AS VARCHAR), ph.label, CAST(ph.phase_type AS VARCHAR), q.page_start, ph.quote_id
        FROM phases ph JOIN quotes q USING (quote_id)
        UNION ALL
        SELECT 'purge', pu.purge_id, pu.regime_id, pu.date_edtf, pu.date_start, pu.date_end,
               CAST(pu.date_precision AS VARCHAR), pu.target, pu.target_group, q.page_start, pu.quote_id
        FROM purges pu JOIN quotes q USING (quote_id)
        UNION ALL
        SELECT 'rhetoric', r.rhetoric_id, r.regime_id, r.date_edtf, r.date_start, r.date_end,
               CAST(r.date_precision AS VARCHAR), r.summary, CAST(r.theme AS VARCHAR), q.page_start, r.quote_id
        FROM rhetoric r JOIN quotes q USING (quote_id)
        WHERE r.date_start IS NOT NULL""",
    "comparison_matrix": f"""
        SELECT c.comparison_id, c.dimension, c.relation, c.basis, c.claim, s.side_id, s.regime_id, s.place_id,
               s.side_summary, q.text AS quote, q.page_start AS page, {PAGES.format(q='q')} AS pages,
               s.event_id, s.phase_id, s.purge_id, s.rhetoric_id,
               cq.text AS comparison_quote, cq.page_start AS comparison_page
        FROM comparisons c
        JOIN comparison_sides s USING (comparison_id)
        JOIN quotes q ON q.quote_id = s.quote_id
        JOIN quotes cq ON cq.quote_id = c.quote_id""",
    "phase_alignment": """
        SELECT ph.regime_id, ph.campaign, ph.seq, ph.phase_id, ph.phase_type, ph.label, ph.date_edtf,
               ph.date_start, ph.date_end, start.campaign_start,
               year(ph.date_start) - year(start.campaign_start) AS campaign_year,
               year(ph.date_end) - year(start.campaign_start) AS campaign_year_end,
               q.page_start AS page
        FROM phases ph
        JOIN (SELECT regime_id, campaign, min(date_start) AS campaign_start FROM phases GROUP BY ALL) start
          USING (regime_id, campaign)
        JOIN quotes q USING (quote_id)""",
}

VIEW_COMMENTS = {
    "quote_context": "Every quote with page, speaker, cited work and a ready citation string (Thom 2015, 86).",
    "timeline": "Events, phases, purges and dated rhetoric in one chronology.",
    "comparison_matrix": "One row per comparison × side: the side-by-side table.",
    "phase_alignment": "Campaign phases with years from the campaign's start, so campaigns line up.",
}


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    for name, sql in VIEWS.items():
        con.execute(f'CREATE VIEW "{name}" AS {sql}')
        comment = VIEW_COMMENTS[name].replace("'", "''")
        con.execute(f"COMMENT ON VIEW \"{name}\" IS '{comment}'")
