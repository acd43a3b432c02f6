"""histpack: builds a validated data package from a text and its annotations. For notebooks: `histpack.connect()`."""


def connect(db_path=None, package=None, read_only=False):
    """A DuckDB connection with the package loaded (tables and views); see `histpack.outputs.export.connect`."""
    from histpack.outputs.export import connect as _connect

    return _connect(db_path, package, read_only)
