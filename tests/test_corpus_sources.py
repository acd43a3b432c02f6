"""The further analysed sources (issue 14): what a reader checks first about them — that each
text's rights are published with it, and that the sources are compared where they date the same
thing."""

import json
from conftest import REPO

FURTHER = ("canada-2008-holodomor-act", "cia-factbook-2026-ukraine", "cia-factbook-2026-russia")


def test_every_analysed_source_publishes_its_licence():
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    listed = {s["path"]: s for s in descriptor["sources"]}
    assert len(listed) == len(descriptor["sources"]) >= 1 + len(FURTHER)
    assert all(s.get("license") for s in descriptor["sources"])
    assert "Open Government Licence – Canada" in next(s["license"] for s in descriptor["sources"]
                                                       if "justicecanada" in s["path"])


def test_further_sources_are_analysed_and_licensed_in_the_sources_table(db):
    rows = dict(db.execute("select source_id, license from sources where role = 'analyzed'").fetchall())
    assert set(FURTHER) <= set(rows)
    assert "public domain" in rows["cia-factbook-2026-ukraine"].lower()
    assert all(rows[s] for s in rows)


def test_each_further_source_quotes_only_its_own_text(db):
    for source_id in FURTHER:
        count, pages, in_text = db.execute(
            "select count(*), count(distinct q.page_start), "
            "bool_and(strpos(p.text, q.text) > 0) from quotes q join paragraphs p "
            "on p.source_id = q.source_id and q.char_start >= p.char_start and q.char_end <= p.char_end "
            "where q.source_id = ?", [source_id]).fetchone()
        assert count >= 3 and pages == 1 and in_text, source_id


def test_the_famine_is_the_acts_event_which_thom_names_undated_and_the_factbook_dates_alike(db):
    """The Holodomor as a whole is not Thom's phase of the measures (Dec 1932 - Jan 1933): a date
    comparison between the two would read as if Thom dated the famine more narrowly."""
    evidence = db.execute("select source_id, origin, date_edtf from entity_evidence "
                          "where entity_id = '1932-1933-holodomor' order by all").fetchall()
    assert ("canada-2008-holodomor-act", "row", "1932/1933") in evidence
    assert ("thom-2015-ewjus", "attestation", None) in evidence
    assert ("cia-factbook-2026-ukraine", "attestation", "1932/1933") in evidence
    pairs = {(r[0], r[1], r[2]) for r in db.execute(
        "select source_a, source_b, agreement from source_dates where entity_id = '1932-1933-holodomor'").fetchall()}
    assert pairs == {("canada-2008-holodomor-act", "cia-factbook-2026-ukraine", "same")}
    assert db.execute("select count(*) from source_dates "
                      "where entity_id = 'ussr-collectivization-1932-1933-famine'").fetchone() == (0,)


def test_a_combined_toll_is_attested_on_both_famines(db):
    tolls = db.execute("select a.event_id, q.text from attestations a join quotes q using (quote_id) "
                       "where q.text like '%eight million%' order by 1").fetchall()
    assert tolls == [("1921-1922-famine-in-ukraine", "in which over eight million died"),
                     ("1932-1933-holodomor", "in which over eight million died")]


def test_ukrainian_independence_1917_20_agrees_across_sources(db):
    assert db.execute("select date_a, date_b, agreement from source_dates "
                      "where entity_id = '1917-1920-ukrainian-independence-efforts'").fetchall() == \
        [("1917/1920", "1917/1920", "same")]
