"""The package for readers and other tools: codebook, citations, exports, load.sql, timeline."""
