"""Source text → canonical text: normalization, page map, coverage."""
