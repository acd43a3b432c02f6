"""One error type for everything a person can get wrong: it knows where, what, and what to do.

An error line never grows with the input: any part longer than `LIMIT` characters is cut, so a
megabyte-long value in an annotation gives a line a person can read.
"""

from __future__ import annotations

LIMIT = 200


def shorten(text: str, limit: int = LIMIT) -> str:
    """`text`, cut to about `limit` characters with the count of what was left out."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def echo(value, limit: int = LIMIT) -> str:
    """A value as an error may show it: its repr, cut to about `limit` characters."""
    if isinstance(value, str):
        return repr(shorten(value, limit)) if len(value) > limit else repr(value)
    if isinstance(value, (list, dict, tuple, set)):
        kind = type(value).__name__
        return f"a {kind}" if len(value) > 20 else shorten(repr(value), limit)
    return shorten(repr(value), limit)


class BuildError(Exception):
    """A problem in an input file, reported as one line: `file:line: what — what to do`."""

    def __init__(self, where: str, message: str, hint: str = ""):
        self.where = shorten(where, 2 * LIMIT)
        self.message = shorten(" ".join(str(message).splitlines()), 3 * LIMIT)
        self.hint = shorten(" ".join(str(hint).splitlines()), 3 * LIMIT)
        super().__init__(self.line())

    def line(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


class BuildErrors(Exception):
    """Several independent problems found in one pass, so a person can fix them all at once."""

    def __init__(self, errors: list[BuildError]):
        self.errors = errors
        super().__init__("\n".join(e.line() for e in errors))
