"""Where a project is, its metadata, errors, interrupts and the output journal."""
