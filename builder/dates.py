"""EDTF strings → the earliest and latest day they cover, and how precise they are.

Parsing is the `edtf` package's job; this module only refuses the forms DESIGN.md rules out
(winter as a season code, open or unspecified dates) and names the precision.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from edtf import parse_edtf, struct_time_to_date
from edtf.parser.edtf_exceptions import EDTFParseException

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


def derive_dates(value: str) -> DateRange:
    """`1929-21` → 1929-03-01 … 1929-05-31, precision season."""
    if not isinstance(value, str) or not value.strip():
        raise DateError("empty EDTF date")
    value = value.strip()
    parts = value.split("/")
    if len(parts) > 2:
        raise DateError(f"invalid EDTF {value!r}: at most one '/'")
    for part in parts:
        _single(part)
    try:
        parsed = parse_edtf(value)
    except EDTFParseException:
        raise DateError(f"invalid EDTF {value!r}") from None
    try:
        start = struct_time_to_date(parsed.lower_strict())
        end = struct_time_to_date(parsed.upper_strict())
    except (ValueError, OverflowError) as exc:  # e.g. year 0000: no such day in the calendar of `datetime`
        raise DateError(f"invalid EDTF {value!r}: {exc}") from None
    if start > end:
        raise DateError(f"EDTF interval {value!r} starts after it ends")
    return DateRange(value, start, end, "interval" if len(parts) == 2 else _single(value))
