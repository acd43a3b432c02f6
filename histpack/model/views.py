"""The DuckDB views: those of the design contract (docs/design-contract.md: side by side, chronology,
aligned phases, quotes in context) and the views across sources."""

from __future__ import annotations

import re

import duckdb

from histpack.model.conventions import ENTITIES

def _entity_select(entity, first: bool) -> str:
    """One entity table as rows of the `entities` union (kind, id, label, regime, source, quote, dates)."""
    dates = ("date_edtf, date_start, date_end, CAST(date_basis AS VARCHAR) AS date_basis" if entity.dated and first else
             "date_edtf, date_start, date_end, CAST(date_basis AS VARCHAR)" if entity.dated else
             "NULL AS date_edtf, CAST(NULL AS DATE) AS date_start, CAST(NULL AS DATE) AS date_end, "
             "CAST(NULL AS VARCHAR) AS date_basis" if first else
             "NULL, NULL, NULL, NULL")
    if first:
        return (f"SELECT '{entity.kind}' AS entity_kind, {entity.id_column} AS entity_id, {entity.label_column} AS label, "
                f"regime_id, source_id, quote_id,\n                   {dates} FROM {entity.table}")
    return (f"UNION ALL SELECT '{entity.kind}', {entity.id_column}, {entity.label_column}, regime_id, source_id, "
            f"quote_id, {dates} FROM {entity.table}")


_ENTITIES_UNION = "\n            ".join(_entity_select(e, i == 0) for i, e in enumerate(ENTITIES))
_ATTESTED_KIND = ("CASE " + " ".join(f"WHEN a.{e.id_column} IS NOT NULL THEN '{e.kind}'" for e in ENTITIES[:-1])
                  + f" ELSE '{ENTITIES[-1].kind}' END")


PAGES = "CAST({q}.page_start AS VARCHAR) || CASE WHEN {q}.page_end <> {q}.page_start THEN '–' || CAST({q}.page_end AS VARCHAR) ELSE '' END"

_SLIPS_HELD = """
            SELECT q.quote_id, s.slip_id, s.kind, sq.text AS slip_text, s.reading,
                   sq.char_start - q.char_start AS slip_start, sq.char_end - q.char_start AS slip_end,
                   sq.page_start AS page, s.quote_id AS slip_quote_id, q.source_id, s.editorial_note
            FROM slips s
            JOIN quotes sq ON sq.quote_id = s.quote_id
            JOIN quotes q ON q.source_id = sq.source_id AND q.char_start <= sq.char_start AND sq.char_end <= q.char_end"""
"""Every quote whose span holds a slip's words, once per slip: where in the quote the slip's words end."""

# A quote's words with " [sic]" after each slip they hold: inserted from the last slip to the first,
# so that each insertion leaves the offsets of the earlier ones as they were (portable SQL: the
# SQLite export runs it too).
_TEXT_SIC = f"""
        WITH RECURSIVE held AS (
            SELECT quote_id, slip_end,
                   row_number() OVER (PARTITION BY quote_id ORDER BY slip_end DESC, slip_id) AS n
            FROM ({_SLIPS_HELD}) h),
        marked AS (
            SELECT quote_id, CAST(0 AS BIGINT) AS n, text FROM quotes
            UNION ALL
            SELECT m.quote_id, h.n, substring(m.text, 1, h.slip_end) || ' [sic]' || substring(m.text, h.slip_end + 1)
            FROM marked m JOIN held h ON h.quote_id = m.quote_id AND h.n = m.n + 1),
        sic AS (
            SELECT m.quote_id, m.text FROM marked m
            WHERE m.n = (SELECT count(*) FROM held h WHERE h.quote_id = m.quote_id))"""

VIEWS = {
    "quote_context": f"""{_TEXT_SIC}
        SELECT q.quote_id, q.text, sic.text AS text_sic, q.page_start, q.page_end, q.voice, q.speaker_id,
               p.name AS speaker, q.citation_id, c.cited_as, cs.cited_as AS cited_work, para.section, q.prefix,
               q.suffix, q.char_start, q.char_end,
               s.cited_as || CASE WHEN s.pages IS NULL AND (SELECT count(DISTINCT ps.page) FROM page_spans ps
                                                            WHERE ps.source_id = s.source_id) <= 1
                                  THEN '' ELSE ', ' || {PAGES.format(q='q')} END AS citation,
               q.source_id
        FROM quotes q
        JOIN sources s ON s.source_id = q.source_id
        JOIN paragraphs para ON para.paragraph_id = q.paragraph_id
        JOIN sic ON sic.quote_id = q.quote_id
        LEFT JOIN persons p ON p.person_id = q.speaker_id
        LEFT JOIN citations c ON c.citation_id = q.citation_id
        LEFT JOIN sources cs ON cs.source_id = c.source_id""",
    "quote_slips": _SLIPS_HELD,
    "timeline": """
        SELECT 'event' AS kind, e.event_id AS id, e.regime_id, e.date_edtf, e.date_start, e.date_end,
               CAST(e.date_precision AS VARCHAR) AS date_precision, e.title AS label,
               CAST(e.event_type AS VARCHAR) AS detail, q.page_start AS page, e.quote_id, e.source_id,
               CAST(e.date_basis AS VARCHAR) AS date_basis
        FROM events e JOIN quotes q USING (quote_id)
        UNION ALL
        SELECT 'phase', ph.phase_id, ph.regime_id, ph.date_edtf, ph.date_start, ph.date_end,
               CAST(ph.date_precision AS VARCHAR), ph.label, CAST(ph.phase_type AS VARCHAR), q.page_start, ph.quote_id, ph.source_id,
               CAST(ph.date_basis AS VARCHAR)
        FROM phases ph JOIN quotes q USING (quote_id)
        UNION ALL
        SELECT 'purge', pu.purge_id, pu.regime_id, pu.date_edtf, pu.date_start, pu.date_end,
               CAST(pu.date_precision AS VARCHAR), pu.target, pu.target_group, q.page_start, pu.quote_id, pu.source_id,
               CAST(pu.date_basis AS VARCHAR)
        FROM purges pu JOIN quotes q USING (quote_id)
        UNION ALL
        SELECT 'rhetoric', r.rhetoric_id, r.regime_id, r.date_edtf, r.date_start, r.date_end,
               CAST(r.date_precision AS VARCHAR), r.summary, CAST(r.theme AS VARCHAR), q.page_start, r.quote_id, r.source_id,
               CAST(r.date_basis AS VARCHAR)
        FROM rhetoric r JOIN quotes q USING (quote_id)
        WHERE r.date_start IS NOT NULL""",
    "comparison_matrix": f"""
        SELECT c.comparison_id, c.dimension, c.relation, c.basis, c.claim, s.side_id, s.regime_id, s.place_id,
               s.side_summary, q.text AS quote, q.page_start AS page, {PAGES.format(q='q')} AS pages,
               s.event_id, s.phase_id, s.purge_id, s.rhetoric_id,
               cq.text AS comparison_quote, cq.page_start AS comparison_page,
               c.source_id, ss.cited_as AS side_cited_as
        FROM comparisons c
        JOIN comparison_sides s USING (comparison_id)
        JOIN quotes q ON q.quote_id = s.quote_id
        JOIN quotes cq ON cq.quote_id = c.quote_id
        JOIN sources ss ON ss.source_id = s.source_id""",
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
    "entity_evidence": f"""
        WITH entities AS (
            {_ENTITIES_UNION}),
        attested AS (
            SELECT a.attestation_id,
                   {_ATTESTED_KIND} AS entity_kind,
                   coalesce({', '.join('a.' + e.id_column for e in ENTITIES)}) AS entity_id,
                   a.source_id, a.quote_id, a.date_edtf, a.date_start, a.date_end,
                   CAST(a.date_basis AS VARCHAR) AS date_basis
            FROM attestations a)
        SELECT e.entity_kind, e.entity_id, e.label, e.regime_id, 'row' AS origin, NULL AS attestation_id,
               e.source_id, e.quote_id, e.date_edtf, e.date_start, e.date_end, q.page_start AS page, q.text AS quote,
               e.date_basis
        FROM entities e JOIN quotes q USING (quote_id)
        UNION ALL
        SELECT t.entity_kind, t.entity_id, e.label, e.regime_id, 'attestation', t.attestation_id,
               t.source_id, t.quote_id, t.date_edtf, t.date_start, t.date_end, q.page_start, q.text, t.date_basis
        FROM attested t JOIN entities e USING (entity_kind, entity_id) JOIN quotes q ON q.quote_id = t.quote_id""",
    "source_dates": """
        WITH dated AS (SELECT * FROM entity_evidence WHERE date_start IS NOT NULL)
        SELECT a.entity_kind, a.entity_id, a.label,
               a.source_id AS source_a, a.date_edtf AS date_a, a.quote_id AS quote_a, a.page AS page_a,
               b.source_id AS source_b, b.date_edtf AS date_b, b.quote_id AS quote_b, b.page AS page_b,
               a.attestation_id AS attestation_a, b.attestation_id AS attestation_b,
               CASE WHEN a.date_start = b.date_start AND a.date_end = b.date_end THEN 'same'
                    WHEN (a.date_start >= b.date_start AND a.date_end <= b.date_end)
                      OR (b.date_start >= a.date_start AND b.date_end <= a.date_end) THEN 'nested'
                    WHEN a.date_start <= b.date_end AND b.date_start <= a.date_end THEN 'overlap'
                    ELSE 'differ' END AS agreement,
               a.date_basis AS basis_a, b.date_basis AS basis_b
        FROM dated a JOIN dated b
          ON a.entity_kind = b.entity_kind AND a.entity_id = b.entity_id AND a.source_id < b.source_id""",
}

VIEW_COMMENTS = {
    "quote_context": "Every quote with page, speaker, cited work, a ready citation string (`cited_as, page`) and "
                     "`text_sic`: its words with “[sic]” after each of the source's own slips they hold (`slips`), "
                     "as a reader should copy them (`text` stays verbatim).",
    "quote_slips": "Every quote whose words hold a slip of the source (`slips`), once per slip: the slip's kind, "
                   "words and intended reading, and where in the quote its words start and end (characters from "
                   "the quote's start).",
    "timeline": "Events, phases, purges and dated rhetoric in one chronology, with the source of each row and "
                "whether it states the date or the encoder inferred it (`date_basis`).",
    "comparison_matrix": "One row per comparison × side: the side-by-side table.",
    "phase_alignment": "Campaign phases with years from the campaign's start, so campaigns line up.",
    "entity_evidence": "Every person, place, regime, event, phase and purge with each source's evidence: its own "
                       "row's quote and date (and the date's basis), and every attestation, one row each.",
    "source_dates": "Each pair of sources that date the same entity, with both dates, quotes and attestations "
                    "(empty for the entity's own row) and whether they agree: same (identical range), nested (one "
                    "is more precise and within the other), overlap, differ; `basis_a`/`basis_b` say whether each "
                    "date is stated by its source or inferred by the encoder.",
}


_PAGE = "Printed page of the quote's first word (a source without printed pages counts as one page, 1)."
_EDTF = "Date in EDTF (ISO 8601-2), as precisely as the source gives it."
_START = "First day the EDTF date covers (derived)."
_END = "Last day the EDTF date covers (derived)."

VIEW_COLUMNS: dict[str, dict[str, str]] = {
    "quote_context": {
        "quote_id": "Identifier of the quote.",
        "text": "The quoted words, verbatim from the source's canonical text.",
        "text_sic": "The quoted words with “[sic]” after each slip of its source they hold (`slips`); the words themselves unchanged.",
        "page_start": "Printed page on which the quote begins.",
        "page_end": "Printed page on which the quote ends.",
        "voice": "Whose words: the source's author, a primary source quoted, or a secondary source quoted.",
        "speaker_id": "The person whose words these are (persons); empty for the source's author.",
        "speaker": "The speaker's name as the source spells it.",
        "citation_id": "The reference the source gives for the words (citations); empty when none.",
        "cited_as": "The reference exactly as printed in the source (\"Author vol. 2, 772\").",
        "cited_work": "How the source cites the referenced work (sources.cited_as of the cited work).",
        "section": "Section of the source the quote is in (abstract, epigraph, body, note …).",
        "prefix": "Up to 32 characters before the quote (W3C TextQuoteSelector).",
        "suffix": "Up to 32 characters after the quote (W3C TextQuoteSelector).",
        "char_start": "Offset of the quote's first character in the canonical text (0-based).",
        "char_end": "Offset after the quote's last character (end exclusive).",
        "citation": "Ready citation: how the source is cited and the page (\"Author 1999, 86\"); no page for a source "
                    "without printed pages (no page range in its record, one page in its page map).",
        "source_id": "The analysed source the quote is from.",
    },
    "timeline": {
        "kind": "What the row is: event, phase, purge or rhetoric.",
        "id": "Identifier of the row in its own table (events, phases, purges, rhetoric).",
        "regime_id": "Regime of the row.",
        "date_edtf": _EDTF,
        "date_start": _START,
        "date_end": _END,
        "date_precision": "Form of the date: day, month, season, year or interval.",
        "label": "What happened: the event's title, the phase's label, the purge's target, the rhetoric's summary.",
        "detail": "The row's type: event type, phase type, purge target group or rhetoric theme.",
        "page": _PAGE,
        "quote_id": "The quote the row rests on.",
        "source_id": "The analysed source the row's quote is from.",
        "date_basis": "Whether the source states the date (explicit) or the encoder inferred it from the text's placement (inferred, with an editorial note); empty without a date.",
    },
    "comparison_matrix": {
        "comparison_id": "Identifier of the comparison.",
        "dimension": "What is compared (comparison dimension).",
        "relation": "similarity, difference or analogy.",
        "basis": "explicit when the source states the comparison, inferred when the encoder drew it.",
        "claim": "The comparison in a short paraphrase.",
        "side_id": "Identifier of this side within the comparison.",
        "regime_id": "Regime of this side.",
        "place_id": "Place of this side, for a contrast inside one regime (one region against another); else empty.",
        "side_summary": "What this side did, in a short paraphrase.",
        "quote": "The source's words for this side.",
        "page": "Printed page on which this side's quote begins.",
        "pages": "Printed pages of this side's quote (\"86\" or \"86–87\").",
        "event_id": "Event this side refers to, if any.",
        "phase_id": "Campaign phase this side refers to, if any.",
        "purge_id": "Purge this side refers to, if any.",
        "rhetoric_id": "Rhetoric this side refers to, if any.",
        "comparison_quote": "The source's words that draw the comparison as a whole.",
        "comparison_page": "Printed page on which the comparison's own quote begins.",
        "source_id": "The analysed source that draws the comparison.",
        "side_cited_as": "How the source of this side's words is cited (sources.cited_as).",
    },
    "phase_alignment": {
        "regime_id": "Regime of the campaign.",
        "campaign": "The campaign the phase belongs to.",
        "seq": "Order of the phase in its campaign (1 = first).",
        "phase_id": "Identifier of the phase.",
        "phase_type": "offensive, retreat, radicalization or consolidation.",
        "label": "The phase in a few words.",
        "date_edtf": _EDTF,
        "date_start": _START,
        "date_end": _END,
        "campaign_start": "First day of the campaign's first phase.",
        "campaign_year": "Years from the campaign's start to the phase's start (calendar years, 0 = the first).",
        "campaign_year_end": "Years from the campaign's start to the phase's end (calendar years).",
        "page": _PAGE,
    },
    "entity_evidence": {
        "entity_kind": "What the entity is: person, place, regime, event, phase or purge.",
        "entity_id": "Identifier of the entity in its own table.",
        "label": "The entity's name, title or label.",
        "regime_id": "Regime of the entity (for a regime, itself); empty when it has none.",
        "origin": "row: the entity's own row and quote; attestation: what a further source says of it.",
        "attestation_id": "The attestation (for origin attestation); empty for the entity's own row.",
        "source_id": "The analysed source of this evidence.",
        "quote_id": "The quote this evidence rests on.",
        "date_edtf": "The date this source gives the entity, in EDTF; empty when it gives none.",
        "date_start": _START,
        "date_end": _END,
        "page": _PAGE,
        "quote": "The quoted words.",
        "date_basis": "Whether the source states the date (explicit) or the encoder inferred it from the text's placement (inferred, with an editorial note); empty without a date.",
    },
    "source_dates": {
        "entity_kind": "What the entity is: person, place, regime, event, phase or purge.",
        "entity_id": "Identifier of the entity in its own table.",
        "label": "The entity's name, title or label.",
        "source_a": "One source dating the entity (the first of the two by id).",
        "date_a": "The date source_a gives, in EDTF.",
        "quote_a": "The quote of source_a that gives it.",
        "page_a": "Printed page of quote_a.",
        "source_b": "The other source dating the entity.",
        "date_b": "The date source_b gives, in EDTF.",
        "quote_b": "The quote of source_b that gives it.",
        "page_b": "Printed page of quote_b.",
        "attestation_a": "The attestation behind date_a; empty when it is the entity's own row.",
        "attestation_b": "The attestation behind date_b; empty when it is the entity's own row.",
        "agreement": "same (identical range), nested (one within the other, more precise), overlap (some days in "
                     "common) or differ (none).",
        "basis_a": "Whether source_a states date_a (explicit) or the encoder inferred it (inferred).",
        "basis_b": "Whether source_b states date_b (explicit) or the encoder inferred it (inferred).",
    },
    "quote_slips": {
        "quote_id": "A quote whose words hold the slip.",
        "slip_id": "The slip (slips).",
        "kind": "What kind of slip it is (typo, missing word, extra word, wrong word, unbalanced punctuation …).",
        "slip_text": "The slip's own words, as printed.",
        "reading": "The intended reading, where the text shows it; empty where it does not.",
        "slip_start": "Offset of the slip's first character within the quote (0-based).",
        "slip_end": "Offset after the slip's last character within the quote: where “[sic]” is placed.",
        "page": "Printed page of the slip's words.",
        "slip_quote_id": "The quote of the slip's own words.",
        "source_id": "The analysed source of the quote and the slip.",
        "editorial_note": "What the encoder notes about the slip.",
    },
}
"""A description of every column of every view: carried into DuckDB (COMMENT ON COLUMN), load.sql, the
Parquet export's field metadata, the SQLite export's Datasette metadata and `histpack describe`."""


SOURCE_WORDS = frozenset({"quote_context", "comparison_matrix", "entity_evidence", "quote_slips"})
"""The views that show the analysed sources' own words (a quote's text): like `quotes`, they are under each
source's terms, not the data licence."""


def _tables_read(sql: str) -> set[str]:
    named = set(re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", sql))
    return named - set(re.findall(r"\b(\w+) AS \(", sql)) - set(VIEWS)


VIEW_TABLES = frozenset().union(*map(_tables_read, VIEWS.values()))
"""Every table the views read: a package lacking one of them (a third party's) gets no views."""


def views_apply(tables) -> bool:
    return VIEW_TABLES <= set(tables)


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    for name, sql in VIEWS.items():
        con.execute(f'CREATE VIEW "{name}" AS {sql}')
        comment = VIEW_COMMENTS[name].replace("'", "''")
        con.execute(f"COMMENT ON VIEW \"{name}\" IS '{comment}'")
        for column, description in VIEW_COLUMNS[name].items():
            text = description.replace("'", "''")
            con.execute(f"COMMENT ON COLUMN \"{name}\".\"{column}\" IS '{text}'")
