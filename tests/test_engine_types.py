"""The engine's fast paths for plain integers, numbers and dates (`types._round_trip_first`,
`_plain_first`) give every cell exactly the value (or the type error) the general expression gives it:
the general expression is the one the differential tests hold to frictionless."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from histpack.engine.types import typed

FIELDS = {"integer": {"type": "integer"}, "number": {"type": "number"}, "date": {"type": "date"}}
EDGES = ["0", "12", "-0", "+1", "007", "-", "", " 1", "1 ", "1_000", "9223372036854775807", "9223372036854775808",
         "-9223372036854775808", "123456789012345678", "1234567890123456789", "1.", ".5", "-.5", "1.5e3", "1e400",
         "inf", "NaN", "0.1", "-12.250", "123456789012345.123456789012345", "1.0000000000000001",
         "1931-02-30", "1931-02-28", "2000-02-29", "1900-02-29", "0000-01-01", "0999-12-31", "1000-01-01",
         "9999-12-31", "10000-01-01", "1931-2-3", "1931-13-01", "1931-00-10", "1931-01-00", "1931-01-32",
         "1931-04-31", " 1931-01-01", "1931-01-01 ", "1931-01-01T00:00", "+1931-01-01", "-1931-01-01",
         "0001-01-01", "0001-01-01 (BC)", "infinity", "-infinity", "epoch", "1931/01/01", "19310101", "1931-01-1 ",
         "+0", "00", "-00", "1e3", "0x10", "1_0", "٣", "１２", "-9223372036854775809", "12345678901234567890"]
PLAINISH = st.one_of(
    st.from_regex(r"-?[0-9]{1,20}", fullmatch=True),
    st.from_regex(r"-?[0-9]{0,17}\.[0-9]{0,17}", fullmatch=True),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.from_regex(r"[ +\-0-9._eE:T]{0,12}", fullmatch=True),
    st.text(max_size=12))


CON = duckdb.connect()


def readings(values: list[str]) -> dict[str, list[tuple]]:
    """For each type, (value, fast reading, general reading) of every cell, read by DuckDB."""
    con = CON
    con.execute("CREATE OR REPLACE TEMP TABLE cells AS SELECT unnest(?::VARCHAR[]) AS x", [values])
    out = {}
    for kind, field in FIELDS.items():
        fast, general = typed(field, "x", [], ""), typed(field, "x", [], "", plain_first=False)
        assert fast != general
        out[kind] = con.execute(f"SELECT x, CAST({fast} AS VARCHAR), CAST({general} AS VARCHAR) FROM cells").fetchall()
    return out


def test_fast_path_agrees_on_edge_cases():
    for kind, rows in readings(EDGES).items():
        for x, fast, general in rows:
            assert fast == general, (kind, x)
    # and the plain forms really take the fast path with a value, not only NULL == NULL
    read = {kind: {x: fast for x, fast, _ in rows} for kind, rows in readings(EDGES).items()}
    assert read["integer"]["007"] == "7" and read["integer"]["-0"] == "0" and read["integer"]["12"] == "12"
    assert read["date"]["1931-02-28"] == "1931-02-28" and read["date"]["1931-02-30"] is None
    assert read["number"]["-12.250"] == "-12.25" and read["integer"]["9223372036854775808"] is None


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(PLAINISH, min_size=1, max_size=40))
def test_fast_path_agrees_on_generated_cells(values):
    for kind, rows in readings(values).items():
        for x, fast, general in rows:
            assert fast == general, (kind, x)
