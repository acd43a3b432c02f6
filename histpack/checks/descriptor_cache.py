"""Descriptors frictionless has passed, so that checking the same descriptor again costs nothing.

Frictionless's verdict on a descriptor is a function of the descriptor, of the files it names as its
schemas, dialects and profiles, and of the installed frictionless and jsonschema (which checks the
profiles): the key is a sha256 over all of them.
Only passes are kept (a wrong descriptor is always checked again, so its messages are
frictionless's own), as empty files named by the key under the cache folder (`histpack.project.layout.cache_dir()`);
a cache that cannot be read or written is only a cache.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from histpack.engine.reader import hash_named_files
from histpack.project.layout import cache_dir

FORMAT = "1"
KEEP = 256
_REFERENCES = ("schema", "dialect", "profile")


def _folder() -> Path:
    return cache_dir() / "descriptors"


def _distribution(module: str) -> str:
    """The installed distribution of `module` by its metadata folder's name (it holds the version),
    found without importing the module."""
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        return f"{module} missing"
    site = Path(spec.origin).parent.parent
    found = sorted(p.name for p in site.glob(f"{module}-*.dist-info"))
    return " ".join(found) or f"{module} at {site}"


def key(descriptor_path: Path, descriptor: dict) -> str:
    from histpack.checks.frictionless_descriptor import frictionless_version

    root = descriptor_path.parent
    checker = f"frictionless {frictionless_version()} {_distribution('jsonschema')}"  # its verdict, and its profiles' validator
    digest = hashlib.sha256(f"{checker} descriptor check {FORMAT}\n".encode())
    digest.update(json.dumps(descriptor, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
    hash_named_files(digest, root, descriptor, _REFERENCES)
    return digest.hexdigest()


def passed(digest: str) -> bool:
    try:
        return (_folder() / digest).is_file()
    except OSError:
        return False


def remember(digest: str) -> None:
    folder = _folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / digest).touch()
        entries = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
