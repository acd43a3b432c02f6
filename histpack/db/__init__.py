"""The package in DuckDB: load, cache, read-only queries."""
