"""Every package the engine accepts loads: each valid package of the differential corpus (dialects,
missingValues, a date format, trueValues, latin-1, multipart, inline data, no schema, a foreign key
to a non-key column …) becomes typed tables with its rows in file order."""

from __future__ import annotations

import duckdb
import pytest

from histpack.db.loader import load_package
from test_engine_differential import CORPUS, VALID, write


@pytest.mark.parametrize("name", sorted(VALID))
def test_a_valid_package_loads_with_its_rows_in_file_order(name, tmp_path):
    descriptor = write(tmp_path / "package", CORPUS[name])
    db = load_package(descriptor.parent, tmp_path / "out.duckdb")
    con = duckdb.connect(str(db), read_only=True)
    try:
        for resource in CORPUS[name]["resources"]:
            table = resource["name"]
            rows = con.execute(f'SELECT * FROM "{table}"').fetchall()
            assert rows, table
            first = con.execute(f'SELECT * FROM "{table}" LIMIT 1').fetchone()
            assert first == rows[0]
    finally:
        con.close()


def test_typed_values_follow_the_options(tmp_path):
    db = load_package(write(tmp_path / "p", CORPUS["date-format-and-true-values"]).parent, tmp_path / "o.duckdb")
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT id, CAST(born AS VARCHAR), active FROM people ORDER BY id").fetchall() == [
            (1, "1901-02-03", True), (2, None, False)]
    finally:
        con.close()
    db = load_package(write(tmp_path / "q", CORPUS["encoding-latin-1"]).parent, tmp_path / "q.duckdb")
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT name FROM people").fetchall() == [("Zoë",)]
    finally:
        con.close()
