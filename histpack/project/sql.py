"""The one way names and values are quoted into SQL (DuckDB and SQLite share the syntax)."""

from __future__ import annotations


def ident(name: str) -> str:
    '''A table or column name, quoted: `a "b"` becomes `"a ""b"""`.'''
    return '"' + str(name).replace('"', '""') + '"'


def literal(text) -> str:
    """A string value, quoted: `it's` → `'it''s'`."""
    return "'" + str(text).replace("'", "''") + "'"
