"""Advisory locks between histpack processes: one build of a project at a time, one fill of a cache key.

They are `flock` locks, so the system releases them when their process ends, however it ends (a
killed process never leaves a lock behind). Waiting for one can be interrupted (Ctrl-C, SIGTERM). On a
file system without `flock` (some network mounts) a lock is not taken: the writes stay safe without it
(each is written to a name of its own and renamed), only the work may be done twice.
"""

from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

try:
    import fcntl
except ImportError:  # not POSIX: no locks (see the module's docstring)
    fcntl = None


class Busy(Exception):
    """The lock is held by another process (only raised when not waiting)."""


def _unsupported(exc: OSError) -> bool:
    return exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL, errno.EBADF)


@contextmanager
def locked(path: Path, *, wait: bool = True, shared: bool = False) -> Iterator[None]:
    """Hold a lock on the lock file `path` (created if need be) for the block. With `wait=False` a lock
    held elsewhere raises `Busy` at once. A lock file removed by another process while this one waited
    for it (`remove_locked`) is opened again, so two processes never both hold "the" lock."""
    if fcntl is None:
        yield
        return
    mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | (0 if wait else fcntl.LOCK_NB)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(fd, mode)
            except BlockingIOError:
                raise Busy(str(path)) from None
            except OSError as exc:
                if not _unsupported(exc):
                    raise
                break  # no locks here: go on without
            try:
                now = os.stat(path, follow_symlinks=False)
            except FileNotFoundError:
                now = None
            held = os.fstat(fd)
            if now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the file was removed (or replaced) while we waited: lock the one there now
    try:
        yield
    finally:
        os.close(fd)


_held_folders: dict[tuple[int, int], int] = {}


@contextmanager
def locked_folder(folder: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on a folder itself (no lock file is left in it). `Busy` as for `locked`.
    A process that holds it may take it again inside the block (a build finishing a swap holds it once)."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        identity = (st.st_dev, st.st_ino)
        if not _held_folders.get(identity):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                raise Busy(str(folder)) from None
            except OSError as exc:
                if not _unsupported(exc):
                    raise
        _held_folders[identity] = _held_folders.get(identity, 0) + 1
        try:
            yield
        finally:
            _held_folders[identity] -= 1
    finally:
        os.close(fd)  # the lock goes with the descriptor that took it (an inner one took none)


def remove_locked(path: Path, *also: Path) -> bool:
    """Remove the files `also` and then the lock file `path`, if no process holds the lock (False if one
    does). A process waiting for that lock then locks a new file (see `locked`)."""
    try:
        with locked(path, wait=False):
            for other in also:
                other.unlink(missing_ok=True)
            path.unlink(missing_ok=True)
        return True
    except Busy:
        return False
