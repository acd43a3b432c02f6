"""The project's rules, validation, and frictionless's check of the descriptor."""
