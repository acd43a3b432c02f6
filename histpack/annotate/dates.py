"""EDTF strings → the earliest and latest day they cover, and how precise they are.

Parsing is the `edtf` package's job; this module only refuses the forms the design contract (docs/design-contract.md) rules out
(winter as a season code, open or unspecified dates) and names the precision. The package's
grammar tries every EDTF level for every string (pyparsing, ~7 ms a value), so each distinct
value is parsed once per process, with the level-0 and level-1 grammars first: `edtf` itself
picks the first level that matches the whole string, so the result is the same.

The `edtf` package stays the parser of record, but the plain forms this dataset allows (a year, a
month, a day, a season 21-23, an interval of those) have bounds simple enough to compute directly:
`_plain_bounds` does, and `tests/test_dates.py` holds it to the `edtf` package's reading of every form
(leap years, month ends, seasons, intervals). Anything else (an impossible day, year 0) goes to `edtf`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_SEASON = re.compile(r"^\d{4}-(2[1-4])$")
_YEAR = re.compile(r"^\d{4}$")


class DateError(ValueError):
    """The EDTF string is invalid or in a form this dataset does not use."""


@dataclass(frozen=True)
class DateRange:
    edtf: str
    start: dt.date
    end: dt.date
    precision: str


def _single(value: str) -> str:
    if _DAY.match(value):
        return "day"
    if _MONTH.match(value):
        return "month"
    if _SEASON.match(value):
        if value.endswith("-24"):
            raise DateError(f"winter as season code ({value!r}) covers December only in the edtf package; "
                            f"write it as an interval, e.g. {value[:4]}-12/{int(value[:4]) + 1}-02")
        return "season"
    if _YEAR.match(value):
        return "year"
    raise DateError(f"unsupported EDTF form {value!r}: use YYYY, YYYY-MM, YYYY-MM-DD, a season YYYY-21..23, "
                    f"or an interval A/B of those")


_SEASON_MONTHS = {"21": (3, 5), "22": (6, 8), "23": (9, 11)}  # the edtf package's spring, summer, autumn


def _plain_bounds(part: str, kind: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of one plain part (`kind` from `_single`), or None to leave it to `edtf`."""
    year = int(part[:4])
    try:
        if kind == "year":
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if kind == "month":
            month = int(part[5:7])
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        if kind == "day":
            day = dt.date(year, int(part[5:7]), int(part[8:10]))
            return day, day
        if kind == "season":
            first, last = _SEASON_MONTHS[part[5:7]]
            return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
    except ValueError:  # year 0, a day that does not exist: the edtf package's verdict
        return None
    return None


def _parse(value: str):
    """The `edtf` package's reading of `value` (imported only when a date needs parsing)."""
    from edtf import parse_edtf
    from edtf.parser.edtf_exceptions import EDTFParseException
    from edtf.parser.grammar import level0Expression, level1Expression
    from pyparsing import ParseException

    for level in (level0Expression, level1Expression):
        try:
            return level.parse_string(value, parse_all=True)[0]
        except ParseException:
            continue
    try:
        return parse_edtf(value)
    except EDTFParseException:
        raise DateError(f"invalid EDTF {value!r}") from None


def derive_dates(value: str) -> DateRange:
    """`1929-21` → 1929-03-01 … 1929-05-31, precision season."""
    if not isinstance(value, str) or not value.strip():
        raise DateError("empty EDTF date")
    return _derive(value.strip())


@lru_cache(maxsize=4096)
def _derive(value: str) -> DateRange:
    parts = value.split("/")
    if len(parts) > 2:
        raise DateError(f"invalid EDTF {value!r}: at most one '/'")
    bounds = [_plain_bounds(part, _single(part)) for part in parts]
    if all(bounds):
        return _range(value, bounds[0][0], bounds[-1][1], parts)
    return _range(value, *_edtf_bounds(value), parts)


def _edtf_bounds(value: str) -> tuple[dt.date, dt.date]:
    """The `edtf` package's earliest and latest day of `value`."""
    from edtf import struct_time_to_date

    parsed = _parse(value)
    try:
        start = struct_time_to_date(parsed.lower_strict())
        end = struct_time_to_date(parsed.upper_strict())
    except (ValueError, OverflowError) as exc:  # e.g. year 0000: no such day in the calendar of `datetime`
        raise DateError(f"invalid EDTF {value!r}: {exc}") from None
    return start, end


def _range(value: str, start: dt.date, end: dt.date, parts: list[str]) -> DateRange:
    if start > end:
        raise DateError(f"EDTF interval {value!r} starts after it ends")
    return DateRange(value, start, end, "interval" if len(parts) == 2 else _single(value))
