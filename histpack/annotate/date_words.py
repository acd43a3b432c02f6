"""An EDTF date as a reader says it: `1953-22` → "summer 1953", `1937/1938` → "1937–38",
`1932-12/1933-02` → "winter 1932–33", `1929-12-14` → "14 December 1929".

The one function every page, picture and terminal table uses to show a date to a person; the data
keeps the EDTF (`date_edtf`). It reads every form the dataset allows (CODEBOOK.md, "Dates (EDTF)")
and a few it does not use (autumn, open or unknown ends); anything else is shown as written, so
a reader is never shown less than the data holds.
"""

from __future__ import annotations

import re

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
SEASONS = {"21": "spring", "22": "summer", "23": "autumn", "24": "winter"}
_PART = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")
DASH = "–"  # en dash: a range


def _part(value: str) -> tuple[int, int | None, int | None, str | None] | None:
    """(year, month, day, season) of one plain EDTF part, or None for a form this module does not read."""
    m = _PART.match(value)
    if not m:
        return None
    year, month, day = int(m["year"]), m["month"], m["day"]
    if month in SEASONS and day is None:
        return year, None, None, SEASONS[month]
    if month is not None and not 1 <= int(month) <= 12:
        return None
    if day is not None and not 1 <= int(day) <= 31:
        return None
    return year, int(month) if month else None, int(day) if day else None, None


def _say(part: tuple, with_year: bool = True) -> str:
    year, month, day, season = part
    words = []
    if day is not None:
        words.append(str(day))
    if month is not None:
        words.append(MONTHS[month - 1])
    if season is not None:
        words.append(season)
    if with_year:
        words.append(str(year))
    return " ".join(words)


def year_range(first: int, last: int) -> str:
    """`1937–38`, `1917–20`, `1899–1901`, `1900–1901`: the second year shortened to its last two
    digits when it shares the century with the first (and the first is not its century's year)."""
    if first == last:
        return str(first)
    if first // 100 == last // 100 and first % 100 != 0 and first < last:
        return f"{first}{DASH}{last % 100:02d}"
    return f"{first}{DASH}{last}"


def _interval(a: tuple, b: tuple) -> str:
    (ya, ma, da, sa), (yb, mb, db, sb) = a, b
    if sa is None and sb is None and da is None and db is None:
        if ma is None and mb is None:
            return year_range(ya, yb)
        if ma == 12 and mb == 2 and yb == ya + 1:
            return f"winter {year_range(ya, yb)}"
        if ma is not None and mb is not None and ya == yb:
            return f"{MONTHS[ma - 1]}{DASH}{MONTHS[mb - 1]} {ya}"
    if sa is not None and sb is not None and ya == yb:
        return f"{sa}{DASH}{sb} {ya}"
    if da is not None and db is not None and ya == yb:
        if ma == mb:
            return f"{da}{DASH}{db} {MONTHS[ma - 1]} {ya}"
        return f"{_say(a, with_year=False)} {DASH} {_say(b)}"
    return f"{_say(a)} {DASH} {_say(b)}"


def date_in_words(edtf: str | None) -> str:
    """The date as words, in English: "summer 1953", "1937–38", "14 December 1929" ("" for none)."""
    if edtf is None:
        return ""
    value = str(edtf).strip()
    if not value:
        return ""
    if "/" not in value:
        part = _part(value)
        return _say(part) if part else value
    first, _, last = value.partition("/")
    if "/" in last:
        return value
    a = _part(first) if first not in ("", "..") else None
    b = _part(last) if last not in ("", "..") else None
    if a and last == "..":
        return f"from {_say(a)} on"
    if a and last == "":
        return f"from {_say(a)} (end unknown)"
    if b and first == "..":
        return f"until {_say(b)}"
    if b and first == "":
        return f"until {_say(b)} (start unknown)"
    if a and b:
        if a == b:
            return _say(a)
        return _interval(a, b)
    return value
