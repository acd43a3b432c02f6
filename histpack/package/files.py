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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from histpack.model import models as m
from histpack.project.errors import BuildError
from histpack.checks.rules import FORMAT, MARKER
from histpack.model.schema import columns, table_schema

METADATA_FILE = "histpack.yaml"


class Licence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, description="SPDX identifier, e.g. CC-BY-4.0")
    path: str = Field(min_length=1)
    title: str = Field(min_length=1)
    part: str = Field(min_length=1, description="what it covers: data or code")


class Contributor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1)
    role: str = Field(min_length=1)
    description: str | None = None


class ProjectMetadata(BaseModel):
    """`histpack.yaml`: everything about the dataset that is not data, typed once."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    released: dt.date
    keywords: list[str]
    contributors: list[Contributor] = Field(min_length=1)
    licenses: list[Licence] = Field(min_length=1)
    text_rights: str = Field(min_length=1)
    text_tables: list[str]

    @model_validator(mode="after")
    def _one_data_licence_and_an_author(self):
        if sum(1 for lic in self.licenses if lic.part == "data") != 1:
            raise ValueError("exactly one licence needs `part: data` (the one a citation of the dataset names)")
        if not any(c.role == "author" for c in self.contributors):
            raise ValueError("no contributor has role `author`")
        return self


def read_metadata(root: Path) -> ProjectMetadata:
    """The project's `histpack.yaml`, validated; one clear error line if it is missing or wrong."""
    path = Path(root) / METADATA_FILE
    if not path.is_file():
        raise BuildError(str(path), "no project metadata", "add histpack.yaml (name, title, version, released …)")
    from histpack.annotate.annotations import load_yaml

    raw = load_yaml(path.read_bytes(), str(path))  # bounded like every YAML input: depth, aliases
    try:
        return ProjectMetadata.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "(top level)"
        raise BuildError(str(path), f"`{where}`: {first['msg']}") from None


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_bytes(model: type[m.Row], rows: list[m.Row]) -> bytes:
    """RFC 4180 CSV: header row, CRLF line ends, UTF-8, fields quoted only where needed."""
    names = [c.name for c in columns(model)]
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
             "issn": record.get("issn"), "license": record.get("license"), "also_at": also_at}
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
           meta: ProjectMetadata) -> dict[str, bytes]:
    """Every output file as bytes, keyed by its path relative to the package root."""
    files: dict[str, bytes] = {}
    resources = []
    for model in m.MODELS:
        name = model.table.name
        data = csv_bytes(model, rows.get(name, []))
        schema = json_bytes(table_schema(model))
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
