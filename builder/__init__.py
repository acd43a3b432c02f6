"""histpack: builds a validated data package from a text and its annotations. For notebooks: `builder.connect()`."""


def connect(db_path=None, package=None, read_only=False):
    """A DuckDB connection with the package loaded (tables and views); see `builder.export.connect`."""
    from .export import connect as _connect

    return _connect(db_path, package, read_only)
