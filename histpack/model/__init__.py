"""The tables declared once: row models, vocabularies, the schema model, views."""
