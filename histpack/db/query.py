"""Read-only queries on a package database: refused if they would write, bounded in time, streamed.

A query runs on a worker thread while the main thread waits for its batches, so Ctrl-C (and the
`timeout`) can call `connection.interrupt()` and stop DuckDB at once, and rows arrive in batches of
`BATCH` instead of all at once in memory.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from histpack.project.errors import Finding, HistpackError

READ_ONLY_STATEMENTS = {"SELECT", "EXPLAIN"}
DEFAULT_TIMEOUT = 60.0
BATCH = 1000


class QueryRefused(HistpackError):
    """A statement that would change the database or the file system, or one that ran too long."""

    def __init__(self, message: str):
        super().__init__([Finding(message)])


def check_read_only(sql: str) -> None:
    """Refuse anything but queries: no INSERT, DROP, COPY … TO, ATTACH, INSTALL, SET, PRAGMA … Each
    statement's type is DuckDB's parser's; an EXPLAIN (ANALYZE runs what it explains) is checked on the
    statement it explains, found by DuckDB's tokenizer, so comments anywhere change nothing."""
    probe = duckdb.connect()
    try:
        statements = probe.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(f"cannot parse the query: {str(exc).splitlines()[0]}") from None
    finally:
        probe.close()
    if not statements:
        raise QueryRefused("no statement given")
    for statement in statements:
        kind = statement.type.name
        if kind not in READ_ONLY_STATEMENTS:
            raise QueryRefused(f"`{_first_word(statement.query) or kind}` statements are refused: `histpack query` "
                               "is read-only (SELECT only)")
        if kind == "EXPLAIN":
            check_read_only(_explained(statement.query))


def _words(sql: str) -> list[tuple[int, str, str]]:
    """(start, text, token type) of each token of `sql` but comments, by DuckDB's tokenizer."""
    tokens = duckdb.tokenize(sql)
    ends = [start for start, _ in tokens[1:]] + [len(sql)]
    return [(start, sql[start:end].strip(), kind.name) for (start, kind), end in zip(tokens, ends)
            if kind.name != "comment"]


def _first_word(sql: str) -> str:
    words = _words(sql)
    return words[0][1].upper()[:40] if words else ""


def _explained(sql: str) -> str:
    """The statement `EXPLAIN [ANALYZE] [VERBOSE] [(options)] statement` explains."""
    words = _words(sql)
    i = 1 if words and words[0][1].upper() == "EXPLAIN" else 0
    if not i:
        raise QueryRefused("cannot read the EXPLAIN statement: `histpack query` is read-only (SELECT only)")
    while i < len(words) and words[i][2] == "keyword" and words[i][1].upper() in ("ANALYZE", "ANALYSE", "VERBOSE"):
        i += 1
    if i < len(words) and words[i][1].startswith("("):
        start, depth = i, 0
        while i < len(words):
            if words[i][2] == "operator":
                depth += words[i][1].count("(") - words[i][1].count(")")
            i += 1
            if depth <= 0:
                break
        if i >= len(words):  # no options: the parentheses hold the statement, `EXPLAIN (SELECT 1)`
            i = start
    if i >= len(words):
        raise QueryRefused("EXPLAIN of no statement: `histpack query` is read-only (SELECT only)")
    return sql[words[i][0]:]


def check_timeout(timeout: float | None) -> None:
    """A time limit is a number of seconds, 0 (or None) for none: NaN would silently mean none."""
    if timeout is not None and not (math.isfinite(timeout) and timeout >= 0):
        raise QueryRefused(f"--timeout {timeout:g}: is not a number of seconds — give seconds, or 0 for no limit")


def json_value(value):
    """`value` as JSON can hold it: NaN and ±infinity (which JSON has no numbers for; `json` would write
    the invalid `NaN`, `Infinity`) become null, inside lists and structs too."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    return value


def connect_read_only(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection that reads nothing but the database: no other file, no network. DuckDB
    reads a `?` in a database path as the start of URL parameters and, with external access off from the
    start, refuses the file: such a path is opened first and external access turned off at once."""
    if "?" not in str(db_path):
        return duckdb.connect(str(db_path), read_only=True, config={"enable_external_access": False})
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        con.execute("SET enable_external_access = false")
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def streamed(db_path: Path, sql: str, timeout: float | None = DEFAULT_TIMEOUT,
             batch: int = BATCH) -> Iterator[tuple[list[str], Iterator[list[tuple]]]]:
    """(column names, batches of rows) of a read-only query; stopped after `timeout` seconds or on Ctrl-C."""
    check_timeout(timeout)
    check_read_only(sql)
    con = connect_read_only(db_path)
    results: queue.Queue = queue.Queue(maxsize=4)
    stop = threading.Event()
    deadline = None if timeout is None or timeout <= 0 else time.monotonic() + timeout

    def put(item) -> bool:
        while not stop.is_set():
            try:
                results.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            cursor = con.execute(sql)
            if not put(("names", [d[0] for d in cursor.description or []])):
                return
            while not stop.is_set():
                rows = cursor.fetchmany(batch)
                if not rows:
                    break
                if not put(("rows", rows)):
                    return
            put(("done", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            put(("error", exc))

    def take():
        while True:
            wait = 0.1 if deadline is None else min(0.1, deadline - time.monotonic())
            if wait <= 0:
                raise QueryRefused(f"the query ran longer than {timeout:g} s and was stopped — narrow it "
                                   f"(WHERE, LIMIT), or give more time with --timeout SECONDS")
            try:
                kind, value = results.get(timeout=wait)
            except queue.Empty:
                continue
            if kind == "error":
                if isinstance(value, duckdb.PermissionException):
                    raise QueryRefused("the query reads files or the network, which is refused: `histpack query` "
                                       "reads only the package's tables") from None
                raise value
            return kind, value

    def batches() -> Iterator[list[tuple]]:
        while True:
            kind, value = take()
            if kind == "done":
                return
            yield value

    thread = threading.Thread(target=work, name="histpack-query", daemon=True)
    thread.start()
    try:
        _, names = take()
        yield names, batches()
    finally:
        stop.set()
        if thread.is_alive():
            con.interrupt()
            thread.join(5)
        if not thread.is_alive():
            con.close()


def run_query(db_path: Path, sql: str, timeout: float | None = DEFAULT_TIMEOUT) -> tuple[list[str], list[tuple]]:
    """All rows of a read-only query (for small results; the CLI streams with `streamed`)."""
    with streamed(db_path, sql, timeout) as (names, batches):
        return names, [row for rows in batches for row in rows]
