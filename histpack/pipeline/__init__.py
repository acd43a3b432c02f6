"""The pipeline: sources and annotations → validated package → DuckDB, in one call (`histpack.pipeline.build.build`)."""
