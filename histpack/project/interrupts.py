"""Ctrl-C and SIGTERM as one exception the CLI turns into one line and exit status 130 (143).

`Interrupted` is a BaseException but not a KeyboardInterrupt, so neither `except Exception` in
library code nor click's own Ctrl-C handling ("Aborted!", exit 1) swallows it. Inside
`deferred()` a signal waits until the block ends: the build uses it while it swaps outputs.

Python runs a handler only between bytecodes, and a long DuckDB statement gives it none: so the C-level
handler also wakes a watcher thread (`signal.set_wakeup_fd`), which interrupts every connection
registered with `stop_on_signal` at once. DuckDB then raises its own "Query interrupted" error, which
`reraise` turns back into `Interrupted`.
"""

from __future__ import annotations

import os
import signal
import threading
import weakref
from contextlib import contextmanager

_depth = 0
_pending: int | None = None
_received: int | None = None  # the signal behind an interrupted DuckDB statement, for `reraise`
_connections: "weakref.WeakSet" = weakref.WeakSet()
_watcher: threading.Thread | None = None


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
    global _pending, _received
    if _depth:
        _pending = signum
        return
    _received = signum
    raise Interrupted(signum)


def stop_on_signal(connection) -> None:
    """Interrupt `connection` (a DuckDB connection) as soon as SIGINT or SIGTERM arrives, even in the
    middle of a statement (outside `deferred()`)."""
    _connections.add(connection)


def _interrupt_all(signum: int) -> None:
    if _depth or signum not in (signal.SIGINT, signal.SIGTERM):
        return
    for connection in list(_connections):
        try:
            connection.interrupt()
        except Exception:  # noqa: BLE001 - a closed connection has nothing to stop
            pass


def _watch(read_fd: int) -> None:
    while True:
        try:
            data = os.read(read_fd, 64)
        except OSError:
            return
        if not data:
            return
        for signum in data:
            _interrupt_all(signum)


def _start_watcher() -> None:
    global _watcher
    if _watcher is not None:
        return
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    try:
        signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    except ValueError:  # not the main thread
        os.close(read_fd)
        os.close(write_fd)
        return
    _watcher = threading.Thread(target=_watch, args=(read_fd,), name="histpack-interrupts", daemon=True)
    _watcher.start()


def reraise(exc: BaseException) -> None:
    """Raise `Interrupted` for an error that only reports the interruption (DuckDB's "Query interrupted",
    raised in place of the handler's exception); otherwise do nothing."""
    global _received
    import duckdb

    interrupted = isinstance(exc, duckdb.InterruptException) or (
        isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower())
    if _received is not None and interrupted:
        signum, _received = _received, None
        raise Interrupted(signum) from None


def install() -> None:
    """Route SIGINT and SIGTERM to `Interrupted` (main thread only; a no-op elsewhere)."""
    try:
        signal.signal(signal.SIGINT, _handler)
        signal.signal(signal.SIGTERM, _handler)
    except ValueError:  # not the main thread
        return
    _start_watcher()


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
