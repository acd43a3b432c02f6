"""The one way a command writes a file or a folder the user named.

Every output (a database, an export, the site, a timeline, the codebook, a release) goes through here:

- the target is checked before anything is written (`check_target`): a symbolic link, a FIFO, a device
  or anything else that is not a regular file (or a folder, for a folder output) is refused, so is any
  input or package file (`Protected`), and any name that would leave the folder it must stay in
  (`within`: a file named after a resource);
- the content is written to a temporary name beside the target, its size checked against what was
  written (a full disk is an error, never a success), flushed to disk, then renamed over the target in
  one step (`write_bytes`, `atomic_file`, `atomic_folder`); on any failure or signal the temporary file
  is removed and the target is as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

from histpack.project.errors import BuildError


class Protected:
    """Paths no output may replace or enter: a project's inputs, the files of a package being read."""

    def __init__(self, entries: Iterable[tuple[Path, str]] = ()):
        self.entries: list[tuple[Path, str]] = []
        for path, what in entries:
            self.add(path, what)

    def add(self, path: Path, what: str) -> "Protected":
        self.entries.append((Path(os.path.abspath(path)), what))
        try:
            self.entries.append((Path(path).resolve(), what))
        except OSError:
            pass
        return self

    def __or__(self, other: "Protected") -> "Protected":
        return Protected([*self.entries, *other.entries])

    def reason(self, target: Path, folder: bool = False) -> str | None:
        """Why writing `target` would touch a protected path, or None. A folder output may not hold one."""
        for path, what in self.entries:
            if target == path or target.is_relative_to(path):
                return f"is {what} ({path})" if target == path else f"is inside {what} ({path})"
            if folder and path.is_relative_to(target):
                return f"holds {what} ({path})"
        return None


NAME_LIMIT = 150  # bytes of a file name made from data (file systems allow 255)


def fit_name(name: str, limit: int = NAME_LIMIT) -> str:
    """`name` as one file name within the file system's limits: as it is when it is short enough, else
    its beginning, `~~` and a hash of the whole. Deterministic, and no two names meet: a name made from
    data holds no `~~` (a package's resource names hold no `~` at all; the site's escapes are `~` and two
    hex digits)."""
    data = name.encode("utf-8")
    if len(data) <= limit:
        return name
    head = data[:limit - 34].decode("utf-8", "ignore")
    return f"{head}~~{hashlib.sha256(data).hexdigest()[:32]}"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def check_target(path: Path | str, *, protected: Protected | None = None, within: Path | None = None,
                 folder: bool = False, display: str | None = None, noun: str = "an output",
                 hint: str = "write outputs to a folder of their own") -> Path:
    """The absolute path to write `path` to, after refusing links, special files, protected paths and
    names that leave `within`. Nothing is created. `noun` and `hint` word a refusal of a protected path
    ("refused as a database path: it is inside an input of the project … — write the database under build/")."""
    given = Path(path)
    where = display or str(path)
    if os.path.islink(given):
        raise BuildError(where, "is a symbolic link: refused to write through it",
                         "give the path of a new or regular file" if not folder else "give a real folder")
    target = Path(os.path.abspath(given))
    if within is not None:
        inside = Path(os.path.abspath(within))
        if not target.is_relative_to(inside) or not given.resolve().is_relative_to(inside.resolve()):
            raise BuildError(where, f"would be written outside the output folder {within}",
                             "a name with `/` or `..` may not leave it: rename the resource")
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise BuildError(where, f"cannot be written: {exc.strerror}") from None
    if mode is not None:
        if folder and not stat.S_ISDIR(mode):
            raise BuildError(where, f"is {'a file' if stat.S_ISREG(mode) else _kind(mode)}, not a folder",
                             "give a folder")
        if not folder and not stat.S_ISREG(mode):
            raise BuildError(where, f"is {_kind(mode)}: refused to write to it",
                             "give the path of a regular file")
    if protected is not None:
        reason = protected.reason(target, folder) or protected.reason(given.resolve(), folder)
        if reason:
            raise BuildError(where, f"refused as {noun}: it {reason}", hint)
    return target


def _temporary_beside(target: Path, suffix: str = "") -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name[:80]}.", suffix=f"{suffix}.tmp", dir=target.parent)
    os.close(fd)
    return Path(name)


def _disk_error(where: str, exc: OSError | str) -> BuildError:
    reason = exc if isinstance(exc, str) else (exc.strerror or str(exc))
    return BuildError(where, f"could not be written: {' '.join(str(reason).split())[:200]}",
                      "free some disk space, or write elsewhere; nothing was changed")


def write_failed(where: str, exc: Exception) -> BuildError:
    """A library's failure to write an output (DuckDB's IO error, SQLite's disk I/O error) as one line."""
    return _disk_error(where, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def write_bytes(path: Path | str, data: bytes, *, mode: int = 0o644, **checks) -> Path:
    """Write `data` to `path` whole or not at all (see the module's docstring for the checks)."""
    target = check_target(path, **checks)
    tmp = _temporary_beside(target)
    try:
        with open(tmp, "wb") as handle:
            written = handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            if written != len(data) or os.fstat(handle.fileno()).st_size != len(data):
                raise OSError(28, "the disk is full (fewer bytes written than given)")
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        raise _disk_error(checks.get("display") or str(path), exc) from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def write_text(path: Path | str, text: str, **checks) -> Path:
    return write_bytes(path, text.encode("utf-8"), **checks)


@contextmanager
def atomic_file(path: Path | str, *, verify: Callable[[Path], None] | None = None, suffix: str = "",
                mode: int = 0o644, **checks) -> Iterator[Path]:
    """A temporary path beside `path` for a library to write to (a database, a picture …); when the block
    ends it must hold a non-empty file, which `verify` may check further, and it is then renamed over
    `path`. On any failure, the temporary file is removed and `path` is as it was."""
    target = check_target(path, **checks)
    tmp = _temporary_beside(target, suffix)
    tmp.unlink()  # the library creates it
    where = checks.get("display") or str(path)
    try:
        yield tmp
        try:
            size = os.stat(tmp).st_size
        except FileNotFoundError:
            raise BuildError(where, "was not written (no output)") from None
        if size == 0:
            raise BuildError(where, "was written empty (the disk may be full)",
                             "free some disk space, or write elsewhere; nothing was changed")
        if verify is not None:
            verify(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        raise _disk_error(where, exc) from None
    finally:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            if leftover.exists():
                leftover.unlink()


@contextmanager
def atomic_folder(path: Path | str, *, replace_only_if: Callable[[Path], bool] | None = None,
                  **checks) -> Iterator[Path]:
    """A new folder beside `path` to fill; when the block ends it replaces `path` as a whole (an existing
    `path` is replaced only if it is empty or `replace_only_if(path)` says so). On any failure the new
    folder is removed and `path` is as it was."""
    target = check_target(path, folder=True, **checks)
    where = checks.get("display") or str(path)
    if target.is_dir() and any(target.iterdir()) and not (replace_only_if and replace_only_if(target)):
        raise BuildError(where, "exists and was not written by this command",
                         "give a new or empty folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name[:80]}.", suffix=".tmp", dir=target.parent))
    try:
        yield staging
        os.chmod(staging, 0o755)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name[:80]}.old.", dir=target.parent))
            os.replace(target, old)  # onto the empty folder just made
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise _disk_error(where, exc) from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
