"""Dates in words: every EDTF form the data uses (CODEBOOK.md, "Dates (EDTF)") reads as a person says
it, and every date in the package comes out as words that name its first and last year."""

from __future__ import annotations

import csv
import re

import pytest

from histpack.annotate.date_words import date_in_words

from conftest import REPO

SAID = {
    # one part
    "1917": "1917",
    "1927-04": "April 1927",
    "1928-02-16": "16 February 1928",
    "1929-12-14": "14 December 1929",
    "1929-21": "spring 1929",
    "1953-22": "summer 1953",
    "1932-23": "autumn 1932",
    # intervals, as the codebook lists them
    "1917-11-07/1922-12-29": "7 November 1917 – 29 December 1922",
    "1928-07-04/1928-07-12": "4–12 July 1928",
    "1930-03-02/1930-05-18": "2 March – 18 May 1930",
    "1930-02/1930-05": "February–May 1930",
    "1932-12/1933-01": "December 1932 – January 1933",
    "1932-12/1933-02": "winter 1932–33",
    "1929/1931-11": "1929 – November 1931",
    "1917/1920": "1917–20",
    "1937/1938": "1937–38",
    "1928/1953": "1928–53",
    "1899/1901": "1899–1901",
    "1900/1901": "1900–1901",
    "1721-11-02/1917-09-14": "2 November 1721 – 14 September 1917",
    "1929-21/1929-22": "spring–summer 1929",
    "1928-01/1928-21": "January 1928 – spring 1928",
    # forms the data does not use, still readable
    "1929/..": "from 1929 on",
    "../1953": "until 1953",
    "": "",
}


@pytest.mark.parametrize("edtf, words", SAID.items())
def test_each_form_reads_as_a_person_says_it(edtf, words):
    assert date_in_words(edtf) == words


def test_what_it_cannot_read_is_shown_as_written():
    for value in ("1929?", "19XX", "1929-13", "1929/1930/1931", "spring"):
        assert date_in_words(value) == value


def codebook_forms() -> list[tuple[str, str]]:
    """(form, example) of each row of the codebook's table of the forms the data uses."""
    text = (REPO / "CODEBOOK.md").read_text(encoding="utf-8").split("## Dates (EDTF)")[1].split("\n## ")[0]
    return re.findall(r"^\| `([^`|]+(?:`/`[^`|]+)?)` \|[^|]+\|[^|]+\| `([^`]+)` \|", text, flags=re.M)


def form(edtf: str) -> str:
    """`1929-21/1930-05` → `YYYY-21`/`YYYY-MM`: the codebook's name of a value's form."""
    def one(part: str) -> str:
        return re.sub(r"^\d{4}", "YYYY", re.sub(r"^(\d{4})-(0\d|1[0-2])", r"\1-MM", re.sub(r"-\d{2}$", "-DD", part)
                                                  if re.match(r"^\d{4}-\d{2}-\d{2}$", part) else part))
    return "`/`".join(one(p) for p in edtf.split("/"))


def test_every_form_the_codebook_lists_is_tested_here():
    forms = codebook_forms()
    assert len(forms) >= 8
    tested = {form(value) for value in SAID}
    for listed, example in forms:
        assert form(example) == listed, (listed, example)
        assert listed in tested, f"{listed} (a form the data uses, e.g. {example}) has no expected reading here"


def package_dates() -> set[tuple[str, str, str]]:
    """(date_edtf, date_start, date_end) of every dated row of the package."""
    found = set()
    for path in sorted((REPO / "data").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                for column in row:
                    if column.endswith("_edtf") and row[column]:
                        prefix = column[: -len("edtf")]
                        found.add((row[column], row[f"{prefix}start"], row[f"{prefix}end"]))
    return found


def test_every_date_of_the_package_reads_as_words_naming_its_years():
    dated = package_dates()
    assert len(dated) > 50
    for edtf, start, end in dated:
        words = date_in_words(edtf)
        assert not re.search(r"\d{4}-\d|/", words), (edtf, words)  # no EDTF code left
        assert start[:4] in words, (edtf, words)
        first, last = int(start[:4]), int(end[:4])
        assert str(last) in words or (words.endswith(f"–{last % 100:02d}") and first // 100 == last // 100), (edtf, words)
