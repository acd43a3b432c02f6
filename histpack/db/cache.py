"""A package's DuckDB database, built once and reused by `query`, `compare`, `timeline`, `site` and `export`.

The key is the histpack version and the bytes of everything the database is made from: the descriptor
(which holds each resource's sha256) and every file it names, so an edited CSV or schema is a different
key even where the descriptor was not rebuilt. The key is the hash of the bytes that were loaded: each
file is hashed from the file it opened, and after the database was loaded its identity (device, inode,
size, modification and change times) and its bytes must be the same as when it was hashed, else the
database is not filed (a file swapped while it was read would otherwise be stored under the old key)
and the fill starts again.

One process fills a given key at a time (a lock per key; the others wait, then use its database). A fill
writes to a name of its own and renames the checked database into place, so a key's database is complete
or absent. The newest `KEEP` databases are kept, and none used in the last `IN_USE_SECONDS` (another
process may be about to open it); what killed fills left behind is swept once no process holds their
key. The cache lives outside the package: `$HISTPACK_CACHE_DIR`, else `$XDG_CACHE_HOME/histpack`, else
`~/.cache/histpack`; where it cannot be written, a private folder of the process is used instead.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import stat
import time
from pathlib import Path
from typing import Callable

from histpack.project.errors import BuildError
from histpack.project.layout import cache_dir
from histpack.project.locks import Busy, locked, remove_locked
from histpack.project.writer import atomic_file

FORMAT = "2"  # bump when the database layout changes without a version change (2: view columns described)
KEEP = 8  # databases kept; older ones are removed when a new one is written
IN_USE_SECONDS = 600  # a database opened this recently is never removed
ATTEMPTS = 3  # fills started again when the package changes while it is loaded
NAMED = ("path", "schema", "dialect", "profile")
KEY = re.compile(r"[0-9a-f]{64}")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("histpack")
    except PackageNotFoundError:
        return "unknown"


Identity = tuple  # (name, device, inode, size, mtime_ns, ctime_ns), or (name, what it is instead)


def _identity(name: str, st: os.stat_result) -> Identity:
    return (name, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _named(root: Path, descriptor: dict) -> list[tuple[str, str]]:
    """(key, relative path) of every file the descriptor names: its own `profile`, each resource's `NAMED`."""
    resources = descriptor.get("resources") if isinstance(descriptor.get("resources"), list) else []
    out = []
    for owner in [descriptor, *resources]:
        if not isinstance(owner, dict):
            continue
        for key in NAMED if owner is not descriptor else ("profile",):
            values = owner.get(key)
            out += [(key, v) for v in (values if isinstance(values, list) else [values]) if isinstance(v, str)]
    return out


def _hash_file(digest, path: Path) -> Identity:
    """Feed `digest` the bytes of `path` as read from one open file, and return that file's identity.
    Only a regular file is opened (a FIFO or a device would block or never end)."""
    try:
        before = os.stat(path)
        if not stat.S_ISREG(before.st_mode):
            digest.update(b"not a regular file")
            return (str(path), "not a regular file")
        with open(path, "rb") as handle:
            opened = os.fstat(handle.fileno())
            if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
                digest.update(b"replaced while opened")
                return (str(path), "replaced")
            content = hashlib.sha256()
            while chunk := handle.read(1 << 20):
                content.update(chunk)
            digest.update(content.digest())
            return _identity(str(path), os.fstat(handle.fileno()))
    except FileNotFoundError:
        digest.update(b"missing")
        return (str(path), "missing")
    except OSError:
        digest.update(b"unreadable")
        return (str(path), "unreadable")


def _identities(identities: list[Identity]) -> list[Identity]:
    """The identities of the same files now (to compare with those recorded when they were hashed)."""
    now = []
    for recorded in identities:
        name = recorded[0]
        try:
            st = os.stat(name)
        except FileNotFoundError:
            now.append((name, "missing"))
            continue
        except OSError:
            now.append((name, "unreadable"))
            continue
        now.append(_identity(name, st) if stat.S_ISREG(st.st_mode) else (name, "not a regular file"))
    return now


def _key(descriptor_path: Path, descriptor: dict) -> tuple[str, list[Identity]]:
    digest = hashlib.sha256(f"histpack {_version()} cache {FORMAT}\n".encode())
    identities = [_hash_file(digest, descriptor_path)]
    for key, value in _named(descriptor_path.parent, descriptor):
        digest.update(f"\n{key} {value} ".encode())
        identities.append(_hash_file(digest, descriptor_path.parent / value))
    return digest.hexdigest(), identities


def package_key(descriptor_path: Path, descriptor: dict) -> str:
    """sha256 over the version, the descriptor's bytes and the bytes of every file it names (data,
    schemas, dialects, profiles)."""
    return _key(descriptor_path, descriptor)[0]


def cached_database(package: Path, require_valid: Callable[[Path], None]) -> Path:
    """The database of `package`, from the cache when its key matches; otherwise `require_valid`
    (which raises on a broken package) runs and the package is loaded into the cache. The database
    returned is not removed by another process for `IN_USE_SECONDS`: open it at once."""
    from histpack.checks.validate import read_descriptor

    package = Path(package)
    folder = cache_dir()
    if not _usable(folder):  # a cache that cannot be written is only a cache: a private folder instead
        folder = _private_folder()
    for _ in range(ATTEMPTS):
        descriptor_path, descriptor = read_descriptor(package)  # refuses unsafe paths before reading
        key, identities = _key(descriptor_path, descriptor)
        target = folder / f"{key}.duckdb"
        if _opens(target):
            return target
        lock = folder / f"{key}.lock"
        with locked(lock):  # one fill per key: the others wait here, then find its database
            try:
                if _opens(target, repair=True):
                    return target
                if _fill(descriptor_path, descriptor, identities, target, require_valid):
                    _forget_old(target)
                    return target
            finally:
                lock.unlink(missing_ok=True)  # removed while held: a process waiting for it locks a new one
    raise BuildError(str(descriptor_path), f"the package changed while it was being loaded ({ATTEMPTS} times)",
                     "run the command again once nothing is writing to the package")


def _fill(descriptor_path: Path, descriptor: dict, identities: list[Identity], target: Path,
          require_valid: Callable[[Path], None]) -> bool:
    """Validate and load the package to a name of this fill's own, and file it as `target` only if the
    package's files are the ones that were hashed (False: they changed, nothing is filed)."""
    from histpack.checks.validate import read_descriptor
    from histpack.db.loader import validate_and_load
    from histpack.project.errors import PackageError

    incoming = target.with_name(f".{target.stem}.{secrets.token_hex(4)}.tmp")  # swept as a leftover if killed
    try:
        problems, _ = validate_and_load(descriptor_path.parent, incoming, display=str(target))
        if problems:
            require_valid(descriptor_path.parent)  # says every problem, one line each, and raises
            raise PackageError.refused(problems)
        if _identities(identities) != identities or read_descriptor(descriptor_path)[1] != descriptor:
            return False  # a file was written, replaced or renamed since it was hashed
        if _key(descriptor_path, descriptor) != (target.stem, identities):
            return False  # changed within the clock's tick (file times are that coarse): the bytes tell
        os.replace(incoming, target)
        return True
    finally:
        incoming.unlink(missing_ok=True)


def _opens(target: Path, repair: bool = False) -> bool:
    """True when `target` is a database DuckDB opens (its use time is then renewed). A damaged one is
    removed when `repair` (the caller holds its key's lock), so that it is built again."""
    import duckdb

    from histpack.db.query import connect_read_only

    if not target.is_file():
        return False
    try:
        connect_read_only(target).close()
    except duckdb.Error:
        if repair:
            target.unlink(missing_ok=True)
        return False
    try:
        os.utime(target)
    except OSError:
        pass
    return True


def _usable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)
    except OSError:
        return False


_private: list[Path] = []


def _private_folder() -> Path:
    """A folder of this process's own, removed when it exits, for databases the cache cannot hold."""
    if not _private:
        import atexit
        import shutil
        import tempfile

        _private.append(Path(tempfile.mkdtemp(prefix="histpack-cache-")))
        atexit.register(shutil.rmtree, _private[0], True)
    return _private[0]


def _forget_old(keep: Path) -> None:
    """Keep the `KEEP` newest databases (and any used in the last `IN_USE_SECONDS`), and sweep what
    killed fills left behind. Nothing is removed while a process holds its key's lock: a fill in progress
    writes to names of its own (`.<key>.*.tmp`), which are removed only once nobody fills that key."""
    folder = keep.parent
    now = time.time()
    try:
        databases = sorted(folder.glob("*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return  # another process removed one while we looked: the next fill sweeps
    for old in [p for p in databases if p != keep][KEEP - 1:]:
        try:
            if now - old.stat().st_mtime > IN_USE_SECONDS and KEY.fullmatch(old.stem):
                remove_locked(folder / f"{old.stem}.lock", old)
        except (OSError, Busy):
            pass
    present = {p.stem for p in folder.glob("*.duckdb")}
    leftovers: dict[str, list[Path]] = {}
    for leftover in [*folder.glob(".*.tmp"), *folder.glob(".*.tmp.wal"), *folder.glob("*.lock")]:
        match = KEY.search(leftover.name)
        if match is not None and leftover.name != f"{match.group()}.lock":
            leftovers.setdefault(match.group(), []).append(leftover)
        elif match is not None and match.group() not in present:
            leftovers.setdefault(match.group(), [])
    for key, files in leftovers.items():
        lock = folder / f"{key}.lock"
        try:
            if key in present:
                with locked(lock, wait=False):
                    for leftover in files:
                        leftover.unlink(missing_ok=True)
            else:
                remove_locked(lock, *files)  # the lock file too: no database of that key is left
        except (OSError, Busy):
            pass  # a fill of that key is running


def remember(key: str, db_path: Path) -> None:
    """File the database a build just loaded under the key of the package it loaded (`package_key`, taken
    from the files that were loaded): a copy, written beside its final name and moved into place. A key
    already filed, or being filled, is left alone; a cache that cannot be written is only a cache."""
    import shutil

    folder = cache_dir()
    target = folder / f"{key}.duckdb"
    try:
        if not _usable(folder) or target.is_file():
            return
        lock = folder / f"{key}.lock"
        with locked(lock, wait=False):
            try:
                if target.is_file():
                    return
                with atomic_file(target, suffix=".duckdb") as tmp:
                    shutil.copyfile(db_path, tmp)
            finally:
                lock.unlink(missing_ok=True)
        _forget_old(target)
    except (OSError, BuildError, Busy):
        pass
