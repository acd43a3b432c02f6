"""Property-based tests for the parts that take arbitrary text: quote resolution and EDTF dates."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from histpack.annotate.dates import DateError, derive_dates
from histpack.annotate.quotes import CONTEXT_CHARS, QuoteError, occurrences, resolve_quote

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# --- quote resolution ---------------------------------------------------------------------------

@SETTINGS
@given(data=st.data())
def test_a_unique_substring_of_one_paragraph_resolves_to_itself(canonical, data):
    paragraph = data.draw(st.sampled_from(canonical.paragraphs))
    start = data.draw(st.integers(paragraph.char_start, paragraph.char_end - 1))
    end = data.draw(st.integers(start + 1, min(paragraph.char_end, start + 300)))
    words = canonical.text[start:end]
    assume(words == words.strip() and words)  # what a person types has no outer spaces
    assume(len(occurrences(canonical.text, words)) == 1)

    found = resolve_quote(canonical, words)

    assert (found.char_start, found.char_end) == (start, end)
    assert canonical.text[found.char_start:found.char_end] == words == found.text
    assert found.page_start == canonical.page_of(start)
    assert found.page_end == canonical.page_of(end - 1)
    assert found.paragraph_seq == paragraph.seq and found.section == paragraph.section
    assert found.prefix == canonical.text[max(paragraph.char_start, start - CONTEXT_CHARS):start]
    assert found.suffix == canonical.text[end:min(paragraph.char_end, end + CONTEXT_CHARS)]
    assert len(found.prefix) <= CONTEXT_CHARS and len(found.suffix) <= CONTEXT_CHARS


@SETTINGS
@given(data=st.data())
def test_typed_whitespace_does_not_matter(canonical, data):
    """Line breaks, tabs and runs of spaces in what a person types count as one space."""
    paragraph = data.draw(st.sampled_from(canonical.paragraphs))
    start = data.draw(st.integers(paragraph.char_start, paragraph.char_end - 1))
    end = data.draw(st.integers(start + 1, min(paragraph.char_end, start + 200)))
    words = canonical.text[start:end].strip()
    assume(" " in words and len(occurrences(canonical.text, words)) == 1)
    spacing = data.draw(st.sampled_from(["\n", "\t", "  ", "\u00a0", " \n  "]))
    found = resolve_quote(canonical, "  " + words.replace(" ", spacing) + "\n")
    assert found.text == words


@SETTINGS
@given(words=st.text(min_size=1, max_size=60))
def test_any_text_resolves_or_is_a_quote_error(canonical, words):
    try:
        found = resolve_quote(canonical, words)
    except QuoteError as exc:
        assert str(exc)
        return
    assert canonical.text[found.char_start:found.char_end] == found.text


# --- EDTF dates ---------------------------------------------------------------------------------

SEASONS = {21: (3, 5), 22: (6, 8), 23: (9, 11)}
years = st.integers(1, 9999)


@st.composite
def single_dates(draw):
    """(EDTF string, first day it covers, last day it covers, precision)."""
    kind = draw(st.sampled_from(["day", "month", "season", "year"]))
    year = draw(years)
    if kind == "year":
        return f"{year:04d}", dt.date(year, 1, 1), dt.date(year, 12, 31), kind
    if kind == "season":
        code = draw(st.sampled_from(sorted(SEASONS)))
        first, last = SEASONS[code]
        return (f"{year:04d}-{code}", dt.date(year, first, 1),
                dt.date(year, last, calendar.monthrange(year, last)[1]), kind)
    month = draw(st.integers(1, 12))
    days = calendar.monthrange(year, month)[1]
    if kind == "month":
        return f"{year:04d}-{month:02d}", dt.date(year, month, 1), dt.date(year, month, days), kind
    day = draw(st.integers(1, days))
    return f"{year:04d}-{month:02d}-{day:02d}", dt.date(year, month, day), dt.date(year, month, day), kind


@SETTINGS
@given(single_dates())
def test_single_dates_cover_exactly_what_they_say(case):
    value, first, last, precision = case
    derived = derive_dates(value)
    assert derived.start <= derived.end
    assert (derived.start, derived.end) == (first, last)
    assert derived.precision == precision and derived.edtf == value


@SETTINGS
@given(single_dates(), single_dates())
def test_intervals_run_from_the_first_day_of_a_to_the_last_of_b(a, b):
    value = f"{a[0]}/{b[0]}"
    if a[1] > b[2] or a[1] > b[1]:  # starts after it ends (by its first days or its whole extent)
        try:
            derived = derive_dates(value)
        except DateError:
            return
        assert derived.start <= derived.end
        return
    derived = derive_dates(value)
    assert derived.precision == "interval"
    assert derived.start == a[1] and derived.end == b[2]
    assert derived.start <= derived.end


@SETTINGS
@given(st.one_of(
    st.text(max_size=25),
    st.text(alphabet="0123456789-/.?~%X ", max_size=25),
    st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(0, 9999), st.integers(0, 99)),
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32)),
    st.builds(lambda a, b: f"{a}/{b}", st.integers(0, 9999), st.integers(0, 9999)),
))
def test_anything_else_is_a_date_error_never_another_exception(value):
    try:
        derived = derive_dates(value)
    except DateError as exc:
        assert str(exc)
        return
    assert derived.start <= derived.end


@pytest.mark.parametrize("value, words", [
    ("1933/1932", "starts after it ends"),
    ("1932-24", "winter"),
    ("1932-13", "unsupported EDTF form"),
    ("1932-02-30", "invalid EDTF"),
    ("0000", "invalid EDTF"),
    ("1937-38", "unsupported EDTF form"),
    ("1929/1930/1931", "at most one '/'"),
    ("", "empty"),
    ("1930?", "unsupported EDTF form"),
    ("../1930", "unsupported EDTF form"),
])
def test_known_traps(value, words):
    with pytest.raises(DateError, match=None) as info:
        derive_dates(value)
    assert words in str(info.value)
