"""`histpack query` is bounded: a timeout, Ctrl-C stops DuckDB at once, and rows are streamed (issue 10)."""

from __future__ import annotations

from pathlib import Path
import json
import os
import signal
import threading
import time

import pytest

RUNAWAY = "SELECT count(*) FROM range(1000000000000) a"


@pytest.fixture(scope="module")
def database(package_database, tmp_path_factory):
    """A copy of the shared database: the query tests open it with their own connection settings."""
    import shutil

    return Path(shutil.copyfile(package_database, tmp_path_factory.mktemp("db") / "thom.duckdb"))


def test_runaway_query_stops_at_the_timeout(database, cli, tmp_path):
    started = time.monotonic()
    result = cli(tmp_path, "query", "--db", str(database), "--timeout", "0.5", RUNAWAY)
    assert time.monotonic() - started < 15
    assert result.exit_code == 1 and len(result.errors) == 1, result.stderr
    assert result.errors[0] == ("error: the query ran longer than 0.5 s and was stopped — narrow it (WHERE, LIMIT), "
                                "or give more time with --timeout SECONDS")


def test_ctrl_c_interrupts_a_running_query(database, cli, tmp_path):
    from histpack.project.interrupts import install

    saved = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    install()
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    try:
        started = time.monotonic()
        timer.start()
        result = cli(tmp_path, "query", "--db", str(database), "--timeout", "0", RUNAWAY)
        assert time.monotonic() - started < 15
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, saved[0])
        signal.signal(signal.SIGTERM, saved[1])
    assert result.exit_code == 130 and result.errors == ["error: interrupted"], result.stderr


def test_rows_arrive_in_batches(database):
    from histpack.db.query import streamed

    with streamed(database, "SELECT * FROM range(2500) t(i)", batch=1000) as (names, batches):
        sizes = [len(rows) for rows in batches]
    assert names == ["i"] and sizes == [1000, 1000, 500]


def test_streamed_csv_and_json_hold_every_row(database, cli, tmp_path):
    sql = "SELECT i, 'x' || i AS label FROM range(2100) t(i) ORDER BY i"
    result = cli(tmp_path, "query", "--db", str(database), "--format", "csv", sql)
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == "i,label"
    assert len(result.stdout.splitlines()) == 2101 and result.stdout.splitlines()[-1] == "2099,x2099"
    small = "SELECT person_id, name FROM persons ORDER BY person_id LIMIT 3"
    result = cli(tmp_path, "query", "--db", str(database), "--format", "json", small)
    rows = json.loads(result.stdout)
    assert result.stdout == json.dumps(rows, ensure_ascii=False, indent=2) + "\n"  # the format as before streaming
    assert len(rows) == 3 and set(rows[0]) == {"person_id", "name"}
    empty = cli(tmp_path, "query", "--db", str(database), "--format", "json", "SELECT 1 AS one WHERE false")
    assert empty.stdout == "[]\n"


def test_table_format_shows_a_bounded_number_of_rows(database, cli, tmp_path):
    result = cli(tmp_path, "query", "--db", str(database), "SELECT * FROM range(1200) t(i)")
    assert result.exit_code == 0
    assert result.stdout.rstrip().endswith("(200 more rows not shown; use --format csv or --format json for all of them)")
