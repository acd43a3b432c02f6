"""The package as it may leave the machine, and a reader's own copy of a withheld text put back.

`public_files` is what a release (and the site built with `--publish`) holds: each analysed source's
text only as far as its rights allow (`sources.redistribution`, `histpack.project.rights`), the
descriptor's `bytes` and `hash` following the rewritten files, the sources' metadata files (record
and normalisation) and the text files that may be redistributed. `restore_text` is its inverse for one
source: a reader's copy of the text — the file as received, checked against the `sha256` its metadata
records and normalised as it describes, or the canonical text itself, checked against
`sources.text_sha256` — fills the withheld cells again, so that the package is byte for byte the one
it was released from.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from histpack.engine.reader import Package
from histpack.package.files import json_bytes
from histpack.project.errors import BuildError
from histpack.project.interrupts import deferred
from histpack.project.rights import FULL_TEXT, ships_text_file, withheld
from histpack.project.writer import write_bytes
from histpack.text.canonical import SourceMetadata, build_canonical_text

SOURCES_DIR = "sources"


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _csv(rows: list[list[str]]) -> bytes:
    """The package's CSV dialect (`histpack.package.files.csv_bytes`): CRLF, quoted only where needed."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def rewrite_cells(data: bytes, where: str, change) -> bytes:
    """`data` (a CSV of the package) with `change(row: dict) -> dict of new cells` applied to each row;
    bytes as the build writes them. Refuses a file the build's CSV dialect would not write back unchanged."""
    rows = _rows(data)
    if _csv(rows) != data:
        raise BuildError(where, "is not written as the build writes its CSV files (CRLF, minimal quoting)",
                         "rebuild the package first")
    header, body = rows[0], rows[1:]
    out = [header]
    for values in body:
        row = dict(zip(header, values))
        new = change(row)
        out.append([new.get(name, row.get(name, "")) for name in header] if new else values)
    return _csv(out)


@dataclass(frozen=True)
class AnalysedSource:
    source_id: str
    redistribution: str
    text_sha256: str


def analysed_sources(pkg: Package) -> dict[str, AnalysedSource]:
    return {r["source_id"]: AnalysedSource(r["source_id"], r.get("redistribution") or FULL_TEXT,
                                           r.get("text_sha256") or "")
            for r in pkg.rows("sources") if r.get("role") == "analyzed"}


def _resource_paths(pkg: Package) -> dict[str, str]:
    return {r.name: r.paths[0] for r in pkg.resources if len(r.paths) == 1}


def _with_hashes(descriptor: dict, files: dict[str, bytes]) -> dict:
    """The descriptor with `bytes` and `hash` of each resource following its file in `files`."""
    out = json.loads(json.dumps(descriptor))
    for resource in out["resources"]:
        data = files.get(resource.get("path"))
        if data is not None and "bytes" in resource:
            resource["bytes"] = len(data)
            resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    return out


def public_files(root: Path) -> dict[str, bytes]:
    """Every file of the package at `root` as it may leave the machine (relative path → bytes)."""
    pkg = Package.open(root)
    root = pkg.root
    files: dict[str, bytes] = {}
    for resource in pkg.resources:
        for relative, path in zip(resource.paths, resource.files):
            files[relative] = path.read_bytes()
        if isinstance(resource.descriptor.get("schema"), str):
            files[resource.descriptor["schema"]] = (root / resource.descriptor["schema"]).read_bytes()
    sources = analysed_sources(pkg)
    paths = _resource_paths(pkg)
    for table in ("paragraphs", "quotes"):
        hidden = {sid: withheld(s.redistribution).get(table, ()) for sid, s in sources.items()}
        if table not in paths or not any(hidden.values()):
            continue
        files[paths[table]] = rewrite_cells(files[paths[table]], paths[table],
                                            lambda row: dict.fromkeys(hidden.get(row.get("source_id"), ()), ""))
    for sid, source in sorted(sources.items()):
        metadata_path = root / SOURCES_DIR / f"{sid}.yaml"
        if not metadata_path.is_file():
            continue
        files[f"{SOURCES_DIR}/{sid}.yaml"] = metadata_path.read_bytes()
        if ships_text_file(source.redistribution):
            metadata = SourceMetadata.load(metadata_path, root)
            files[f"{SOURCES_DIR}/{metadata.text_path.name}"] = metadata.text_path.read_bytes()
    files["datapackage.json"] = json_bytes(_with_hashes(pkg.descriptor, files))
    return files


# --- a reader's copy of a withheld text ---------------------------------------------------------------

@dataclass
class Restored:
    source_id: str
    how: str  # "the text as received" or "the canonical text"
    paragraphs: int
    written: list[str]


def _canonical_paragraphs(pkg: Package, source_id: str, text: str) -> dict[str, str]:
    """paragraph_id → its text, cut from the canonical text at the paragraphs' offsets."""
    return {r["paragraph_id"]: text[int(r["char_start"]):int(r["char_end"])]
            for r in pkg.rows("paragraphs") if r["source_id"] == source_id}


def restore_text(package: Path, source_id: str, copy: Path) -> Restored:
    """Check `copy` against what the package records of `source_id`'s text and put the text back into
    the package's withheld cells (and the text file beside its metadata). One line if it is not the text."""
    pkg = Package.open(package)
    root = pkg.root
    sources = analysed_sources(pkg)
    if source_id not in sources:
        raise BuildError(source_id, "names no analysed source of the package",
                         f"analysed sources: {', '.join(sorted(sources))}")
    source = sources[source_id]
    try:
        data = Path(copy).read_bytes()
    except OSError as exc:
        raise BuildError(str(copy), f"cannot be read: {exc.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    metadata_path = root / SOURCES_DIR / f"{source_id}.yaml"
    metadata = SourceMetadata.load(metadata_path, root) if metadata_path.is_file() else None
    if metadata is not None and digest == metadata.sha256:
        with tempfile.TemporaryDirectory(prefix="histpack-text-") as scratch:
            received = Path(scratch) / metadata.text_path.name
            received.write_bytes(data)
            metadata.text_path = received
            canonical = build_canonical_text(metadata)
        text, how = canonical.text, "the text as received"
    elif digest == source.text_sha256:
        text, how = data.decode("utf-8"), "the canonical text"
    else:
        recorded = f"{metadata.sha256} for the text as received and " if metadata is not None else ""
        raise BuildError(str(copy), f"is not the text of `{source_id}`: its SHA-256 is {digest}; the package records "
                         f"{recorded}{source.text_sha256} for its canonical text",
                         "use the file exactly as published (its source is in " +
                         (f"{SOURCES_DIR}/{source_id}.yaml" if metadata is not None else "data/sources.csv") + ")")
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != source.text_sha256:
        raise BuildError(str(copy), f"normalised as {SOURCES_DIR}/{source_id}.yaml describes, it does not give the "
                         f"canonical text the package records for `{source_id}`",
                         "use the histpack release the package came from")
    paragraphs = _canonical_paragraphs(pkg, source_id, text)
    quotes = [r for r in pkg.rows("quotes") if r["source_id"] == source_id]
    paths = _resource_paths(pkg)
    files: dict[str, bytes] = {}
    if all(r.get("text") for r in pkg.rows("paragraphs") if r["source_id"] == source_id):  # nothing withheld (the working project, or restored before): the copy is checked, nothing written
        return Restored(source_id, how, len(paragraphs), [])

    def paragraph_cells(row: dict) -> dict:
        return {"text": paragraphs[row["paragraph_id"]]} if row.get("source_id") == source_id else {}

    files[paths["paragraphs"]] = rewrite_cells((root / paths["paragraphs"]).read_bytes(), paths["paragraphs"],
                                               paragraph_cells)
    if quotes:  # their words, prefix and suffix, as the build cut them
        files[paths["quotes"]] = rewrite_cells((root / paths["quotes"]).read_bytes(), paths["quotes"],
                                               _quote_context(pkg, source_id, text))
    files["datapackage.json"] = json_bytes(_with_hashes(pkg.descriptor, files))
    if metadata is not None and digest == metadata.sha256:
        files[f"{SOURCES_DIR}/{metadata.text_path.name}"] = data
    written = []
    with deferred():  # the files and the descriptor that hashes them change together
        for relative, content in sorted(files.items(), key=lambda item: item[0] == "datapackage.json"):
            write_bytes(root / relative, content, within=root, display=relative)
            written.append(relative)
    return Restored(source_id, how, len(paragraphs), written)


def _quote_context(pkg: Package, source_id: str, text: str):
    """A quote's withheld words, prefix and suffix (up to `CONTEXT_CHARS` of its paragraph), cut from the text
    as the build cuts them."""
    from histpack.annotate.quotes import CONTEXT_CHARS

    spans = {r["paragraph_id"]: (int(r["char_start"]), int(r["char_end"]))
             for r in pkg.rows("paragraphs") if r["source_id"] == source_id}

    def cells(row: dict) -> dict:
        if row.get("source_id") != source_id:
            return {}
        start, end = int(row["char_start"]), int(row["char_end"])
        first, last = spans[row["paragraph_id"]]
        return {"text": text[start:end], "prefix": text[max(first, start - CONTEXT_CHARS):start],
                "suffix": text[end:min(last, end + CONTEXT_CHARS)]}

    return cells
