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
from histpack.project.layout import cache_dir

FORMAT = "1"  # bump when the database layout changes without a version change
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

    from histpack.db.load import connect_read_only, validate_and_load
    from histpack.checks.validate import read_descriptor
    from histpack.project.errors import PackageError

    descriptor_path, descriptor = read_descriptor(Path(package))  # refuses unsafe paths before reading
    target = cache_dir() / f"{package_key(descriptor_path, descriptor)}.duckdb"
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


def _forget_old(keep: Path) -> None:
    databases = sorted(keep.parent.glob("*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in databases if p != keep][KEEP - 1:]:
        old.unlink(missing_ok=True)


def remember(package: Path, db_path: Path) -> None:
    """File the database a build just loaded from `package` under the package's key (a copy, written
    beside its final name and moved into place); a cache that cannot be written is only a cache."""
    import shutil
    import tempfile

    from histpack.checks.validate import read_descriptor

    try:
        descriptor_path, descriptor = read_descriptor(Path(package))
        target = cache_dir() / f"{package_key(descriptor_path, descriptor)}.duckdb"
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".remember-", suffix=".duckdb", dir=target.parent)
        os.close(fd)
        try:
            shutil.copyfile(db_path, tmp)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _forget_old(target)
    except OSError:
        pass
