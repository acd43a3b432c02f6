"""Facts of the encoded essay that a historian would check first (issues 3 and 4)."""

import datetime as dt


from histpack.text.coverage import coverage
from conftest import REPO, one



def test_extraordinary_measures_precede_the_july_1928_retreat(db):
    rows = db.execute("select seq, phase_type, date_edtf, date_start, date_end from phases where regime_id = 'ussr' "
                      "and phase_id in ('ussr-collectivization-1928-extraordinary-measures', "
                      "'ussr-collectivization-1928-retreat') order by seq").fetchall()
    assert [(r[1], r[2]) for r in rows] == [("offensive", "1928-01/1928-21"), ("retreat", "1928-07-04/1928-07-12")]
    assert rows[0][4] < rows[1][3]  # the wave (January to spring 1928) ends before the July retreat


def test_ussr_phases_run_from_1928_to_the_famine(db):
    phases = db.execute("select phase_type, date_start, date_end from phases where regime_id = 'ussr' "
                        "and campaign = 'collectivization' order by seq").fetchall()
    assert phases[0][1] == dt.date(1928, 1, 1)
    assert phases[-1][0] == "radicalization" and phases[-1][2].year == 1933
    types = [p[0] for p in phases]
    assert "retreat" in types and types.index("retreat") < len(types) - 1  # a wave, a retreat, a new wave


def test_rykov_removed_on_19_december_1930(db):
    assert one(db, "select date_edtf, date_precision from events where event_id = '1930-12-19-rykov-fired'") == \
        ("1930-12-19", "day")
    assert one(db, "select date_start from purges where purge_id = 'ussr-1930-rykov-removed'")[0] == dt.date(1930, 12, 19)
    assert one(db, "select outcome from purge_targets where purge_id = 'ussr-1930-rykov-removed' "
                   "and person_id = 'rykov'")[0] == "removed"


def test_every_rhetoric_row_has_a_speaker_whose_words_it_quotes(db):
    assert one(db, "select count(*) from rhetoric")[0] > 20
    assert one(db, "select count(*) from rhetoric r join quotes q using (quote_id) "
                   "where r.speaker_id is null or q.speaker_id is distinct from r.speaker_id "
                   "or q.voice = 'author'")[0] == 0


def test_burning_bridges_sides(db):
    sides = db.execute("""
        select s.regime_id, e.event_type, e.date_start, q.text from comparison_sides s
        join rhetoric r using (rhetoric_id) join events e on e.event_id = r.event_id
        join quotes q on q.quote_id = s.quote_id
        where s.comparison_id = 'burning-bridges' order by s.regime_id""").fetchall()
    nazi, ussr = sides
    assert ussr[0] == "ussr" and ussr[2] == dt.date(1929, 12, 14) and "blow[ing] up the bridges" in ussr[3]
    assert nazi[0] == "nazi_germany" and nazi[1] == "diary_entry" and nazi[2].year == 1943
    assert "cut the bridges" in nazi[3]


def test_great_leap_forward_comes_after_the_1956_retreat(db):
    rows = db.execute("select seq, phase_type, campaign_year, date_edtf, label from phase_alignment "
                      "where regime_id = 'prc' order by seq").fetchall()
    retreat = next(r for r in rows if r[1] == "retreat" and r[3].startswith("1956"))
    leap = next(r for r in rows if "Great Leap" in r[4])
    assert leap[0] > retreat[0] and leap[2] > retreat[2] and leap[1] == "radicalization"
    ussr_start = one(db, "select min(campaign_year) from phase_alignment where regime_id = 'ussr'")[0]
    assert ussr_start == 0 == rows[0][2]


def test_comparisons_have_a_side_per_regime_and_differences_too(db):
    assert one(db, "select count(*) from comparisons")[0] >= 10
    assert one(db, "select count(*) from (select comparison_id from comparison_sides group by all "
                   "having count(*) < 2)")[0] == 0
    assert one(db, "select count(*) from comparisons where relation = 'difference'")[0] >= 2
    intra = db.execute("select comparison_id from comparison_sides group by comparison_id "
                       "having count(distinct regime_id) = 1").fetchall()
    for (cid,) in intra:
        assert one(db, "select count(*) from comparison_sides where comparison_id = ? and place_id is null", cid)[0] == 0
    assert one(db, "select count(*) from comparisons where basis = 'inferred' and basis_note is null")[0] == 0
    regimes = {r[0] for r in db.execute("select distinct regime_id from comparison_sides").fetchall()}
    assert {"ussr", "prc", "nazi_germany", "jacobin_france"} <= regimes


def test_ukraine_and_georgia_are_contrasted_within_the_ussr(db):
    places = {r[0] for r in db.execute("select s.place_id from comparison_sides s join comparisons c "
                                       "using (comparison_id) where c.relation = 'difference' "
                                       "and s.regime_id = 'ussr' and s.place_id is not null").fetchall()}
    assert {"ukraine", "georgia"} <= places


def test_editorial_notes_keep_the_essays_statement(db):
    conference = one(db, "select date_edtf, editorial_note from events where event_id = "
                         "'1927-04-sixteenth-party-conference'")
    assert conference[0] == "1927-04" and "1929" in conference[1]
    assert one(db, "select count(*) from events where editorial_note is not null")[0] >= 5


def test_dates_are_no_more_precise_than_the_essay_states(db):
    # spot checks against the essay's own wording
    expected = {"1928-01-extraordinary-measures": "1928-01", "1933-03-22-balytskyi-report": "1933-03-22",
                "1935-kremlin-affair": "1935", "1952-ultra-leftist-program": "1952"}
    for event_id, edtf in expected.items():
        assert one(db, "select date_edtf from events where event_id = ?", event_id)[0] == edtf
    assert one(db, "select date_edtf from purges where purge_id = 'ussr-1937-1938-great-purges'")[0] == "1937/1938"


def test_persons_are_spelled_as_the_essay_spells_them(db):
    text = " ".join(r[0] for r in db.execute("select text from paragraphs").fetchall())
    for (name,) in db.execute("select name from persons").fetchall():
        assert name in text, name


def test_every_paragraph_of_the_essay_is_anchored(resolved_project):
    resolution, canonicals, _, _ = resolved_project
    canonical = canonicals["thom-2015-ewjus"]
    spans = [(q.quote_id, q.char_start, q.char_end) for q in resolution.rows["quotes"]]
    spans += [(c.citation_id, c.char_start, c.char_end) for c in resolution.rows["citations"]]
    result = coverage(canonical, spans)
    assert all(p.quotes for p in result.paragraphs)
    assert result.sentence_share >= 0.95, [s.text for s in result.uncovered]
