"""The generic engine: read, check and load any Frictionless tabular data package with DuckDB."""

from .check import Checked, Error, check_package, connect
from .reader import Package, PackageError, Resource, read_descriptor, read_package

__all__ = ["Checked", "Error", "Package", "PackageError", "Resource", "check_package", "connect",
           "read_descriptor", "read_package"]
