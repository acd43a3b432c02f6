"""`dates._plain_bounds` (the plain forms read without the `edtf` grammar) gives every value the dataset
allows exactly the `edtf` package's reading: the same first and last day, or the same refusal."""

from __future__ import annotations

import itertools

import pytest

from histpack.annotate import dates

YEARS = ["0000", "0001", "0999", "1000", "1900", "1931", "1932", "2000", "9999"]
MONTHS = [f"{y}-{m:02d}" for y in ("1900", "1931", "1932", "2000") for m in range(0, 14)]
DAYS = [f"{y}-{md}" for y in ("0001", "1900", "1931", "1932", "2000", "9999")
        for md in ("01-01", "01-00", "01-31", "01-32", "02-28", "02-29", "02-30", "04-30", "04-31", "06-30",
                   "09-31", "11-30", "12-31", "13-01", "00-10")]
SEASONS = [f"{y}-{s}" for y in ("1929", "1932", "0000") for s in ("21", "22", "23")]
PARTS = {"year": ["1929", "1933"], "month": ["1929-02", "1932-12"], "day": ["1929-02-28", "1932-02-29"],
         "season": ["1929-21", "1932-23"]}
INTERVALS = [f"{a}/{b}" for kind_a, kind_b in itertools.product(PARTS, PARTS)
             for a, b in itertools.product(PARTS[kind_a], PARTS[kind_b])]


def outcome(read, value):
    try:
        return read(value)
    except dates.DateError as exc:
        return f"refused: {exc}"


def by_edtf(value: str):
    parts = value.split("/")
    for part in parts:
        dates._single(part)
    return dates._range(value, *dates._edtf_bounds(value), parts)


@pytest.mark.parametrize("values", [YEARS, MONTHS, DAYS, SEASONS, INTERVALS],
                         ids=["years", "months", "days", "seasons", "intervals"])
def test_plain_forms_read_as_the_edtf_package_reads_them(values):
    fast_path_taken = 0
    for value in values:
        dates._derive.cache_clear()
        assert outcome(dates.derive_dates, value) == outcome(by_edtf, value), value
        try:
            fast_path_taken += all(dates._plain_bounds(p, dates._single(p)) for p in value.split("/"))
        except dates.DateError:
            pass
    assert fast_path_taken >= len(values) // 3  # the comparison is not only between two edtf readings


def test_forms_the_dataset_refuses_are_refused_before_any_parse():
    for value in ("1929-24", "1929-21/1929-24", "1929?", "1929/..", "1929/1930/1931", "29"):
        with pytest.raises(dates.DateError):
            dates.derive_dates(value)
