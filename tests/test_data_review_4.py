"""The fourth and fifth reviews of the encoding (issue 24): the independent reviewers' minor findings (seeds
7351 and 52817), each pinned by id against the essay's own words, read from the built package."""

from __future__ import annotations

import datetime as dt

from conftest import one

D = dt.date
ESSAY = "thom-2015-ewjus"


def paragraph_of(db, table, key, value):
    """(seq, text, page of the quote, quote's words) of the paragraph holding a row's quote."""
    return one(db, f"select p.seq, p.text, q.page_start, q.text from {table} t join quotes q using (quote_id) "
                   f"join paragraphs p on p.paragraph_id = q.paragraph_id where t.{key} = ?", value)


def paragraph_at(db, seq):
    return one(db, "select text from paragraphs where source_id = ? and seq = ?", ESSAY, seq)[0]


# ---- 1. “From this time forward”: the 1930 start is the encoder's reading ----

def test_from_this_time_forward_follows_the_march_1930_truce_and_is_illustrated_by_bukharin_1928_29(db):
    seq, paragraph, page, words = paragraph_of(db, "comparisons", "comparison_id", "early-bolshevik-years")
    assert words == ("From this time forward, as in the early years of Bolshevik rule, any setback is used as a "
                     "pretext for tightening the screws.") and page == 83
    assert paragraph.startswith(words)  # the essay gives the moment no date of its own …
    assert "he pretended to offer a truce to the peasants in March" in paragraph_at(db, seq - 1)  # … it follows the truce
    assert "In February-May 1930" in paragraph_at(db, seq - 1)
    assert "In August 1928, he wrote to Stalin" in paragraph and "on 30 January 1929" in paragraph  # its illustration


def test_the_comparisons_claim_marks_1930_as_the_encoders_reading(db):
    claim, basis = one(db, "select claim, basis from comparisons where comparison_id = 'early-bolshevik-years'")
    assert basis == "explicit"  # the comparison itself is the essay's
    assert not claim.startswith("From 1930 on")
    assert claim.startswith("From this time forward (in the essay's sequence, after the truce of March 1930")
    assert "the encoder's reading" in claim and "its illustration, Bukharin, dates from 1928-29" in claim
    assert claim.endswith("any setback was used as a pretext for tightening the screws.")


def test_the_stalin_side_starts_from_this_time_forward_with_a_note_on_its_reading(db):
    summary, note, words = one(db, "select s.side_summary, s.editorial_note, q.text from comparison_sides s "
                                   "join quotes q using (quote_id) where comparison_id = 'early-bolshevik-years' "
                                   "and side_id = 'stalin-from-1930'")
    assert words == "any setback is used as a pretext for tightening the screws"
    assert "From the 1930 truce onward" not in summary
    assert summary.startswith("From this time forward (in the essay's sequence, after the truce of March 1930)")
    assert note.startswith("The start is the encoder's reading.") and "“From this time forward”" in note
    assert "truce offered to the peasants in March 1930" in note and "`ussr-collectivization-1930-retreat`" in note
    assert "dates from 1928-29" in note and "August 1928" in note and "30 January 1929" in note


# ---- 2. The first wave runs from January to the spring of 1928 ----

def test_the_extraordinary_measures_phase_runs_from_january_to_spring_1928_its_end_inferred(db):
    row = one(db, "select date_edtf, date_start, date_end, date_precision, date_basis, summary, editorial_note "
                  "from phases where phase_id = 'ussr-collectivization-1928-extraordinary-measures'")
    assert row[:5] == ("1928-01/1928-21", D(1928, 1, 1), D(1928, 5, 31), "interval", "inferred")
    assert "in the spring of 1928" in row[5]  # the summary's span, now the date's
    note = row[6]
    assert note.startswith("The span's end is the encoder's reading.")
    assert "It does not say when the measures stopped" in note and "before the retreat of July 1928" in note
    assert "`1928-21-offensive-against-rightists`" in note and "`ussr-collectivization-1928-retreat`" in note
    _, paragraph, page, words = paragraph_of(db, "phases", "phase_id", "ussr-collectivization-1928-extraordinary-measures")
    assert words == "In January 1928, the first “extraordinary measures” against the peasants are adopted." and page == 83
    for said in ("After the first offensive against the “rightists” in the spring of 1928, when “extraordinary "
                 "measures” caused shortages and a powerful wave of discontent in the country, Stalin is forced to "
                 "retreat. At the Plenum of 4-12 July 1928",
                 "“extraordinary measures” are temporarily suspended",
                 "Already in the summer of 1928 the catastrophic consequences of this policy were obvious. "
                 "Stalin does not back down."):
        assert said in paragraph
    assert one(db, "select date_edtf from events where event_id = '1928-21-offensive-against-rightists'")[0] == "1928-21"
    retreat = one(db, "select date_start from phases where phase_id = 'ussr-collectivization-1928-retreat'")[0]
    assert row[2] < retreat == D(1928, 7, 4)


def test_the_1929_offensive_keeps_its_one_stated_date_because_the_essay_dates_no_start(db):
    """“Stalin soon resumed the offensive”: the essay gives the new wave no start; it dates only the rout."""
    row = one(db, "select date_edtf, date_basis, event_id from phases where phase_id = 'ussr-collectivization-1929-offensive'")
    assert row == ("1929-21", "explicit", "1929-21-rightists-routed")
    _, paragraph, _, words = paragraph_of(db, "phases", "phase_id", "ussr-collectivization-1929-offensive")
    assert "Stalin soon resumed the offensive. In the spring of 1929 the “rightists” were routed." in words
    between = paragraph[paragraph.index("temporarily suspended"):paragraph.index("In the spring of 1929")]
    assert not any(str(year) in between for year in (1928, 1929))


# ---- 3. Beria wrote the reports; the essay does not say Stalin had him write them ----

def test_transcaucasian_purge_summary_has_beria_write_and_stalin_promote_him(db):
    summary, note = one(db, "select summary, editorial_note from purges "
                            "where purge_id = 'ussr-transcaucasian-bolsheviks-sacked'")
    _, paragraph, page, words = paragraph_of(db, "purges", "purge_id", "ussr-transcaucasian-bolsheviks-sacked")
    assert "has Beria" not in summary
    assert summary.startswith("Using collectivization as a pretext, Stalin begins dismantling the Ordzhonikidze clan")
    assert "from 1929 on Beria, chief of the Georgian GPU, writes scathing reports blaming the disasters on " \
           "Ordzhonikidze's protégés" in summary
    assert "Stalin, enchanted by his denouncing of them, promotes him to head the Georgian Party (1931) and the " \
           "Party in Transcaucasia (1932)" in summary
    assert words == "Stalin used collectivization as a pretext to begin the dismantlement of the Ordzhonikidze clan." \
        and page == 85
    for said in ("From 1929 on, Beria, then chief of the Georgian GPU, wrote scathing reports on the disasters caused "
                 "by this policy, laying the blame on the leading Communists, Lela Kartvelishvili or Mamulia, "
                 "protégés of Ordzhonikidze.",
                 "Stalin was so enchanted by Beria’s competent denouncing of the Transcaucasian Bolsheviks that he "
                 "promoted him at the head of the Georgian Party in 1931 and of the Party in Transcaucasia in 1932, "
                 "destroying Ordzhonikidze’s regional power base"):
        assert said in paragraph
    assert "asked Beria" not in paragraph and "ordered Beria" not in paragraph  # no commission in the essay
    assert "the encoder's" in note  # its span stays inferred, as before


# ---- 4. Enukidze: a theme from the context, not the words ----

def test_enukidze_words_keep_their_theme_with_a_note_that_it_comes_from_the_context(db):
    theme, date, note = one(db, "select theme, date_edtf, editorial_note from rhetoric "
                                "where rhetoric_id = 'stalin-1937-06-02-enukidze'")
    assert (theme, date) == ("traitor_branding", "1937-06-02")
    assert note is not None and note.startswith("The theme is the encoder's reading of the context, not of the words.")
    assert "call Enukidze no traitor or enemy agent" in note and "`traitor_branding` is kept as the nearest" in note
    _, paragraph, page, words = paragraph_of(db, "rhetoric", "rhetoric_id", "stalin-1937-06-02-enukidze")
    assert page == 87 and "felt pity for the peasants" in words and "people believed him" in words
    assert "traitor" not in words.lower() and "agent" not in words.lower()  # the words themselves brand no traitor
    for said in ("the accusation that a person disapproved of collectivization", "crops up often",
                 "During the great purges"):
        assert said in note and said in paragraph
    assert paragraph.index("During the great purges, the accusation that a person disapproved of collectivization "
                           "crops up often") < paragraph.index(words)  # the essay gives the words as its instance
    # the note's "no theme of the vocabulary names that charge": a theme added later calls for a new look at the row
    theme_type = next(r[1] for r in db.execute("describe rhetoric").fetchall() if r[0] == "theme")
    assert theme_type == ("ENUM('burning_bridges', 'war_scare', 'traitor_branding', 'dissimulation', 'hypocrisy', "
                          "'modernization', 'class_struggle', 'party_unity', 'requisition', 'other')")


# ---- the fifth review (seed 52817, 53 rows: 52 correct, 1 minor, 0 wrong) and two of its suggestions ----

def test_the_government_takeover_phase_is_dated_to_the_month_of_its_two_steps(db):
    edtf, basis, note = one(db, "select date_edtf, date_basis, editorial_note from phases "
                                "where phase_id = 'ussr-collectivization-1930-12-government-takeover'")
    assert (edtf, basis) == ("1930-12", "explicit")
    paragraph = paragraph_of(db, "phases", "phase_id", "ussr-collectivization-1930-12-government-takeover")[1]
    for words in ("On December 19, Rykov was fired", "In late December the merger of state and Party"):
        assert words in paragraph and words in note
    steps = db.execute("select event_id, date_edtf from events where event_id in "
                       "('1930-12-19-rykov-fired', '1930-12-merger-of-state-and-party') order by 1").fetchall()
    assert steps == [("1930-12-19-rykov-fired", "1930-12-19"), ("1930-12-merger-of-state-and-party", "1930-12")]


def test_balytskyi_asked_his_subordinates_not_to_circulate_the_reports(db):
    summary = one(db, "select summary from events where event_id = '1933-03-22-balytskyi-report'")[0]
    paragraph = paragraph_of(db, "events", "event_id", "1933-03-22-balytskyi-report")[1]
    assert "requested his subordinates not to circulate written reports" in paragraph
    assert "asked his subordinates not to circulate" in summary and "forbidden" not in summary


def test_the_georgia_side_names_its_letter(db):
    summary = one(db, "select side_summary from comparison_sides where comparison_id = 'ukraine-vs-transcaucasia' "
                      "and side_id = 'georgia'")[0]
    assert summary.startswith("In his letter to Kaganovich of 17 August 1931")
    paragraph = one(db, "select p.text from comparison_sides s join quotes q using (quote_id) join paragraphs p "
                        "on p.paragraph_id = q.paragraph_id where s.comparison_id = 'ukraine-vs-transcaucasia' "
                        "and s.side_id = 'georgia'")[0]
    assert "In a letter to Kaganovich on 17 August 1931, Stalin writes" in paragraph
