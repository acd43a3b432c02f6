"""One error type for everything a person can get wrong: it knows where, what, and what to do."""

from __future__ import annotations


class BuildError(Exception):
    """A problem in an input file, reported as one line: `file:line: what (what to do)`."""

    def __init__(self, where: str, message: str, hint: str = ""):
        self.where = where
        self.message = message
        self.hint = hint
        super().__init__(self.line())

    def line(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


class BuildErrors(Exception):
    """Several independent problems found in one pass, so a person can fix them all at once."""

    def __init__(self, errors: list[BuildError]):
        self.errors = errors
        super().__init__("\n".join(e.line() for e in errors))
