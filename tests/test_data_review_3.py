"""The third review of the encoding (issue 24), read from the built package: the rows it corrected
and added, each by id with the essay's words, and the essay's own slips marked [sic]."""

from __future__ import annotations

import pytest

from histpack.pipeline.build import build
from histpack.project.errors import BuildErrors
from conftest import REPO, edit


def one(db, sql, *params):
    return db.execute(sql, list(params)).fetchone()


# ---- The essay's slips, marked [sic] ----

SLIPS = [  # slip_id, kind, the slip's words, reading, page, the essay's words around them
    ("sic-82-unbalanced-closing-quotation-mark", "unbalanced_punctuation", "peasants”", None, 82,
     "for wanting to ensure “primitive socialist accumulation” at the expense of peasants” (Souvarine 364)"),
    ("sic-82-had-stalin-had-not", "extra_word", "had Stalin had not", "had Stalin not", 82,
     "would have been difficult to justify had Stalin had not whipped up a huge war scare"),
    ("sic-85-will-to-be-completed", "extra_word", "will to be completed", "will be completed", 85,
     "He had also begun the process, which will to be completed in 1938-39"),
    ("sic-87-one-the-same-thing", "missing_word", "one the same thing", "one and the same thing", 87,
     "the power of the Soviet state amounted to one the same thing."),
    ("sic-87-lead-for-led", "wrong_word", "lead", "led", 87,
     "The ensuing disaster lead to a reaction by the Party establishment"),
    ("sic-89-obliged-do-dispatch", "typo", "obliged do dispatch", "obliged to dispatch", 89,
     "Stalin was constantly obliged do dispatch his closest associates to the provinces"),
]


@pytest.mark.parametrize("slip_id, kind, words, reading, page, around", SLIPS)
def test_each_slip_is_found_at_its_page(db, slip_id, kind, words, reading, page, around):
    row = one(db, "select s.kind, s.reading, s.source_id, q.text, q.page_start, q.page_end, q.char_start, "
                  "p.char_start, p.text from slips s join quotes q using (quote_id) "
                  "join paragraphs p using (paragraph_id) where s.slip_id = ?", slip_id)
    assert row[:6] == (kind, reading, "thom-2015-ewjus", words, page, page)
    at, paragraph_start, paragraph = row[6:]
    found = paragraph.index(around) + paragraph_start  # the essay's words, once in the paragraph …
    assert paragraph.count(around) == 1 and found <= at and at + len(words) <= found + len(around)  # … holding the slip


def test_the_six_slips_are_all_the_slips(db):
    assert {r[0] for r in db.execute("select slip_id from slips").fetchall()} == {s[0] for s in SLIPS}


def test_quotes_stay_verbatim_and_are_read_with_sic_after_each_slip(db):
    read = db.execute("select quote_id, text, text_sic from quote_context").fetchall()
    assert all(sic.replace(" [sic]", "") == text for _, text, sic in read)  # only “[sic]” is added
    marked = {qid for qid, text, sic in read if sic != text}
    assert marked == {r[0] for r in db.execute("select quote_id from quote_slips").fetchall()}
    assert all(sic.count("[sic]") == one(db, "select count(*) from quote_slips where quote_id = ?", qid)[0]
               for qid, text, sic in read if qid in marked)
    by_row = {
        ("events", "event_id", "1962-01-mao-policy-criticised"): "The ensuing disaster lead [sic] to a reaction",
        ("purges", "purge_id", "ussr-old-bolshevik-guard-liquidation"): "which will to be completed [sic] in 1938-39",
        ("theses", "thesis_id", "stalin-imposed-on-provinces"): "obliged do dispatch [sic] his closest associates",
    }
    for (table, key, value), words in by_row.items():
        text, sic = one(db, f"select c.text, c.text_sic from {table} t join quote_context c using (quote_id) "
                            f"where t.{key} = ?", value)
        assert words in sic and words.replace(" [sic]", "") in text
    # the essay's other “lead to” (p. 84) has a plural subject and is no slip
    assert one(db, "select count(*) from quote_context where contains(text, 'measures lead to') "
                   "and contains(text_sic, '[sic]')")[0] == 0
    assert one(db, "select count(*) from quote_context where contains(text, 'measures lead to')")[0] >= 1


def test_cite_row_marks_the_slip(cli):
    result = cli(REPO, "cite", "--row", "events:1962-01-mao-policy-criticised")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "Thom 2015, 87",
        "“The ensuing disaster lead [sic] to a reaction by the Party establishment: in January 1962 Mao’s policy "
        "is criticised by his closest associates: Liu, Zhou and Deng Xiaoping.”",
        "[sic]: the source's own slip, “lead” for “led” (slips:sic-87-lead-for-led)."]


def test_a_slip_must_mend_its_words(project):
    edit(project / "annotations" / "slips.yaml", "    reading: led\n", "    reading: lead\n")
    with pytest.raises(BuildErrors) as caught:
        build(project, db_path=None)
    assert "slips row `sic-87-lead-for-led`: `reading` 'lead' is the slip's own words" in str(caught.value)


def test_a_slip_kind_comes_from_its_vocabulary(project):
    edit(project / "annotations" / "slips.yaml", "    kind: wrong_word\n", "    kind: misprint\n")
    with pytest.raises(BuildErrors) as caught:
        build(project, db_path=None)
    assert "annotations/slips.yaml:" in str(caught.value) and "misprint" in str(caught.value)
