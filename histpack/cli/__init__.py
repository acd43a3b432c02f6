"""`histpack`, the command line: a thin shell over the Python API."""
