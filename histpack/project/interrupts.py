"""Ctrl-C and SIGTERM as one exception the CLI turns into one line and exit status 130 (143).

`Interrupted` is a BaseException but not a KeyboardInterrupt, so neither `except Exception` in
library code nor click's own Ctrl-C handling ("Aborted!", exit 1) swallows it. Inside
`deferred()` a signal waits until the block ends: the build uses it while it swaps outputs.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager

_depth = 0
_pending: int | None = None


class Interrupted(BaseException):
    def __init__(self, signum: int = signal.SIGINT):
        self.signum = signum
        super().__init__(signum)

    @property
    def exit_code(self) -> int:
        return 128 + int(self.signum)

    @property
    def line(self) -> str:
        return "error: interrupted" if self.signum == signal.SIGINT else "error: terminated"


def _handler(signum, frame) -> None:
    global _pending
    if _depth:
        _pending = signum
        return
    raise Interrupted(signum)


def install() -> None:
    """Route SIGINT and SIGTERM to `Interrupted` (main thread only; a no-op elsewhere)."""
    try:
        signal.signal(signal.SIGINT, _handler)
        signal.signal(signal.SIGTERM, _handler)
    except ValueError:  # not the main thread
        pass


@contextmanager
def deferred():
    """Hold SIGINT/SIGTERM until the block ends, then raise it: for steps that must not stop halfway."""
    global _depth, _pending
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if not _depth and _pending is not None:
            signum, _pending = _pending, None
            raise Interrupted(signum)
