"""The whole pipeline in one call: sources and annotations → validated package → DuckDB."""
