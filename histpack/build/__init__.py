"""The whole pipeline in one call: sources and annotations → validated package → DuckDB."""

from histpack.build.pipeline import BuildReport, build

__all__ = ["BuildReport", "build"]
