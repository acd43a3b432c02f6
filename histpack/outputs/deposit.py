"""Deposit metadata of a release, from `histpack.yaml` and the descriptor: Zenodo's `.zenodo.json` (its
legacy deposit format, which its GitHub integration and deposit API read) and a DataCite XML record
(Metadata Schema 4.6), each checked against its published schema.

The published schemas are not part of this repository: `HISTPACK_DEPOSIT_SCHEMAS` names a folder that
holds Zenodo's legacy deposit schema (`zenodo-legacyrecord.json`, from zenodo/zenodo,
zenodo/modules/deposit/jsonschemas/deposits/records/legacyrecord.json) and DataCite's kernel 4.6
(`datacite-kernel-4.6/metadata.xsd` and its `include/` folder, from datacite/schema,
source/meta/kernel-4.6/). Without it a release says, in a note, that the records were not checked.

The dataset has no DOI until one is reserved or minted: without `doi` in histpack.yaml the DataCite
identifier is DataCite's standard value for unknown information `(:tba)`, "to be assigned or announced
later", and `.zenodo.json` carries none (Zenodo mints one on deposit).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from xml.etree import ElementTree as ET

from histpack.project.errors import BuildError
from histpack.project.metadata import ProjectMetadata

SCHEMAS_ENV = "HISTPACK_DEPOSIT_SCHEMAS"
ZENODO_FILE, DATACITE_FILE = ".zenodo.json", "datacite.xml"
ZENODO_SCHEMA = "zenodo-legacyrecord.json"
DATACITE_SCHEMA = "datacite-kernel-4.6/metadata.xsd"
DATACITE_NS = "http://datacite.org/schema/kernel-4"
DATACITE_LOCATION = "https://schema.datacite.org/meta/kernel-4.6/metadata.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TO_BE_ASSIGNED = "(:tba)"


def _authors(meta: ProjectMetadata) -> list[str]:
    return [c.title for c in meta.contributors if c.role == "author"]


def _others(meta: ProjectMetadata) -> list[str]:
    return [c.title for c in meta.contributors if c.role != "author"]


def _data_licence(meta: ProjectMetadata):
    return next(lic for lic in meta.licenses if lic.part == "data")


def _derived_from(descriptor: dict) -> list[tuple[str, str]]:
    """(scheme, identifier) of every analysed source the descriptor lists: its DOI, else its URL."""
    out = []
    for source in descriptor.get("sources", []):
        if source.get("doi"):
            out.append(("doi", source["doi"]))
        elif source.get("path"):
            out.append(("url", source["path"]))
    return out


def zenodo_json(meta: ProjectMetadata, descriptor: dict) -> bytes:
    record = {
        "upload_type": "dataset",
        "title": meta.title,
        "description": meta.description,
        "version": meta.version,
        "publication_date": meta.released.isoformat(),
        "creators": [{"name": name} for name in _authors(meta)],
        "contributors": [{"name": name, "type": "Other"} for name in _others(meta)],
        "keywords": list(meta.keywords),
        "license": _data_licence(meta).name,
        "access_right": "open",
        "related_identifiers": [{"identifier": identifier, "relation": "isDerivedFrom", "scheme": scheme}
                                for scheme, identifier in _derived_from(descriptor)],
        "notes": meta.text_rights,
    }
    if meta.doi:
        record["doi"] = meta.doi
    return (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def datacite_xml(meta: ProjectMetadata, descriptor: dict) -> bytes:
    ET.register_namespace("", DATACITE_NS)
    ET.register_namespace("xsi", XSI)

    def el(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
        node = ET.SubElement(parent, f"{{{DATACITE_NS}}}{tag}", {k.replace("_", ":") if k == "xml_lang" else k: v
                                                                   for k, v in attrs.items()})
        if text is not None:
            node.text = text
        return node

    root = ET.Element(f"{{{DATACITE_NS}}}resource", {f"{{{XSI}}}schemaLocation": f"{DATACITE_NS} {DATACITE_LOCATION}"})
    el(root, "identifier", meta.doi or TO_BE_ASSIGNED, identifierType="DOI")
    creators = el(root, "creators")
    for name in _authors(meta):
        el(el(creators, "creator"), "creatorName", name)
    titles = el(root, "titles")
    el(titles, "title", meta.title).set(XML_LANG, "en")
    el(root, "publisher", ", ".join(_authors(meta)))
    el(root, "publicationYear", str(meta.released.year))
    el(root, "resourceType", "Frictionless tabular data package", resourceTypeGeneral="Dataset")
    subjects = el(root, "subjects")
    for keyword in meta.keywords:
        el(subjects, "subject", keyword)
    if _others(meta):
        contributors = el(root, "contributors")
        for name in _others(meta):
            el(el(contributors, "contributor", contributorType="RelatedPerson"), "contributorName", name)
    el(el(root, "dates"), "date", meta.released.isoformat(), dateType="Issued")
    el(root, "language", "en")
    derived = _derived_from(descriptor)
    if derived:
        related = el(root, "relatedIdentifiers")
        for scheme, identifier in derived:
            el(related, "relatedIdentifier", identifier, relatedIdentifierType=scheme.upper(),
               relationType="IsDerivedFrom")
    formats = el(root, "formats")
    for mediatype in ("text/csv", "application/json"):
        el(formats, "format", mediatype)
    el(root, "version", meta.version)
    rights = el(root, "rightsList")
    licence = _data_licence(meta)
    el(rights, "rights", licence.title, rightsURI=licence.path, rightsIdentifier=licence.name,
       rightsIdentifierScheme="SPDX", schemeURI="https://spdx.org/licenses/")
    el(rights, "rights", meta.text_rights)
    descriptions = el(root, "descriptions")
    el(descriptions, "description", meta.description, descriptionType="Abstract")
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def schema_folder() -> Path | None:
    """The folder holding the published schemas (`HISTPACK_DEPOSIT_SCHEMAS`), or None."""
    folder = os.environ.get(SCHEMAS_ENV)
    return Path(folder) if folder else None


def _zenodo_schema(folder: Path) -> dict:
    """Zenodo's legacy deposit schema, with two repairs, both needed to validate at all:

    - its `upload_type`, `publication_type` and `image_type` give their vocabulary as
      `"type": {"enum": …}`, which JSON Schema does not allow (a validator stops on it): read as the
      `"type": "string", "enum": …` they mean;
    - it forbids properties it does not list and does not list `version`, which Zenodo's deposit API
      and GitHub integration read (`version = SanitizedUnicode()` in the metadata schema they share,
      zenodo/modules/records/serializers/schemas/common.py): `version` is added as a string."""
    schema = json.loads((folder / ZENODO_SCHEMA).read_text(encoding="utf-8"))
    for prop in schema.get("properties", {}).values():
        if isinstance(prop.get("type"), dict):
            inner = prop.pop("type")
            prop["type"], prop["enum"] = inner.get("type", "string"), inner["enum"]
    schema.setdefault("properties", {}).setdefault("version", {"type": "string"})
    return schema


def deposit_problems(zenodo: bytes, datacite: bytes, folder: Path) -> list[str]:
    """What the published schemas find wrong with the two records (empty: both valid)."""
    import jsonschema
    from lxml import etree

    for needed in (ZENODO_SCHEMA, DATACITE_SCHEMA):
        if not (folder / needed).is_file():
            raise BuildError(str(folder / needed), "no such schema", f"put the published schemas in {SCHEMAS_ENV} "
                             f"(see histpack/outputs/deposit.py)")
    validator = jsonschema.Draft4Validator(_zenodo_schema(folder))
    problems = [f"{ZENODO_FILE}: {'/'.join(map(str, e.path)) or '(top level)'}: {e.message}"
                for e in sorted(validator.iter_errors(json.loads(zenodo)), key=lambda e: list(map(str, e.path)))]
    xsd = etree.XMLSchema(etree.parse(str(folder / DATACITE_SCHEMA)))
    if not xsd.validate(etree.fromstring(datacite)):
        problems += [f"{DATACITE_FILE}:{e.line}: {e.message}" for e in xsd.error_log]
    return problems
