"""The generic engine: read, check and load any Frictionless tabular data package with DuckDB."""

from histpack.engine.check import Checked, Error, check_package, connect
from histpack.engine.reader import Package, Resource, read_descriptor, read_package
from histpack.project.errors import PackageError

__all__ = ["Checked", "Error", "Package", "PackageError", "Resource", "check_package", "connect",
           "read_descriptor", "read_package"]
