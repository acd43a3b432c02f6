"""Annotations read and resolved against the canonical text: quotes, dates, rows."""
