"""One error model: a problem is a `Finding` (where, what, what to do), and an expected failure is a
`HistpackError` carrying findings. The one-line messages a person reads are rendered from the fields,
never parsed back.

A line never grows with the input: any part longer than `LIMIT` characters is cut, so a megabyte-long
value in an annotation gives a line a person can read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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


def _one_line(text: str, limit: int) -> str:
    return shorten(" ".join(str(text).splitlines()), limit)


@dataclass(frozen=True)
class Finding:
    """One problem. `file` is the input it is in (a path as the user knows it, or an option such as
    `--source x`); `line` a line of a text input (YAML, a source text), `row` a row of a table (the
    header is row 1); `kind` its class (frictionless's error class for a Table Schema check, else a
    short name); `field` and `value` the cell; `hint` what to do."""

    message: str
    file: str = ""
    line: int | None = None
    row: int | None = None
    kind: str = ""
    field: str | None = None
    value: str | None = None
    hint: str = ""

    @property
    def where(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}"
        if self.row is not None:
            return f"{self.file}: row {self.row}"
        return self.file

    def text(self) -> str:
        """The finding as one line: `where: what — what to do`."""
        where = shorten(self.where, 2 * LIMIT)
        text = f"{where}: {_one_line(self.message, 3 * LIMIT)}" if where else _one_line(self.message, 3 * LIMIT)
        return f"{text} — {_one_line(self.hint, 3 * LIMIT)}" if self.hint else text

    def sort_key(self) -> tuple:
        return (self.file, self.line if self.line is not None else (self.row or 0), self.message)

    def with_hint(self, hint: str) -> "Finding":
        return replace(self, hint=hint)


class HistpackError(Exception):
    """An expected failure: one or more findings, each one line for the person who caused it."""

    def __init__(self, findings: list[Finding]):
        self.findings = list(findings)
        super().__init__("\n".join(f.text() for f in self.findings))

    def lines(self) -> list[str]:
        return [f.text() for f in self.findings]


class BuildError(HistpackError):
    """A problem in an input, reported as one line: `file:line: what — what to do`."""

    def __init__(self, where: str | Finding, message: str = "", hint: str = "", *, line: int | None = None):
        finding = where if isinstance(where, Finding) else Finding(message, str(where), line=line, hint=hint)
        self.finding = finding
        super().__init__([finding])

    @classmethod
    def at(cls, file: str, line: int | None, message: str, hint: str = "") -> "BuildError":
        """A problem at a line of a text input."""
        return cls(Finding(message, str(file), line=line, hint=hint))

    @property
    def where(self) -> str:
        return self.finding.where

    @property
    def message(self) -> str:
        return self.finding.message

    @property
    def hint(self) -> str:
        return self.finding.hint

    def text(self) -> str:
        return self.finding.text()


class BuildErrors(HistpackError):
    """Several independent problems found in one pass, so a person can fix them all at once."""

    def __init__(self, errors: list[BuildError]):
        self.errors = list(errors)
        super().__init__([e.finding for e in self.errors])


class PackageError(HistpackError):
    """A package that cannot be read at all (no descriptor, an unsafe path …), or one refused whole."""

    def __init__(self, problem: str | Finding, hint: str = ""):
        super().__init__([problem if isinstance(problem, Finding) else Finding(str(problem), hint=hint)])

    @classmethod
    def refused(cls, findings: list[Finding]) -> "PackageError":
        """An invalid package refused by a command that needs a valid one: its first problem, and how
        many more there are."""
        first = findings[0]
        if len(findings) > 1:
            more = f"(and {len(findings) - 1} more problems: run `histpack validate`)"
            first = replace(first, hint=f"{first.hint} {more}") if first.hint else \
                replace(first, message=f"{first.message} {more}")
        return cls(first)
