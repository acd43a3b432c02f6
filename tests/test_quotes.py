"""Quote resolution: words in, offsets, pages and context out — or a helpful error."""


import pytest

from histpack.annotate.quotes import QuoteError, resolve_quote
from conftest import REPO



def test_resolves_offsets_pages_and_context(canonical):
    q = resolve_quote(canonical, "Stalin was so enchanted by Beria’s competent denouncing")
    assert canonical.text[q.char_start:q.char_end] == q.text
    assert (q.page_start, q.page_end) == (85, 85)
    assert q.prefix == canonical.text[q.char_start - 32:q.char_start]
    assert q.suffix == canonical.text[q.char_end:q.char_end + 32]


def test_typed_line_breaks_count_as_one_space(canonical):
    q = resolve_quote(canonical, "On 13 September 1930\n   Stalin wrote to Molotov")
    assert q.text == "On 13 September 1930 Stalin wrote to Molotov"
    assert q.page_start == 86


def test_quote_across_pages(canonical):
    q = resolve_quote(canonical, "He was so pleased with Beria")
    assert (q.page_start, q.page_end) == (85, 86)


def test_missing_quote_shows_the_closest_passage(canonical):
    with pytest.raises(QuoteError) as err:
        resolve_quote(canonical, "Stalin was so enchanted with Beria’s competent denouncing")
    assert "not found" in str(err.value)
    assert "closest passage" in str(err.value) and "Beria’s competent denouncing" in str(err.value)


def test_straight_apostrophe_is_not_silently_accepted(canonical):
    with pytest.raises(QuoteError):
        resolve_quote(canonical, "Stalin's colossal hypocrisy")


def test_ambiguous_quote_asks_for_occurrence_or_prefix(canonical):
    with pytest.raises(QuoteError) as err:
        resolve_quote(canonical, "Nazi Germany")
    assert "ambiguous" in str(err.value) and "occurs 3 times" in str(err.value)
    assert "occurrence" in str(err.value) and "prefix" in str(err.value)
    second = resolve_quote(canonical, "Nazi Germany", occurrence=2)
    by_prefix = resolve_quote(canonical, "Nazi Germany", prefix="In ")
    assert second.char_start == by_prefix.char_start
    assert canonical.text[:second.char_start].endswith("In ")


def test_occurrence_out_of_range(canonical):
    with pytest.raises(QuoteError, match="occurs 3 time"):
        resolve_quote(canonical, "Nazi Germany", occurrence=4)


def test_quote_across_paragraphs_is_refused(canonical):
    with pytest.raises(QuoteError, match="paragraph"):
        resolve_quote(canonical, "Maoist China. First we will try")


def test_quote_into_a_footnote_is_refused(canonical):
    with pytest.raises(QuoteError, match="footnote"):
        resolve_quote(canonical, "the will of an individual is more decisive 2 See “Memorandum")


def test_quote_in_a_footnote_resolves_to_its_page(canonical):
    q = resolve_quote(canonical, "Qtd. in Getmanskii 43")
    assert q.section == "note" and q.page_start == 81
