"""Model rows → `data/*.csv`, `schemas/*.json` and `datapackage.json`, byte-identical on every build.

The dataset's own metadata (name, title, licences, release …) comes from `histpack.yaml`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

from histpack.model import models as m
from histpack.project.metadata import ProjectMetadata
from histpack.model.conventions import FORMAT, MARKER
from histpack.model.tables import column_names, table_schema
from histpack.model.vocabularies import Vocabularies

def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_bytes(model: type[m.Row], rows: list[m.Row]) -> bytes:
    """RFC 4180 CSV: header row, CRLF line ends, UTF-8, fields quoted only where needed."""
    names = column_names(model)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([cell(getattr(row, n)) for n in names])
    return buffer.getvalue().encode("utf-8")


def json_bytes(obj) -> bytes:
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def source_title(record: dict) -> str:
    """A reference-list title of an analysed source from the parts its record gives:
    `Authors, “Title”, Container Volume, no. Issue (Year): Pages`."""
    title = ", ".join(part for part in (record.get("authors"), f"“{record['title']}”" if record.get("title") else None)
                      if part)
    container = " ".join(str(part) for part in (record.get("container"), record.get("volume")) if part)
    if container:
        title += f", {container}" + (f", no. {record['issue']}" if record.get("issue") else "")
    if record.get("year"):
        title += f" ({record['year']})"
    if record.get("pages"):
        title += f": {record['pages']}"
    return title or record["cited_as"]


def source_entry(record: dict, also_at: list[str]) -> dict:
    """One analysed source in the descriptor's `sources`; details the record does not give stay out."""
    entry = {"title": source_title(record), "path": record.get("url"), "doi": record.get("doi"),
             "pages": record.get("pages"), "authors": record.get("authors"), "year": record.get("year"),
             "container": record.get("container"), "volume": record.get("volume"), "issue": record.get("issue"),
             "issn": record.get("issn"), "license": record.get("license"),
             "redistribution": record.get("redistribution"), "also_at": also_at}
    return {key: value for key, value in entry.items() if value not in (None, [])} | {"also_at": also_at}


def descriptor(resources: list[dict], analyzed: dict[str, tuple[dict, list[str]]], meta: ProjectMetadata) -> dict:
    return {
        "profile": "tabular-data-package",
        "name": meta.name,
        "title": meta.title,
        "description": meta.description,
        "version": meta.version,
        # The release date, as recorded in histpack.yaml (not the build clock).
        "created": f"{meta.released.isoformat()}T00:00:00Z",
        "keywords": meta.keywords,
        "licenses": [lic.model_dump() for lic in meta.licenses],
        "rights": meta.text_rights,
        "sources": [source_entry(record, also_at) for _, (record, also_at) in sorted(analyzed.items())],
        "contributors": [c.model_dump(exclude_none=True) for c in meta.contributors],
        # Marks the package as ours: `histpack validate` holds it to the project's own rules
        # (quotes against the text, pages, dates, cross-table rules); other packages are not.
        MARKER: {"format": FORMAT},
        "resources": resources,
    }


def render(rows: dict[str, list[m.Row]], analyzed: dict[str, tuple[dict, list[str]]],
           meta: ProjectMetadata, vocabularies: Vocabularies) -> dict[str, bytes]:
    """Every output file as bytes, keyed by its path relative to the package root."""
    files: dict[str, bytes] = {}
    resources = []
    for model in m.MODELS:
        name = model.table.name
        data = csv_bytes(model, rows.get(name, []))
        schema = json_bytes(table_schema(model, vocabularies).to_frictionless())
        files[f"data/{name}.csv"] = data
        files[f"schemas/{name}.json"] = schema
        resource = {
            "name": name,
            "path": f"data/{name}.csv",
            "profile": "tabular-data-resource",
            "title": model.table.title,
            "description": model.table.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(data),
            "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
            "schema": f"schemas/{name}.json",
        }
        if name in meta.text_tables:
            resource["rights"] = meta.text_rights
        resources.append(resource)
    files["datapackage.json"] = json_bytes(descriptor(resources, analyzed, meta))
    return files
