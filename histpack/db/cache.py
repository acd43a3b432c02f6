"""A package's DuckDB database, built once and reused by `query`, `compare`, `timeline` and `site`.

The key is the histpack version and the bytes of everything the database is made from: the
descriptor (which holds each resource's sha256) and every file it names, hashed as they are now,
so an edited CSV or schema is a different key even where the descriptor was not rebuilt. A
database is written beside its final name and moved into place, and one under another key is
never used. The cache lives outside the package: `$HISTPACK_CACHE_DIR`, else
`$XDG_CACHE_HOME/histpack`, else `~/.cache/histpack`.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

from histpack.engine.reader import hash_named_files
from histpack.project.errors import BuildError
from histpack.project.layout import cache_dir
from histpack.project.writer import atomic_file

FORMAT = "2"  # bump when the database layout changes without a version change (2: view columns described)
KEEP = 8  # databases kept; older ones are removed when a new one is written


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("histpack")
    except PackageNotFoundError:
        return "unknown"


def package_key(descriptor_path: Path, descriptor: dict) -> str:
    """sha256 over the version, the descriptor's bytes and the bytes of every file it names (data,
    schemas, dialects, profiles)."""
    digest = hashlib.sha256(f"histpack {_version()} cache {FORMAT}\n".encode())
    digest.update(descriptor_path.read_bytes())
    hash_named_files(digest, descriptor_path.parent, descriptor, ("path", "schema", "dialect", "profile"))
    return digest.hexdigest()


def cached_database(package: Path, require_valid: Callable[[Path], None]) -> Path:
    """The database of `package`, from the cache when its key matches; otherwise `require_valid`
    (which raises on a broken package) runs and the package is loaded into the cache."""
    import duckdb

    from histpack.db.loader import validate_and_load
    from histpack.db.query import connect_read_only
    from histpack.checks.validate import read_descriptor
    from histpack.project.errors import PackageError

    descriptor_path, descriptor = read_descriptor(Path(package))  # refuses unsafe paths before reading
    target = cache_dir() / f"{package_key(descriptor_path, descriptor)}.duckdb"
    if not _usable(target.parent):  # a cache that cannot be written is only a cache: a private file instead
        target = _private_folder() / target.name
    if target.is_file():
        try:
            connect_read_only(target).close()
            return target
        except duckdb.Error:  # damaged: build it again
            target.unlink(missing_ok=True)
    problems, _ = validate_and_load(descriptor_path.parent, target)  # one pass: the engine's rows are loaded
    if problems:
        require_valid(descriptor_path.parent)  # says every problem, one line each, and raises
        raise PackageError.refused(problems)
    _forget_old(target)
    return target


def _usable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return os.access(folder, os.W_OK | os.X_OK)
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


STALE_SECONDS = 3600  # a temporary file older than this belongs to a fill that was killed


def _forget_old(keep: Path) -> None:
    """Keep the `KEEP` newest databases, and sweep what killed fills left behind. A fill in progress
    writes to a temporary name (`.<name>.*.tmp`), which no database pattern matches."""
    import time

    try:
        databases = sorted(keep.parent.glob("*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in [p for p in databases if p != keep][KEEP - 1:]:
            old.unlink(missing_ok=True)
        for leftover in keep.parent.glob(".*.tmp"):
            if time.time() - leftover.stat().st_mtime > STALE_SECONDS:
                leftover.unlink(missing_ok=True)
    except OSError:
        pass  # another process removed it first


def remember(package: Path, db_path: Path) -> None:
    """File the database a build just loaded from `package` under the package's key (a copy, written
    beside its final name and moved into place); a cache that cannot be written is only a cache."""
    import shutil

    from histpack.checks.validate import read_descriptor

    try:
        descriptor_path, descriptor = read_descriptor(Path(package))
        target = cache_dir() / f"{package_key(descriptor_path, descriptor)}.duckdb"
        with atomic_file(target, suffix=".duckdb") as tmp:
            shutil.copyfile(db_path, tmp)
        _forget_old(target)
    except (OSError, BuildError):
        pass
