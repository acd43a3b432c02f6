"""The canonical text and its page map, pinned to facts of the printed essay."""

import hashlib

import pytest

from conftest import REPO

SHA256 = "e5ff734427352f126221a851188ccb5fab6602cd10ff0441c6a9e933ed2766eb"


def page(canonical, words):
    at = canonical.text.find(words)
    assert at >= 0, words
    assert canonical.text.find(words, at + 1) < 0, f"{words!r} is not unique"
    return canonical.page_of(at), canonical.page_of(at + len(words) - 1)


def test_source_is_the_essay_as_received():
    assert hashlib.sha256((REPO / "sources" / "thom-2015-ewjus.txt").read_bytes()).hexdigest() == SHA256


def test_no_layout_characters_survive(canonical):
    for ch in ("\t", "\u00a0", "\u2010", "\r"):
        assert ch not in canonical.text
    assert "  " not in canonical.text
    assert all("\n" not in p.text for p in canonical.paragraphs)


def test_body_starts_with_the_restored_drop_capital(canonical):
    body = [p for p in canonical.paragraphs if p.section == "body"]
    assert body[0].text.startswith("The mechanisms and the chronological sequence")
    assert any(c.kind == "drop_capital_restored" and canonical.text[c.char_offset] == "T" for c in canonical.changes)


def test_sections_in_order(canonical):
    sections = [p.section for p in canonical.paragraphs]
    assert sections[0] == "abstract" and sections[1:3] == ["epigraph", "epigraph"]
    assert sections[-2:] == ["note", "note"]
    assert canonical.paragraphs[0].text.startswith("Abstract: The mechanisms and the chronology")


@pytest.mark.parametrize("words, printed", [
    ("P. A. Valuev (1865)", 81),
    ("by the offensive against the peasants", 84),
    ("Stalin was so enchanted by Beria", 85),
    ("pleased with Beria", 86),
    ("provoked huge international tensions", 87),
    ("The Ukrainian elites were also targeted", 89),
    ("Failure to understand this", 91),
])
def test_page_map(canonical, words, printed):
    assert page(canonical, words) == (printed, printed)


def test_pages_run_81_to_91(canonical):
    pages = [p for _, _, p in canonical.page_spans]
    assert min(pages) == 81 and max(pages) == 91
    body_pages = sorted({canonical.page_of(p.char_start) for p in canonical.paragraphs if p.section != "note"}
                        | {canonical.page_of(p.char_end - 1) for p in canonical.paragraphs if p.section != "note"})
    assert body_pages == list(range(81, 92))


def test_a_sentence_across_a_page_break_keeps_both_pages(canonical):
    assert page(canonical, "we can name those responsible") == (81, 82)


def test_footnotes_are_moved_out_of_the_body(canonical):
    body_end = max(p.char_end for p in canonical.paragraphs if p.section == "body")
    for words in ("Qtd. in Getmanskii 43.", "See “Memorandum of 14 December 1929” (Danilov, vol. 2, 38)."):
        at = canonical.text.find(words)
        assert at > body_end
        assert canonical.paragraph_of(at).section == "note"
    assert "is more decisive than ever" in canonical.text
    assert "(1865)1" not in canonical.text and "emphasis].”2" not in canonical.text
    notes = {f.number: f for f in canonical.footnotes}
    assert canonical.text[:notes[2].marker_offset].endswith("no way back [author’s emphasis].”")
    assert canonical.page_of(canonical.text.find("Qtd. in Getmanskii")) == 81
    assert canonical.page_of(canonical.text.find("See “Memorandum")) == 90


def test_running_head_removed_and_words_joined(canonical):
    assert "Françoise Thom" not in canonical.text
    assert "ewjus.com" not in canonical.text
    assert "The crisis unleashed by the offensive against the peasants" in canonical.text
    assert "self-destruction" in canonical.text and "“non-judgmental”" in canonical.text
    assert "de-kulakization" in canonical.text


def test_paragraphs_respect_layout_exceptions(canonical):
    texts = [p.text for p in canonical.paragraphs]
    assert any(t.startswith("The Ukrainian elites were also targeted") for t in texts)
    assert any(t.startswith("The mechanisms and the chronological sequence") and "can name those responsible" in t
               for t in texts)
    assert len(canonical.paragraphs) == 30


def test_every_editorial_change_is_recorded(canonical):
    kinds = {}
    for change in canonical.changes:
        kinds[change.kind] = kinds.get(change.kind, 0) + 1
    assert kinds["footnote_marker_removed"] == 2 and kinds["footnote_moved"] == 2
    assert kinds["running_head_removed"] == 3 and kinds["drop_capital_restored"] == 1
    assert kinds["line_end_hyphen_joined"] == 2
    raw = (REPO / "sources" / "thom-2015-ewjus.txt").read_text(encoding="utf-8")
    assert kinds["hyphen_folded"] == raw.count("\u2010")
    for change in canonical.changes:
        if change.kind == "hyphen_folded":
            assert canonical.text[change.char_offset] == "-"
