"""`python -m histpack`: the command line, as the `histpack` script runs it."""

from histpack.cli.console import main

main()
