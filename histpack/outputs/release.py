"""A release archive: `dist/<name>-<version>.zip`, the same bytes for the same commit.

It holds the package as it may leave the machine (`withhold.public_files`: descriptor, data, schemas, the
sources' metadata and the texts that may be redistributed), the documents (README, CODEBOOK, CITATION.cff,
load.sql, CHANGELOG), the deposit metadata (`.zenodo.json`, `datacite.xml`) and `SHA256SUMS`, a manifest
of every other file that `sha256sum -c SHA256SUMS` checks. Entries are sorted, stamped with the release
date from histpack.yaml (never the clock), with fixed permissions, under one folder `<name>-<version>/`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from pathlib import Path

MANIFEST = "SHA256SUMS"
DOCUMENTS = ("README.md", "CODEBOOK.md", "CITATION.cff", "load.sql")
CHANGELOG = "CHANGELOG.md"
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def archive_name(name: str, version: str) -> str:
    return f"{name}-{version}.zip"


def release_version(path: Path, name: str) -> tuple[int, int, int] | None:
    """The version of a release archive named `<name>-<version>.zip`, or None."""
    match = re.fullmatch(re.escape(name) + r"-(\d+\.\d+\.\d+)\.zip", Path(path).name)
    return parse_version(match.group(1)) if match else None


def parse_version(version: str) -> tuple[int, int, int]:
    major, minor, patch = map(int, _VERSION.fullmatch(version).groups())
    return major, minor, patch


def manifest(files: dict[str, bytes]) -> bytes:
    """`sha256sum` lines of every file, sorted by path."""
    return "".join(f"{hashlib.sha256(files[p]).hexdigest()}  {p}\n" for p in sorted(files)).encode("utf-8")


def with_manifest(files: dict[str, bytes]) -> dict[str, bytes]:
    return {**files, MANIFEST: manifest({p: b for p, b in files.items() if p != MANIFEST})}


def zip_bytes(files: dict[str, bytes], folder: str, date: dt.date) -> bytes:
    """The files as one zip under `folder/`: sorted, dated `date`, mode 0644, deflated; deterministic."""
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for relative in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{relative}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (0o100644 & 0xFFFF) << 16
            archive.writestr(info, files[relative], compresslevel=9)
    return buffer.getvalue()


def read_archive(path: Path) -> tuple[str, dict[str, bytes]]:
    """(its folder, relative path → bytes) of a release archive; refuses names that would leave the folder."""
    from histpack.project.errors import BuildError

    try:
        with zipfile.ZipFile(path) as archive:
            names = [i.filename for i in archive.infolist() if not i.is_dir()]
            tops = {n.split("/", 1)[0] for n in names}
            if len(tops) != 1 or any("/" not in n for n in names):
                raise BuildError(str(path), "is not a histpack release (its files are not in one folder)")
            top = tops.pop()
            out = {}
            for name in names:
                relative = name.split("/", 1)[1]
                parts = relative.split("/")
                if name.startswith("/") or ".." in parts or "\\" in relative or not relative:
                    raise BuildError(str(path), f"holds the entry {name!r}, which would leave its folder")
                out[relative] = archive.read(name)
            return top, out
    except (zipfile.BadZipFile, OSError) as exc:
        raise BuildError(str(path), f"cannot be read as a zip archive ({exc})") from None
