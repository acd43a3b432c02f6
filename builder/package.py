"""Model rows → `data/*.csv`, `schemas/*.json` and `datapackage.json`, byte-identical on every build."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json

from . import models as m
from .rules import FORMAT, MARKER
from .schema import columns, table_schema

PACKAGE_NAME = "thom-2015-holodomor"
VERSION = "0.1.0"
TEXT_RIGHTS = ("The essay's text is © 2015 Françoise Thom and East/West: Journal of Ukrainian Studies. "
               "The package keeps quoted passages and the canonical text only so that every quote can be "
               "verified; they are not covered by the data licence.")
TEXT_TABLES = ("paragraphs", "quotes")


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


def descriptor(resources: list[dict], record: dict, also_at: list[str]) -> dict:
    essay = (f"{record['authors']}, “{record['title']}”, {record['container']} {record['volume']}, "
             f"no. {record['issue']} ({record['year']}): {record['pages']}")
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": "Stalin, collectivization and the Holodomor in comparison: a dataset of Thom (2015)",
        "description": (
            "Structured, validated encoding of Françoise Thom's essay “Reflections on Stalin and the Holodomor” "
            "(East/West: Journal of Ukrainian Studies 2, no. 1, 2015): regimes, persons, places, events, "
            "collectivization phases, purges, rhetoric, theses and comparisons (Stalin's USSR, Mao's China, "
            "Nazi Germany, Jacobin France). Every analytic row rests on a verbatim quote of the essay with "
            "character offsets into its canonical text and the printed page."),
        "version": VERSION,
        "keywords": ["Holodomor", "collectivization", "Stalin", "Mao", "Great Leap Forward", "Cultural Revolution",
                     "Nazi Germany", "Jacobin France", "totalitarianism", "Soviet history", "Ukraine",
                     "comparative history", "historiography"],
        # One licence per part: our tables (data), our builder (code); the essay's words are not ours
        # to license, so they carry `rights` instead (here and on the resources that hold them).
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0 (data: the dataset's own tables)"},
                     {"name": "MIT", "path": "https://opensource.org/license/mit",
                      "title": "MIT License (code: the builder in builder/, see LICENSE)"}],
        "rights": TEXT_RIGHTS,
        "sources": [{"title": essay, "path": record["url"], "doi": record.get("doi"), "pages": record["pages"],
                     "authors": record["authors"], "year": record["year"], "container": record["container"],
                     "volume": record["volume"], "issue": record["issue"], "issn": record.get("issn"),
                     "also_at": also_at}],
        # No public repository or dataset DOI exists, so there is no `homepage` or `id`; the only
        # names known are these two.
        "contributors": [
            {"title": "The thom-2015 dataset encoders", "role": "author",
             "description": "The people who encoded the essay: the dataset's authors."},
            {"title": "Françoise Thom", "role": "contributor",
             "description": "Author of the encoded essay; she did not take part in making the dataset."},
        ],
        # Marks the package as ours: `histpack validate` holds it to the project's own rules
        # (quotes against the text, pages, dates, cross-table rules); other packages are not.
        MARKER: {"format": FORMAT},
        "resources": resources,
    }


def render(rows: dict[str, list[m.Row]], record: dict, also_at: list[str]) -> dict[str, bytes]:
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
        if name in TEXT_TABLES:
            resource["rights"] = TEXT_RIGHTS
        resources.append(resource)
    files["datapackage.json"] = json_bytes(descriptor(resources, record, also_at))
    return files
