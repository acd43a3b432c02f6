"""Facts of the data fixed after the independent expert review (issue 11) and the joinable
places of issue 13, read from the built package: page, date bounds, basis, links."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from histpack.pipeline.build import build
from histpack.project.errors import BuildErrors
from conftest import edit, one

D = dt.date


def dates(db, table, key, value):
    return one(db, f"select date_edtf, date_start, date_end from {table} where {key} = ?", value)


# ---- Rows corrected ----

def test_adzharia_uprising_is_dated_no_later_than_march_1929(db):
    assert dates(db, "events", "event_id", "1929-adzharia-uprising") == ("1929/1929-03", D(1929, 1, 1), D(1929, 3, 31))
    report = dates(db, "events", "event_id", "1929-03-beria-report-adzharia")
    assert report[2] == D(1929, 3, 31)


def test_successive_party_purges_span_is_marked_as_inferred_and_matches_its_bounds(db):
    edtf, start, end = dates(db, "purges", "purge_id", "ussr-1928-1933-successive-party-purges")
    assert edtf == "1928/1933" and (start, end) == (D(1928, 1, 1), D(1933, 12, 31))  # inferred: year precision only
    note, summary = one(db, "select editorial_note, summary from purges "
                            "where purge_id = 'ussr-1928-1933-successive-party-purges'")
    assert "inference" in note and "January 1928" in note and "January 1933" in note
    assert "1933" not in summary  # the span is stated once, in the note
    # the bounds are the years of the two events the note names
    assert one(db, "select date_start from events where event_id = '1928-01-extraordinary-measures'")[0] == start
    assert one(db, "select date_end from events where event_id = '1933-01-peasants-confined'")[0].year == end.year


def test_opposition_expelled_rests_on_the_expulsion_sentence(db):
    text, page = one(db, "select q.text, q.page_start from purges p join quotes q using (quote_id) "
                         "where p.purge_id = 'ussr-1927-opposition-expelled'")
    assert "are expelled from the Politburo" in text and text.startswith("In December 1927")
    assert page == 83


def test_frinovskii_is_a_witness_not_a_target_of_the_great_purges(db):
    targets = {r[0] for r in db.execute("select person_id from purge_targets "
                                        "where purge_id = 'ussr-1937-1938-great-purges'").fetchall()}
    assert "frinovskii" not in targets and {"enukidze", "evdokimov"} <= targets
    assert "witness" in one(db, "select editorial_note from purges where purge_id = 'ussr-1937-1938-great-purges'")[0]


def test_ordzhonikidze_is_the_patron_not_one_of_the_sacked(db):
    targets = dict(db.execute("select person_id, outcome from purge_targets "
                              "where purge_id = 'ussr-transcaucasian-bolsheviks-sacked'").fetchall())
    assert targets == {"kartvelishvili": "discredited", "mamulia": "discredited"}
    assert one(db, "select role from event_persons where event_id = '1932-beria-heads-transcaucasian-party' "
                   "and person_id = 'ordzhonikidze'")[0] == "target"


def test_china_ussr_collectivization_pairing_is_inferred(db):
    basis, note = one(db, "select basis, basis_note from comparisons where comparison_id = 'china-ussr-collectivization'")
    assert basis == "inferred" and "extraordinary measures" in note and "1953" in note


def test_phase_campaigns_are_a_closed_vocabulary_covering_the_cultural_revolution(db):
    assert {r[0] for r in db.execute("select distinct campaign from phases").fetchall()} == {"collectivization"}
    field = next(f for f in _schema("phases")["fields"] if f["name"] == "campaign")
    assert field["constraints"]["enum"] == ["collectivization"]
    from histpack.model.models import load_vocabularies
    from conftest import REPO
    assert "Cultural Revolution" in load_vocabularies(REPO)["phase_campaign"]["collectivization"]
    assert one(db, "select campaign, seq = (select max(seq) from phases where regime_id = 'prc') from phases "
                   "where phase_id = 'prc-collectivization-1966-cultural-revolution'") == ("collectivization", True)


def _schema(table):
    import json

    from conftest import REPO
    return json.loads((REPO / "schemas" / f"{table}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("table, key, value, bounds", [
    ("purges", "purge_id", "ussr-old-bolshevik-guard-liquidation", (D(1928, 1, 1), D(1939, 12, 31))),
    ("events", "event_id", "1929-beria-reports-on-collectivization", (D(1929, 1, 1), D(1931, 12, 31))),
    ("events", "event_id", "1930-sowing-strike-feared", (D(1930, 1, 1), D(1930, 3, 31))),
    ("events", "event_id", "1930-invasion-feared", (D(1930, 1, 1), D(1930, 3, 31))),
])
def test_loose_dates_are_as_loose_as_the_essay(db, table, key, value, bounds):
    assert dates(db, table, key, value)[1:] == bounds


def test_open_or_inferred_bounds_say_so(db):
    assert "1928" in one(db, "select editorial_note from purges "
                             "where purge_id = 'ussr-old-bolshevik-guard-liquidation'")[0]
    assert "no end" in one(db, "select editorial_note from events where event_id = '1929-beria-reports-on-collectivization'")[0]
    truce = one(db, "select date_start from events where event_id = '1930-03-02-dizzy-with-success'")[0]
    for event_id in ("1930-sowing-strike-feared", "1930-invasion-feared"):
        assert one(db, "select date_start from events where event_id = ?", event_id)[0] <= truce


def test_lenin_belongs_to_the_regime_he_leads(db):
    assert one(db, "select p.regime_id from persons p join regimes r on r.leader_id = p.person_id "
                   "where p.person_id = 'lenin'")[0] == "bolshevik_russia"
    assert one(db, "select count(*) from regimes r join persons p on p.person_id = r.leader_id "
                   "where p.regime_id is distinct from r.regime_id")[0] == 0


def test_petliurites_rhetoric_is_dated_and_linked_to_the_plenum(db):
    row = one(db, "select r.date_edtf, r.event_id, e.date_edtf, r.editorial_note from rhetoric r "
                  "join events e using (event_id) where r.rhetoric_id = 'stalin-petliurites'")
    assert row[0] == row[2] == "1933-01-11" and row[1] == "1933-01-11-joint-plenum"
    assert "14 December 1932" in row[3] and "August 1932" in row[3]


def test_footnote_marker_change_names_the_line_of_the_marker(db):
    raw = canonical_raw_lines()
    for change_id, line in db.execute("select change_id, raw_line from editorial_changes "
                                      "where kind = 'footnote_marker_removed' order by change_id").fetchall():
        marker = one(db, "select description from editorial_changes where change_id = ?", change_id)[0]
        number = re.search(r"marker (\d+)", marker).group(1)
        assert re.search(r"[)”]" + number + r"\s", raw[line - 1]), (change_id, line, raw[line - 1])
    assert one(db, "select raw_line from editorial_changes where change_id = 'thom-2015-ewjus-c041'")[0] == 409


def canonical_raw_lines():
    from conftest import REPO
    return (REPO / "sources" / "thom-2015-ewjus.txt").read_text(encoding="utf-8").splitlines()


def test_memorandum_pages_are_the_citation_locator_not_the_work(db):
    assert one(db, "select pages from sources where source_id = 'memorandum-1929-12-14'")[0] is None
    assert one(db, "select locator, page from citations where citation_id = 'danilov-v2-38'") == ("vol. 2, 38", 90)


def test_rightists_note_no_longer_claims_no_rightist_is_near(db):
    note = one(db, "select editorial_note from purges where purge_id = 'ussr-1929-rightists-routed'")[0]
    assert "Bukharin" in note and "names no one" not in note


# ---- Rows added ----

def test_june_1931_coup_de_grace_is_a_phase_between_the_truce_and_1932(db):
    phases = db.execute("select phase_id, date_edtf, phase_type from phases where regime_id = 'ussr' "
                        "order by seq").fetchall()
    ids = [p[0] for p in phases]
    june = ids.index("ussr-collectivization-1931-06-coup-de-grace-planned")
    assert phases[june][1:] == ("1931-06", "retreat")
    assert ids.index("ussr-collectivization-1930-retreat") < june < ids.index("ussr-collectivization-1932-total-war")
    assert one(db, "select event_id from phases where phase_id = ?", ids[june])[0] == "1931-06-end-of-specialist-hunt"
    assert one(db, "select page_start from phases join quotes using (quote_id) where phase_id = ?", ids[june])[0] == 84
    assert one(db, "select count(*) from theses where thesis_id = 'scenario-repeated'")[0] == 1


def test_exemplary_punishment_of_the_culprits_is_a_purge(db):
    row = one(db, "select p.date_edtf, p.instigator_id, q.text, q.page_start from purges p join quotes q "
                  "using (quote_id) where purge_id = 'ussr-1930-abuses-culprits-punished'")
    assert row[:2] == ("1930", "stalin") and "exemplary punishment of the culprits" in row[2] and row[3] == 83


def test_ukrainian_independence_efforts_are_an_event_of_1917_20(db):
    row = one(db, "select e.date_start, e.date_end, e.place_id, e.regime_id, q.page_start from events e "
                  "join quotes q using (quote_id) where event_id = '1917-1920-ukrainian-independence-efforts'")
    assert row == (D(1917, 1, 1), D(1920, 12, 31), "ukraine", "bolshevik_russia", 89)


def test_quemoy_timing_is_a_thesis_with_a_note_not_a_comparison(db):
    row = one(db, "select stance, editorial_note, q.page_start, q.page_end from theses join quotes q using (quote_id) "
                  "where thesis_id = 'cmp-communes-with-quemoy-tension'")
    assert row[0] == "asserted" and "no comparison" in row[1] and (row[2], row[3]) == (86, 87)
    assert one(db, "select date_edtf from events where event_id = '1958-08-quemoy-matsu-bombing'")[0] == "1958-08"


# ---- Editorial notes ----

def test_kaganovich_misquotation_is_noted_on_the_rhetoric_and_the_comparison_side(db):
    rhetoric = one(db, "select editorial_note from rhetoric where rhetoric_id = 'stalin-1931-08-17-requisitions-georgia'")[0]
    side = one(db, "select editorial_note, rhetoric_id from comparison_sides "
                   "where comparison_id = 'ukraine-vs-transcaucasia' and side_id = 'ukraine'")
    assert side[1] == "stalin-1931-08-17-requisitions-georgia"
    for note in (rhetoric, side[0]):
        assert "necessary and expedient" in note and "85 %" in note


def test_plenum_accusations_sources_are_noted(db):
    plenum = one(db, "select editorial_note from events where event_id = '1933-01-11-joint-plenum'")[0]
    assert "22 January 1933" in plenum and "14 December 1932" in plenum
    assert "22 January 1933" in one(db, "select editorial_note from theses where thesis_id = 'exodus-as-polish-plot'")[0]


def test_cumulative_radicalization_is_mommsens_term(db):
    assert "Mommsen" in one(db, "select editorial_note from theses where thesis_id = 'cumulative-radicalization'")[0]


def test_turkish_treaty_note_names_both_protocols(db):
    note = one(db, "select editorial_note from events where event_id = '1931-11-30-soviet-turkish-protocol'")[0]
    assert "17 December 1929" in note and "30 October 1931" in note and "no such treaty is known" not in note


def test_editorial_note_is_declared_once():
    from histpack.model import models as m
    descriptions = {model.model_fields["editorial_note"].description for model in m.MODELS
                    if "editorial_note" in model.model_fields}
    assert len(descriptions) == 1
    assert {"theses", "comparison_sides"} <= {model.table.name for model in m.MODELS
                                              if "editorial_note" in model.model_fields}


# ---- Second independent review (notes/review-1.md) ----

def test_oral_reports_thesis_holds_the_famine_reports_and_the_secrecy(db):
    text, page, paragraph = one(db, "select q.text, q.page_start, q.paragraph_id from theses join quotes q "
                                    "using (quote_id) where thesis_id = 'oral-reports-only'")
    assert text.startswith("he requested his subordinates not to circulate written reports by the OGPU on the famine")
    assert text.endswith("through oral reports") and page == 89 and paragraph.endswith("p024")


def test_rightists_summary_says_routs(db):
    summary = one(db, "select summary from purges where purge_id = 'ussr-1929-rightists-routed'")[0]
    assert "routs the “rightists”" in summary and "routes" not in summary


ENCODER_BOUNDS = [
    ("events", "event_id", "1929-adzharia-uprising"),
    ("events", "event_id", "1930-invasion-feared"),
    ("events", "event_id", "1930-sowing-strike-feared"),
    ("events", "event_id", "1929-beria-reports-on-collectivization"),
    ("events", "event_id", "1958-08-peoples-communes-campaign"),
    ("purges", "purge_id", "ussr-1930-abuses-culprits-punished"),
    ("purges", "purge_id", "ussr-1935-enukidze-removed"),
    ("phases", "phase_id", "ussr-collectivization-1931-06-coup-de-grace-planned"),
    ("phases", "phase_id", "prc-collectivization-1966-cultural-revolution"),
]


@pytest.mark.parametrize("table, key, value", ENCODER_BOUNDS)
def test_encoder_reasoning_is_in_the_note_not_the_summary(db, table, key, value):
    summary, note = one(db, f"select summary, editorial_note from {table} where {key} = ?", value)
    reasoning = re.compile(r"the span|the row|so the|encoder|dates it only|names no|so none|so it stays|no end")
    assert not reasoning.search(summary), summary
    assert note and reasoning.search(note), note


def test_no_summary_carries_the_encoders_reasoning(db):
    for table in ("events", "purges", "phases"):
        hits = db.execute(f"select summary from {table} where regexp_matches(summary, "
                          "'the span|the row runs|encoder|so none is given|dates it only')").fetchall()
        assert hits == [], table


def test_stalin_is_the_one_worried_about_invasion(db):
    from histpack.model.models import load_vocabularies
    from conftest import REPO
    role = one(db, "select role from event_persons where event_id = '1930-invasion-feared' and person_id = 'stalin'")[0]
    assert role == "participant" and role in load_vocabularies(REPO)["event_person_role"]


def test_plenum_notes_name_the_earliest_documents_and_what_the_decree_did(db):
    plenum = one(db, "select editorial_note from events where event_id = '1933-01-11-joint-plenum'")[0]
    petliurites = one(db, "select editorial_note from rhetoric where rhetoric_id = 'stalin-petliurites'")[0]
    exodus = one(db, "select editorial_note from theses where thesis_id = 'exodus-as-polish-plot'")[0]
    for note in (plenum, petliurites, exodus):
        assert "earliest document" in note and "come, in the record, from" not in note
    assert "reversal of Ukrainization had been ordered" not in plenum
    assert "outside the Ukrainian SSR" in plenum and "“correct” Ukrainization purged of Petliurites" in plenum


def test_hedged_notes_on_lin_biao_and_the_1962_criticism(db):
    lin = one(db, "select editorial_note from persons where person_id = 'lin-biao'")[0]
    assert "For 1966" in lin and "August 1966" in lin
    criticism = one(db, "select editorial_note from events where event_id = '1962-01-mao-policy-criticised'")[0]
    assert "partly defended" not in criticism and "generally described" in criticism


def test_no_class_struggle_rhetoric_has_no_note_arguing_with_the_essay(db):
    assert one(db, "select editorial_note from rhetoric where rhetoric_id = 'stalin-1928-07-no-class-struggle'")[0] is None


def test_foreign_policy_analogy_and_great_purges_parallel_are_in_their_theses(db):
    united_front = one(db, "select t.statement, q.text, q.page_start from theses t join quotes q using (quote_id) "
                           "where thesis_id = 'never-all-groups-at-once'")
    assert "foreign policy" in united_front[0] and "As in foreign policy" in united_front[1] and united_front[2] == 84
    provinces = one(db, "select t.statement, q.text, q.page_start from theses t join quotes q using (quote_id) "
                        "where thesis_id = 'stalin-imposed-on-provinces'")
    assert "Great Purges" in provinces[0] and provinces[1].endswith("(as he did later during the Great Purges).")
    assert provinces[2] == 89
    for words in ("As in foreign policy", "as he did later during the Great Purges"):  # each anchors one thesis
        assert one(db, "select count(*) from theses join quotes q using (quote_id) where contains(q.text, ?)",
                   words)[0] == 1


# ---- The regimes' vocabulary ----

def test_every_quoted_regime_term_is_in_terms_with_every_occurrence(db):
    quoted = [(start + m.start(), m.group(1)) for start, text in
              db.execute("select char_start, text from paragraphs order by seq").fetchall()
              for m in re.finditer(r"“([^”]+)”", text)]
    for term_id, term, first in db.execute("select term_id, term, quote_id from terms").fetchall():
        printed = [at for at, words in quoted if words.rstrip(".,").lower().rstrip("s") == term.lower().rstrip("s")]
        occurrences = db.execute("select q.char_start, q.page_start, q.text, q.prefix, q.suffix from term_occurrences o "
                                 "join quotes q using (quote_id) where o.term_id = ? order by q.char_start",
                                 [term_id]).fetchall()
        assert len(occurrences) == len(printed), term_id
        assert [q[0] for q in occurrences] == [at + 1 for at in printed], term_id  # each printed one, in order
        assert all(q[3].endswith("“") and re.match(r"[.,]?”", q[4]) for q in occurrences), term_id
        assert all(q[2].lower().rstrip("s") == term.lower().rstrip("s") for q in occurrences), term_id
        assert one(db, "select char_start from quotes where quote_id = ?", first)[0] == occurrences[0][0]


def test_terms_compare_the_regimes_language(db):
    by_regime = dict(db.execute("select regime_id, count(*) from terms group by all").fetchall())
    assert by_regime["ussr"] >= 10 and by_regime["prc"] >= 3 and by_regime["nazi_germany"] == 1
    pages = db.execute("select q.page_start from term_occurrences o join quotes q using (quote_id) "
                       "where o.term_id = 'extraordinary-measures'").fetchall()
    assert [p[0] for p in pages] == [83, 83, 83]
    assert one(db, "select count(*) from term_occurrences where term_id = 'rightists'")[0] == 5
    assert one(db, "select count(*) from term_occurrences where term_id = 'final-solution'")[0] == 2
    # an occurrence the essay also gives as an actor's words is that rhetoric row's quote
    assert one(db, "select r.rhetoric_id from term_occurrences o join rhetoric r using (quote_id) "
                   "where o.term_id = 'petliurites'")[0] == "stalin-petliurites"


def test_a_term_quote_must_be_its_first_occurrence(project):
    edit(project / "annotations" / "terms.yaml",
         '    quote: {text: "extraordinary measures", occurrence: 1}\n    occurrences:\n'
         '      - quote: {text: "extraordinary measures", occurrence: 2}',
         '    quote: {text: "extraordinary measures", occurrence: 2}\n    occurrences:\n'
         '      - quote: {text: "extraordinary measures", occurrence: 1}')
    with pytest.raises(BuildErrors) as caught:
        build(project, db_path=None)  # the rule runs on the tables about to be published (rules.py)
    assert "terms row `extraordinary-measures`: `quote` must be the term's first occurrence" in str(caught.value)


# ---- Places others can join (issue 13) ----

def test_places_carry_a_present_day_country_code(db):
    codes = dict(db.execute("select place_id, country from places").fetchall())
    assert codes["ukraine"] == "UA" and codes["adzharia"] == "GE" and codes["quemoy"] == "TW"
    assert codes["soviet-union"] is None and codes["transcaucasia"] is None and codes["europe"] is None
    for place_id, country in codes.items():
        parent = one(db, "select p.country from places c join places p on p.place_id = c.parent_id "
                         "where c.place_id = ?", place_id)
        if country and parent and parent[0]:
            assert parent[0] == country, place_id  # a place lies in its parent's country
